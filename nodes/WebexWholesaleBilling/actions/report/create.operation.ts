import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { createWebexClient, reportToJson, waitForReport } from '../../transport';
import { createReport } from '../../transport/createReport';
import {
	REPORT_TYPE_CHOICES,
	includeDownloadUrlOption,
	readBillingPeriod,
	reportTypeOptions,
	timeoutMinutesOption,
} from './common';

const ifExistsOptions = [
	{
		name: 'Error',
		value: 'error',
		description: 'Fail, as Webex refuses a second report for the same period and type',
	},
	{
		name: 'Reuse',
		value: 'reuse',
		description:
			'Use the existing report: safe to run again, creates a report only once per period',
	},
	{
		name: 'Recreate',
		value: 'recreate',
		description: 'Delete the existing report (after it finishes) and create a new one',
	},
] as const;
const IF_EXISTS_CHOICES = ifExistsOptions.map(({ value, name }) => [value, name] as const);

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
		description:
			"Last day of the report (UTC), at the latest yesterday: Webex aggregates each day's usage the next day",
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
		description:
			'What to do about an existing report, whether to wait for the new one, and what to include',
		options: [
			{
				displayName: 'If a Report Exists',
				name: 'ifExists',
				type: 'options',
				options: [...ifExistsOptions],
				default: 'error',
				description:
					'What to do when a report for the same period, type and sub-partner already exists',
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

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['create'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const { billingStartDate, billingEndDate } = readBillingPeriod(this, itemIndex);
	const type = rules.oneOf(
		this.getNodeParameter('reportType', itemIndex),
		'Report Type',
		REPORT_TYPE_CHOICES,
	);
	const given = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const ifExists = rules.oneOf(given.ifExists ?? 'error', 'If a Report Exists', IF_EXISTS_CHOICES);
	const includeDownloadUrl = rules.flag(given.includeDownloadUrl, 'Include Download URL', false);
	const internal =
		given.internal === undefined
			? undefined
			: rules.flag(given.internal, 'Include Internal Orgs', false);
	const timeoutMinutes = rules.timeoutMinutes(given.timeoutMinutes, 60);
	const waitForCompletion = rules.flag(given.waitForCompletion, 'Wait for Completion', false);
	const subPartnerOrgId =
		rules.text(given.subPartnerOrgId, 'Sub-Partner Org ID').trim() || undefined;
	const client = await createWebexClient(this, itemIndex, timeoutMinutes);

	const request = { billingStartDate, billingEndDate, type, subPartnerOrgId, internal };
	let report = await createReport(client, request, {
		ifExists,
		timeoutMinutes,
		willWait: waitForCompletion,
	});
	if (waitForCompletion) report = await waitForReport(client, report.id, timeoutMinutes);
	return [{ json: reportToJson(report, includeDownloadUrl) }];
}
