import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules, TIMEOUT_MINUTES } from '../../../shared/n8n/parameters';
import { daysInclusive, parseIsoDate } from '../../../shared/numbers/dates';
import { downloadSignedFile } from '../../../shared/transport/signedDownload';
import { outputModeProperties, readCsvOutput, readOutputSettings, type CsvOutput } from '../../../shared/output/csvOutput';
import { ceilDivide, groupToJson } from '../../../shared/output/sinks';
import {
	createWebexClient,
	getReport,
	reportFailedError,
	reportType,
	waitForReport,
	type WebexClient,
	type WebexReport,
} from '../../transport';
import { readReportId, reportIdProperty, timeoutMinutesOption } from './common';

const displayOptions = { show: { resource: ['report'], operation: ['download'] } };

const properties: INodeProperties[] = [
	reportIdProperty(['download']),
	...outputModeProperties(displayOptions, {
		defaultGroupBy: 'CUSTOMER_ORG_ID, SKU',
		defaultSumFields: 'QUANTITY',
		fileHint: 'The CSV exactly as Webex sent it; the item also says its rowCount',
	}),
	{
		displayName: 'Seat Rule',
		name: 'seatRule',
		type: 'options',
		displayOptions: { show: { ...displayOptions.show, outputMode: ['aggregate'] } },
		options: [
			{ name: 'None', value: 'none', description: 'Only the summed QUANTITY (user-days)' },
			{
				name: 'Ceil per Day',
				value: 'ceilPerDay',
				description:
					"Add seats = ceil(group's summed QUANTITY ÷ days in the report period, both dates counted)",
			},
		],
		default: 'none',
		description: 'How to turn prorated QUANTITY (one per user-day) into billable seats',
		hint: 'QUANTITY must be one of the Sum Fields for Ceil per Day',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'Whether and how long to wait for a report that is still being generated',
		options: [
			{ ...timeoutMinutesOption },
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: true,
				description:
					'Whether to wait while the report is still being generated. Off: fail at once if it is not ready.',
			},
		],
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

/** Refresh a signed URL this close to its Expires time rather than start a download that dies. */
const EXPIRY_MARGIN_MS = 60_000;

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex);
	const rules = new ParameterRules(this, itemIndex);
	const seatRule =
		settings.mode === 'aggregate'
			? rules.oneOf(this.getNodeParameter('seatRule', itemIndex, 'none'), 'Seat Rule', [
					['none', 'None'],
					['ceilPerDay', 'Ceil per Day'],
				])
			: 'none';
	const quantityIndex = settings.sumFields.findIndex((field) => field.toUpperCase() === 'QUANTITY');
	if (seatRule === 'ceilPerDay' && quantityIndex < 0) {
		throw rules.refuse('Seat Rule', "Ceil per Day needs QUANTITY among the 'Sum Fields'", settings.sumFields.join(', '));
	}
	const given = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const options = {
		timeoutMinutes: rules.number(given.timeoutMinutes, 'Timeout (Minutes)', { ...TIMEOUT_MINUTES, fallback: 60 }),
		waitForCompletion: rules.flag(given.waitForCompletion, 'Wait for Completion', true),
	};
	const client = await createWebexClient(this, itemIndex, options.timeoutMinutes);

	let report = await readyReport(client, reportId, options);
	const output = await downloadSignedFile(this, {
		what: `Webex report ${reportId}`,
		policy: client.policy,
		getUrl: async (refusal) => {
			if (refusal || isExpiring(report.tempDownloadURL)) report = await getReport(client, reportId);
			if (!report.tempDownloadURL) {
				throw new NodeOperationError(this.getNode(), `Webex gave no download URL for report ${reportId}`, {
					itemIndex,
					description: `Its status is ${report.status}. Try again later.`,
				});
			}
			return report.tempDownloadURL;
		},
		consume: async (body) =>
			await readCsvOutput(this, body, settings, {
				fileName: `webex-${(reportType(report) ?? 'report').toLowerCase()}-${report.billingStartDate}-${report.billingEndDate}.csv`,
				mimeType: 'text/csv',
			}),
	});

	this.addExecutionHints({
		message: `Read ${output.rowCount} rows from Webex report ${reportId}`,
		location: 'outputPane',
	});
	return toItems(output, report, settings.binaryPropertyName, seatRule === 'ceilPerDay' ? quantityIndex : -1);
}

async function readyReport(
	client: WebexClient,
	reportId: string,
	options: { timeoutMinutes: number; waitForCompletion: boolean },
): Promise<WebexReport> {
	if (options.waitForCompletion) return await waitForReport(client, reportId, options.timeoutMinutes);
	const report = await getReport(client, reportId);
	if (report.status === 'FAILED') throw reportFailedError(client, report);
	if (report.status !== 'COMPLETED') {
		throw new NodeOperationError(client.context.getNode(), `Webex report ${reportId} is not ready yet (status ${report.status})`, {
			itemIndex: client.itemIndex,
			description: "Turn on the 'Wait for Completion' option, or run the download again later",
		});
	}
	return report;
}

function isExpiring(url: string | undefined): boolean {
	if (!url) return true;
	let expires: number;
	try {
		expires = Number(new URL(url).searchParams.get('Expires'));
	} catch {
		// Unreadable: leave it to the URL check, which refuses it with a clear message.
		return false;
	}
	return Number.isFinite(expires) && expires > 0 && expires * 1000 - EXPIRY_MARGIN_MS < Date.now();
}

function toItems(output: CsvOutput, report: WebexReport, binaryPropertyName: string, seatSumIndex: number): INodeExecutionData[] {
	if (output.mode === 'rows') return output.rows.map((row) => ({ json: row }));
	if (output.mode === 'file') {
		const json: IDataObject = {
			reportId: report.id,
			billingStartDate: report.billingStartDate,
			billingEndDate: report.billingEndDate,
			type: reportType(report),
			rowCount: output.rowCount,
		};
		return [{ json, binary: { [binaryPropertyName]: output.binary } }];
	}
	const start = parseIsoDate(report.billingStartDate);
	const end = parseIsoDate(report.billingEndDate);
	const days = start && end ? daysInclusive(start, end) : 0;
	return output.groups.map((group) => {
		const json = groupToJson(group, output.sumFieldNames);
		if (seatSumIndex >= 0 && days > 0) json.seats = ceilDivide(group.sums[seatSumIndex].value, days);
		return { json };
	});
}
