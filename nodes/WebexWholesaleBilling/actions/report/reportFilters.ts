import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { choicesOf, dateFilterOption, filtersCollection } from '../../../shared/n8n/properties';
import { REPORT_TYPE_CHOICES, reportTypeOptions } from './common';

const sortByOptions = [
	{ name: 'Billing End Date', value: 'billingEndDate' },
	{ name: 'Billing Start Date', value: 'billingStartDate' },
	{ name: 'ID', value: 'id' },
	{ name: 'Status', value: 'status' },
];
const statusOptions = [
	{ name: 'Completed', value: 'COMPLETED' },
	{ name: 'Failed', value: 'FAILED' },
	{ name: 'In Progress', value: 'IN_PROGRESS' },
];

/** Get Many's Filters: what Webex's list of reports can be asked for. */
export const reportFilters: INodeProperties = filtersCollection(
	'Only the reports that match every filter given; Webex compares dates exactly',
	[
		dateFilterOption(
			'Billing End Date',
			'billingEndDate',
			'Only reports ending exactly on this date',
		),
		dateFilterOption(
			'Billing Start Date',
			'billingStartDate',
			'Only reports starting exactly on this date (a report that merely overlaps is not returned)',
		),
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
			options: sortByOptions,
			default: 'billingStartDate',
			description: 'The field Webex orders the reports by',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: statusOptions,
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
);

/** The Filters, checked, as the query of Webex's list of reports. */
export function readReportFilters(rules: ParameterRules): IDataObject {
	const filters = rules.collection('filters');
	const query: IDataObject = {};
	const billingStartDate = rules.filterDate(filters.billingStartDate, 'Billing Start Date');
	if (billingStartDate) query.billingStartDate = billingStartDate;
	const billingEndDate = rules.filterDate(filters.billingEndDate, 'Billing End Date');
	if (billingEndDate) query.billingEndDate = billingEndDate;
	if (filters.reportType !== undefined)
		query.type = rules.oneOf(filters.reportType, 'Report Type', REPORT_TYPE_CHOICES);
	if (filters.status !== undefined)
		query.status = rules.oneOf(filters.status, 'Status', choicesOf(statusOptions));
	if (filters.sortBy !== undefined)
		query.sortBy = rules.oneOf(filters.sortBy, 'Sort By', choicesOf(sortByOptions));
	const subPartnerOrgId = rules.text(filters.subPartnerOrgId, 'Sub-Partner Org ID').trim();
	if (subPartnerOrgId) query.subPartnerOrgId = subPartnerOrgId;
	return query;
}
