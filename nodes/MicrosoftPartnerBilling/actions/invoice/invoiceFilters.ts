import type { INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { dateFilterOption, filtersCollection } from '../../../shared/n8n/properties';
import type { Invoice } from '../../transport/partnerCenter';

/** Get Many's Filters, applied by the node to every page of Partner Center's list. */
export const invoiceFilters: INodeProperties = filtersCollection(
	'Only the invoices that match every filter given',
	[
		dateFilterOption(
			'Billing Period End',
			'periodEnd',
			'Only invoices whose billing period ends on or before this day (UTC)',
		),
		dateFilterOption(
			'Billing Period Start',
			'periodStart',
			'Only invoices whose billing period starts on or after this day (UTC)',
		),
		{
			displayName: 'Document Type',
			name: 'documentType',
			type: 'string',
			default: '',
			placeholder: 'e.g. Invoice',
			description:
				'Only documents of this documentType, as Partner Center writes it (Invoice, Credit Note); case-insensitive',
		},
		{
			displayName: 'Invoice Type',
			name: 'invoiceType',
			type: 'string',
			default: '',
			placeholder: 'e.g. Recurring',
			description:
				'Only invoices of this invoiceType, as Partner Center writes it (e.g. Recurring, OneTime); case-insensitive',
		},
	],
);

export interface InvoiceFilters {
	periodStart?: string;
	periodEnd?: string;
	invoiceType?: string;
	documentType?: string;
}

/** The Filters of Get Many, checked (the types in lower case: they match case-insensitively). */
export function readInvoiceFilters(rules: ParameterRules): InvoiceFilters {
	const given = rules.collection('filters');
	const filters: InvoiceFilters = {
		periodStart: rules.filterDate(given.periodStart, 'Billing Period Start'),
		periodEnd: rules.filterDate(given.periodEnd, 'Billing Period End'),
	};
	if (filters.periodStart && filters.periodEnd && filters.periodStart > filters.periodEnd) {
		throw rules.refuse(
			'Billing Period Start',
			`must not be after 'Billing Period End' (${filters.periodEnd})`,
			filters.periodStart,
		);
	}
	const invoiceType = rules.text(given.invoiceType, 'Invoice Type').trim();
	if (invoiceType) filters.invoiceType = invoiceType.toLowerCase();
	const documentType = rules.text(given.documentType, 'Document Type').trim();
	if (documentType) filters.documentType = documentType.toLowerCase();
	return filters;
}

/** The calendar day (UTC) of a Partner Center date-time. */
const day = (value: unknown) => (typeof value === 'string' ? value.slice(0, 10) : '');

export function matches(invoice: Invoice, filters: InvoiceFilters): boolean {
	if (filters.periodStart && !(day(invoice.billingPeriodStartDate) >= filters.periodStart))
		return false;
	if (
		filters.periodEnd &&
		!(day(invoice.billingPeriodEndDate) && day(invoice.billingPeriodEndDate) <= filters.periodEnd)
	)
		return false;
	if (
		filters.invoiceType &&
		String(invoice.invoiceType ?? '').toLowerCase() !== filters.invoiceType
	)
		return false;
	if (
		filters.documentType &&
		String(invoice.documentType ?? '').toLowerCase() !== filters.documentType
	)
		return false;
	return true;
}

/** Newest invoiceDate first; the same date: the higher ID first (IDs are issued in order). */
export function newestFirst(a: Invoice, b: Invoice): number {
	const byDate = Date.parse(String(b.invoiceDate)) - Date.parse(String(a.invoiceDate));
	if (byDate) return byDate;
	return String(b.id ?? '').localeCompare(String(a.id ?? ''));
}
