import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { parseIsoDate, toIsoDateText } from '../../../shared/dates';
import { ParameterRules } from '../../../shared/parameters';
import { createPartnerCenterClient, invoiceToJson, listInvoices, type Invoice } from '../../transport/partnerCenter';
import { invoiceDeadline, timeoutMinutesOption } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Only the invoices that match every filter given',
		options: [
			{
				displayName: 'Billing Period End',
				name: 'periodEnd',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description: 'Only invoices whose billing period ends on or before this day (UTC)',
			},
			{
				displayName: 'Billing Period Start',
				name: 'periodStart',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description: 'Only invoices whose billing period starts on or after this day (UTC)',
			},
			{
				displayName: 'Invoice Type',
				name: 'invoiceType',
				type: 'string',
				default: '',
				placeholder: 'e.g. Recurring',
				description: "Only invoices of this invoiceType, as Partner Center writes it (e.g. Recurring, OneTime); case-insensitive",
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [timeoutMinutesOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['invoice'], operation: ['getAll'] } }, properties);

interface InvoiceFilters {
	periodStart?: string;
	periodEnd?: string;
	invoiceType?: string;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const returnAll = rules.flag(this.getNodeParameter('returnAll', itemIndex), 'Return All', false);
	const limit = returnAll ? Infinity : rules.number(this.getNodeParameter('limit', itemIndex), 'Limit', { min: 1, whole: true, fallback: 50 });
	const filters = readFilters(this, rules, itemIndex);
	const deadline = invoiceDeadline(rules, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	const client = await createPartnerCenterClient(this, itemIndex, deadline);
	// Partner Center's order is not documented, and filters are applied here: all pages are read.
	const invoices = (await listInvoices(client)).filter((invoice) => matches(invoice, filters)).sort(newestFirst);
	return invoices.slice(0, limit).map((invoice) => ({ json: invoiceToJson(invoice) }));
}

function readFilters(context: IExecuteFunctions, rules: ParameterRules, itemIndex: number): InvoiceFilters {
	const given = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: InvoiceFilters = {};
	for (const [name, label] of [
		['periodStart', 'Billing Period Start'],
		['periodEnd', 'Billing Period End'],
	] as const) {
		if (given[name] === undefined || given[name] === '') continue;
		const text = toIsoDateText(given[name]);
		if (!parseIsoDate(text)) throw rules.refuse(label, 'in Filters must be a date written as YYYY-MM-DD', text);
		filters[name] = text;
	}
	if (filters.periodStart && filters.periodEnd && filters.periodStart > filters.periodEnd) {
		throw rules.refuse('Billing Period Start', `must not be after 'Billing Period End' (${filters.periodEnd})`, filters.periodStart);
	}
	const invoiceType = rules.text(given.invoiceType, 'Invoice Type').trim();
	if (invoiceType) filters.invoiceType = invoiceType.toLowerCase();
	return filters;
}

/** The calendar day (UTC) of a Partner Center date-time. */
const day = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : '');

function matches(invoice: Invoice, filters: InvoiceFilters): boolean {
	if (filters.periodStart && !(day(invoice.billingPeriodStartDate) >= filters.periodStart)) return false;
	if (filters.periodEnd && !(day(invoice.billingPeriodEndDate) && day(invoice.billingPeriodEndDate) <= filters.periodEnd)) return false;
	if (filters.invoiceType && String(invoice.invoiceType ?? '').toLowerCase() !== filters.invoiceType) return false;
	return true;
}

/** Newest invoiceDate first; the same date: the higher ID first (IDs are issued in order). */
function newestFirst(a: Invoice, b: Invoice): number {
	const byDate = Date.parse(String(b.invoiceDate)) - Date.parse(String(a.invoiceDate));
	if (byDate) return byDate;
	return String(b.id ?? '').localeCompare(String(a.id ?? ''));
}
