import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { timeoutMinutesProperty, type ParameterRules } from '../../../shared/n8n/parameters';
import { parseIsoDate, toIsoDateText } from '../../../shared/numbers/dates';
import type { Invoice } from '../../transport/partnerCenter';

/** Partner Center answers at once: the timeout only bounds retries and Retry-After waits. */
const DEFAULT_TIMEOUT_MINUTES = 5;

export const timeoutMinutesOption = timeoutMinutesProperty(
	DEFAULT_TIMEOUT_MINUTES,
	'How long the Partner Center calls may take, token, retries and Retry-After waits included',
);

/** The Invoice ID parameter, checked: it goes into a Partner Center path and n8n's memory. */
export function readInvoiceId(
	context: IExecuteFunctions,
	rules: ParameterRules,
	itemIndex: number,
): string {
	const invoiceId = rules
		.text(context.getNodeParameter('invoiceId', itemIndex), 'Invoice ID')
		.trim();
	if (!/^[A-Za-z0-9-]{1,64}$/.test(invoiceId)) {
		throw rules.refuse(
			'Invoice ID',
			'must be a Microsoft invoice number such as G012345678 (letters and digits)',
			invoiceId,
		);
	}
	return invoiceId;
}

/**
 * An invoice's key in the workflow's memory of reconciled invoices: written by Mark as
 * Reconciled, read by Get Many's Skip Invoices Marked as Reconciled (Partner Center's IDs are
 * unique per partner; the prefix keeps them apart from a Remove Duplicates node's values).
 */
export const reconciledKey = (invoiceId: string) => `reconciled-invoice:${invoiceId}`;

/** The Timeout (Minutes) option in `options`, checked. */
export function invoiceTimeoutMinutes(rules: ParameterRules, options: IDataObject): number {
	return rules.timeoutMinutes(options.timeoutMinutes, DEFAULT_TIMEOUT_MINUTES);
}

export interface InvoiceFilters {
	periodStart?: string;
	periodEnd?: string;
	invoiceType?: string;
	documentType?: string;
}

/** The Filters collection of Get Many, checked. */
export function readFilters(
	context: IExecuteFunctions,
	rules: ParameterRules,
	itemIndex: number,
): InvoiceFilters {
	const given = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: InvoiceFilters = {};
	for (const [name, label] of [
		['periodStart', 'Billing Period Start'],
		['periodEnd', 'Billing Period End'],
	] as const) {
		if (given[name] === undefined || given[name] === '') continue;
		const text = toIsoDateText(given[name]);
		if (!parseIsoDate(text))
			throw rules.refuse(label, 'in Filters must be a date written as YYYY-MM-DD', text);
		filters[name] = text;
	}
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
