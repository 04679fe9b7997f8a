import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { createWebexClient, reportToJson, waitForReport } from '../../transport';
import { createReport } from '../../transport/createReport';
import { REPORT_TYPE_CHOICES, readBillingPeriod, reportTypeOptions } from './common';
import { createOptions, readCreateOptions } from './createOptions';

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
	createOptions,
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
	const options = readCreateOptions(rules);
	const { timeoutMinutes, waitForCompletion } = options;
	const client = await createWebexClient(this, itemIndex, timeoutMinutes);

	const { subPartnerOrgId, internal } = options;
	const request = { billingStartDate, billingEndDate, type, subPartnerOrgId, internal };
	let report = await createReport(client, request, {
		ifExists: options.ifExists,
		timeoutMinutes,
		willWait: waitForCompletion,
	});
	if (waitForCompletion) report = await waitForReport(client, report.id, timeoutMinutes);
	return [{ json: reportToJson(report, options.includeDownloadUrl) }];
}
