import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { daysInclusive, parseIsoDate } from '../../../shared/numbers/dates';
import { ceilDivide } from '../../../shared/numbers/decimal';
import { csvFormat, readCsvOutput } from '../../../shared/output/csvOutput';
import { groupToJson } from '../../../shared/output/aggregate';
import {
	outputModeProperties,
	readOutputSettings,
	type Output,
} from '../../../shared/output/modes';
import { fieldNameKey } from '../../../shared/readers/fieldNames';
import {
	createWebexClient,
	downloadReportFile,
	readyReport,
	reportType,
	type WebexReport,
} from '../../transport';
import { readReportId, reportIdProperty, timeoutMinutesOption } from './common';

const displayOptions = { show: { resource: ['report'], operation: ['download'] } };

const REPORT_CSV = csvFormat(
	'CUSTOMER_ORG_ID, SKU',
	'QUANTITY',
	'The CSV exactly as Webex sent it; the item also says its rowCount',
);

const properties: INodeProperties[] = [
	reportIdProperty(['download']),
	...outputModeProperties(REPORT_CSV),
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

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex, REPORT_CSV);
	const rules = new ParameterRules(this, itemIndex);
	const seatRule =
		settings.mode === 'aggregate'
			? rules.oneOf(this.getNodeParameter('seatRule', itemIndex, 'none'), 'Seat Rule', [
					['none', 'None'],
					['ceilPerDay', 'Ceil per Day'],
				])
			: 'none';
	const quantityIndex = settings.sumFields.findIndex((field) => fieldNameKey(field) === 'quantity');
	if (seatRule === 'ceilPerDay' && quantityIndex < 0) {
		throw rules.refuse(
			'Seat Rule',
			"Ceil per Day needs QUANTITY among the 'Sum Fields'",
			settings.sumFields.join(', '),
		);
	}
	const given = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const options = {
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
		waitForCompletion: rules.flag(given.waitForCompletion, 'Wait for Completion', true),
	};
	const client = await createWebexClient(this, itemIndex, options.timeoutMinutes);

	const { result: output, report } = await downloadReportFile(
		client,
		await readyReport(client, reportId, options),
		async (body, current) => {
			const fileName = `webex-${(reportType(current) ?? 'report').toLowerCase()}-${current.billingStartDate}-${current.billingEndDate}.csv`;
			return await readCsvOutput(this, body, settings, { fileName, mimeType: 'text/csv' });
		},
	);
	this.addExecutionHints({
		message: `Read ${output.rowCount} rows from Webex report ${reportId}`,
		location: 'outputPane',
	});
	return toItems(
		output,
		report,
		settings.binaryPropertyName,
		seatRule === 'ceilPerDay' ? quantityIndex : -1,
	);
}

function toItems(
	output: Output,
	report: WebexReport,
	binaryPropertyName: string,
	seatSumIndex: number,
): INodeExecutionData[] {
	if (output.mode === 'records') return output.records.map((row) => ({ json: row }));
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
		if (seatSumIndex >= 0 && days > 0)
			json.seats = ceilDivide(group.sums[seatSumIndex].value, days);
		return { json };
	});
}
