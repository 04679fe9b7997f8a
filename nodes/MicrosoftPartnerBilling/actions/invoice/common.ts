import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { timeoutMinutesProperty } from '../../../shared/n8n/properties';
import { INVOICE_ID_RULE, isInvoiceId } from '../../transport';

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
	if (!isInvoiceId(invoiceId)) throw rules.refuse('Invoice ID', INVOICE_ID_RULE, invoiceId);
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
