import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { parseIsoDate, toIsoDateText } from '../../../shared/numbers/dates';
import { createWebexClient, listReports, reportToJson } from '../../transport';
import { ParameterRules, returnAllAndLimitProperties } from '../../../shared/n8n/parameters';
import { REPORT_TYPE_CHOICES, outputUrlOptions, reportTypeOptions } from './common';

const properties: INodeProperties[] = [
	...returnAllAndLimitProperties,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Only the reports that match every filter given; Webex compares dates exactly',
		options: [
			{
				displayName: 'Billing End Date',
				name: 'billingEndDate',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description: 'Only reports ending exactly on this date',
			},
			{
				displayName: 'Billing Start Date',
				name: 'billingStartDate',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description:
					'Only reports starting exactly on this date (a report that merely overlaps is not returned)',
			},
			{
				displayName: 'Report Type',
				name: 'reportType',
				type: 'options',
				options: reportTypeOptions,
				default: 'PARTNER',
				description: 'Only reports of this type',
			},
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				options: [
					{ name: 'Billing End Date', value: 'billingEndDate' },
					{ name: 'Billing Start Date', value: 'billingStartDate' },
					{ name: 'ID', value: 'id' },
					{ name: 'Status', value: 'status' },
				],
				default: 'billingStartDate',
				description: 'The field Webex orders the reports by',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Completed', value: 'COMPLETED' },
					{ name: 'Failed', value: 'FAILED' },
					{ name: 'In Progress', value: 'IN_PROGRESS' },
				],
				default: 'COMPLETED',
				description: 'Only reports in this state: generated, failed, or still being generated',
			},
			{
				displayName: 'Sub-Partner Org ID',
				name: 'subPartnerOrgId',
				type: 'string',
				default: '',
				description: "Only this sub-partner's reports",
			},
		],
	},
	outputUrlOptions(
		'Whether to output tempDownloadURL where the list has one. The list usually leaves it out: use Get for a fresh signed URL.',
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['getAll'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const limit = rules.limit();
	const filters = readFilters(this, rules, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const includeDownloadUrl = rules.flag(options.includeDownloadUrl, 'Include Download URL', false);
	const client = await createWebexClient(this, itemIndex);
	const reports = await listReports(client, filters, limit);
	return reports.map((report) => ({ json: reportToJson(report, includeDownloadUrl) }));
}

const SORT_CHOICES = [
	['billingEndDate', 'Billing End Date'],
	['billingStartDate', 'Billing Start Date'],
	['id', 'ID'],
	['status', 'Status'],
] as const;
const STATUS_CHOICES = [
	['COMPLETED', 'Completed'],
	['FAILED', 'Failed'],
	['IN_PROGRESS', 'In Progress'],
] as const;

function readFilters(
	context: IExecuteFunctions,
	rules: ParameterRules,
	itemIndex: number,
): IDataObject {
	const filters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const query: IDataObject = {};
	for (const [name, label] of [
		['billingStartDate', 'Billing Start Date'],
		['billingEndDate', 'Billing End Date'],
	] as const) {
		if (filters[name] === undefined || filters[name] === '') continue;
		const text = toIsoDateText(filters[name]);
		if (!parseIsoDate(text))
			throw rules.refuse(label, 'in Filters must be a date written as YYYY-MM-DD', text);
		query[name] = text;
	}
	if (filters.reportType !== undefined)
		query.type = rules.oneOf(filters.reportType, 'Report Type', REPORT_TYPE_CHOICES);
	if (filters.status !== undefined)
		query.status = rules.oneOf(filters.status, 'Status', STATUS_CHOICES);
	if (filters.sortBy !== undefined)
		query.sortBy = rules.oneOf(filters.sortBy, 'Sort By', SORT_CHOICES);
	const subPartnerOrgId = rules.text(filters.subPartnerOrgId, 'Sub-Partner Org ID').trim();
	if (subPartnerOrgId) query.subPartnerOrgId = subPartnerOrgId;
	return query;
}
