import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import {
	REPORTS_PATH,
	reportPath,
	createWebexClient,
	getReport,
	listReports,
	reportToJson,
	reportType,
	waitForReport,
	webexApiRequest,
	type WebexClient,
	type WebexReport,
} from '../../transport';
import { REPORT_TYPE_CHOICES, includeDownloadUrlOption, readBillingPeriod, reportTypeOptions, timeoutMinutesOption } from './common';
import type { BillingPeriod } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Billing Start Date',
		name: 'billingStartDate',
		type: 'string',
		required: true,
		default: "={{ $today.minus({ months: 1 }).startOf('month').toISODate() }}",
		placeholder: 'YYYY-MM-DD',
		description: 'First day of the report (UTC), within the last five years',
		hint: 'Defaults to the first day of last month',
	},
	{
		displayName: 'Billing End Date',
		name: 'billingEndDate',
		type: 'string',
		required: true,
		default: "={{ $today.minus({ months: 1 }).endOf('month').toISODate() }}",
		placeholder: 'YYYY-MM-DD',
		description: "Last day of the report (UTC), at the latest yesterday: Webex aggregates each day's usage the next day",
		hint: 'Defaults to the last day of last month',
	},
	{
		displayName: 'Report Type',
		name: 'reportType',
		type: 'options',
		options: reportTypeOptions,
		default: 'PARTNER',
		description: 'How detailed the report is: per subscription, per customer or per user',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'What to do about an existing report, whether to wait for the new one, and what to include',
		options: [
			{
				displayName: 'If a Report Exists',
				name: 'ifExists',
				type: 'options',
				options: [
					{
						name: 'Error',
						value: 'error',
						description: 'Fail, as Webex refuses a second report for the same period and type',
					},
					{
						name: 'Reuse',
						value: 'reuse',
						description: 'Use the existing report: safe to run again, creates a report only once per period',
					},
					{
						name: 'Recreate',
						value: 'recreate',
						description: 'Delete the existing report (after it finishes) and create a new one',
					},
				],
				default: 'error',
				description: 'What to do when a report for the same period, type and sub-partner already exists',
			},
			includeDownloadUrlOption,
			{
				displayName: 'Include Internal Orgs',
				name: 'internal',
				type: 'boolean',
				default: false,
				description: "Whether to include the partner's internal organisations in the report",
			},
			{
				displayName: 'Sub-Partner Org ID',
				name: 'subPartnerOrgId',
				type: 'string',
				default: '',
				description: 'Create the report for this sub-partner organisation instead of your own',
			},
			timeoutMinutesOption,
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait until Webex has generated the report and output it with status COMPLETED. Otherwise the node outputs the new report ID at once.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['report'], operation: ['create'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const period = readBillingPeriod(this, itemIndex);
	const type = rules.oneOf(this.getNodeParameter('reportType', itemIndex), 'Report Type', REPORT_TYPE_CHOICES);
	const given = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const options = {
		ifExists: rules.oneOf(given.ifExists ?? 'error', 'If a Report Exists', [
			['error', 'Error'],
			['reuse', 'Reuse'],
			['recreate', 'Recreate'],
		]),
		includeDownloadUrl: rules.flag(given.includeDownloadUrl, 'Include Download URL', false),
		internal: given.internal === undefined ? undefined : rules.flag(given.internal, 'Include Internal Orgs', false),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
		waitForCompletion: rules.flag(given.waitForCompletion, 'Wait for Completion', false),
	};
	const subPartnerOrgId = rules.text(given.subPartnerOrgId, 'Sub-Partner Org ID').trim() || undefined;
	const client = await createWebexClient(this, itemIndex, options.timeoutMinutes);

	const body: IDataObject = { ...periodFields(period), type };
	if (subPartnerOrgId) body.subPartnerOrgId = subPartnerOrgId;
	if (options.internal !== undefined) body.internal = options.internal;

	if (options.ifExists === 'recreate') await deleteExisting(client, period, type, subPartnerOrgId, options.timeoutMinutes);

	let report: WebexReport;
	try {
		report = (await webexApiRequest<WebexReport>(client, { method: 'POST', url: REPORTS_PATH, body })).body;
	} catch (error) {
		const existing =
			options.ifExists === 'reuse' && isConflict(error)
				? await findExisting(client, period, type, subPartnerOrgId)
				: undefined;
		if (!existing) throw error;
		this.addExecutionHints({
			message: `Reused the existing ${type} report ${existing.id} for ${period.billingStartDate} to ${period.billingEndDate}`,
			location: 'outputPane',
		});
		report = options.waitForCompletion ? existing : await getReport(client, existing.id);
	}

	if (options.waitForCompletion) {
		report = await waitForReport(client, report.id, options.timeoutMinutes);
	}
	return [{ json: reportToJson(report, options.includeDownloadUrl) }];
}

function periodFields(period: BillingPeriod): IDataObject {
	return { billingStartDate: period.billingStartDate, billingEndDate: period.billingEndDate };
}

function isConflict(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '409';
}

/** The report Webex holds for exactly this period, type and sub-partner (list filters match exactly). */
async function findExisting(
	client: WebexClient,
	period: BillingPeriod,
	type: string,
	subPartnerOrgId: string | undefined,
): Promise<WebexReport | undefined> {
	const filters: IDataObject = { ...periodFields(period), type };
	if (subPartnerOrgId) filters.subPartnerOrgId = subPartnerOrgId;
	const reports = await listReports(client, filters);
	return reports.find(
		(report) =>
			report.billingStartDate === period.billingStartDate &&
			report.billingEndDate === period.billingEndDate &&
			reportType(report) === type,
	);
}

/**
 * Deletes the report that would block a new one. Webex refuses to delete a report that is
 * still generating, so wait for it first; a FAILED report cannot be deleted at all, and
 * Webex's refusal says so.
 */
async function deleteExisting(
	client: WebexClient,
	period: BillingPeriod,
	type: string,
	subPartnerOrgId: string | undefined,
	timeoutMinutes: number,
): Promise<void> {
	const existing = await findExisting(client, period, type, subPartnerOrgId);
	if (!existing) return;
	if (existing.status !== 'COMPLETED' && existing.status !== 'FAILED') {
		await waitForReport(client, existing.id, timeoutMinutes).catch((error: unknown) => {
			if (!(error instanceof NodeApiError)) throw error;
		});
	}
	await webexApiRequest(client, { method: 'DELETE', url: reportPath(existing.id) });
	client.context.addExecutionHints({
		message: `Deleted the existing ${type} report ${existing.id} before creating a new one`,
		location: 'outputPane',
	});
}
