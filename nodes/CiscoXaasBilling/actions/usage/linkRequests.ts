import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import {
	addUtcMonths,
	formatIsoDate,
	parseIsoDate,
	toIsoDateText,
	utcToday,
} from '../../../shared/numbers/dates';
import {
	MAX_IDS_PER_REQUEST,
	type CiscoClient,
	type UsageLink,
	type UsageQuery,
} from '../../transport';
import type { GetLinksOptions } from './linkOptions';

/** How Get Download Links names its invoices. */
export type RequestBy = 'invoiceNumbers' | 'dateRange' | 'subscriptionIds';

/** The queries to send, less the requester, and the invoice numbers the user asked for. */
export interface LinkRequests {
	queries: Array<Omit<UsageQuery, 'createdBy' | 'billingAddressId'>>;
	requestedInvoices: string[];
}

type Refuse = (message: string, description?: string) => NodeOperationError;

function refuser(context: IExecuteFunctions, itemIndex: number): Refuse {
	return (message, description) =>
		new NodeOperationError(context.getNode(), message, { itemIndex, description });
}

const INVOICE_NUMBER = /^\d{1,15}$/;
const SUBSCRIPTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/**
 * Cisco's rules for the invoices asked for, checked before the first request: a date range
 * reaching back at most six months, or ids sent 20 per request.
 */
export function readLinkRequests(
	context: IExecuteFunctions,
	itemIndex: number,
	requestBy: RequestBy,
	options: GetLinksOptions,
): LinkRequests {
	const refuse = refuser(context, itemIndex);
	const now = new Date();
	const oldestBegin = addUtcMonths(utcToday(now), -6);
	if (requestBy === 'dateRange') {
		const begin = readDate(context, itemIndex, 'beginDate', 'Begin Date');
		const end = readDate(context, itemIndex, 'endDate', 'End Date');
		if (begin.getTime() < oldestBegin.getTime()) {
			throw refuse(
				`'Begin Date' reaches back more than six months: Cisco accepts ${formatIsoDate(oldestBegin)} at the earliest`,
				`Begin Date was ${formatIsoDate(begin)}. For older invoices request them by invoice number.`,
			);
		}
		if (begin.getTime() > end.getTime()) {
			throw refuse(
				`'Begin Date' (${formatIsoDate(begin)}) is after 'End Date' (${formatIsoDate(end)})`,
			);
		}
		// The whole end day counts.
		const endOfDay = new Date(end.getTime() + 86_399_000);
		return {
			queries: [
				{
					path: options.usagePath,
					beginDate: begin,
					endDate: endOfDay,
					list: { name: 'invoiceList', entries: [] },
				},
			],
			requestedInvoices: [],
		};
	}
	const label = requestBy === 'invoiceNumbers' ? 'Invoice Numbers' : 'Subscription IDs';
	const ids = readIdList(context.getNodeParameter(requestBy, itemIndex));
	if (ids.length === 0) throw refuse(`'${label}' is empty: give at least one`);
	const pattern = requestBy === 'invoiceNumbers' ? INVOICE_NUMBER : SUBSCRIPTION_ID;
	const bad = ids.find((id) => !pattern.test(id));
	if (bad !== undefined) {
		throw refuse(
			`'${label}' holds '${bad.slice(0, 40)}', which is not ${requestBy === 'invoiceNumbers' ? 'an invoice number (digits only)' : 'a subscription ID'}`,
		);
	}
	// The envelope always carries a date range; with a list, Cisco goes by the list.
	const range = { beginDate: oldestBegin, endDate: now };
	if (requestBy === 'invoiceNumbers') {
		const queries = chunk(ids, MAX_IDS_PER_REQUEST).map((part) => ({
			path: options.usagePath,
			...range,
			list: {
				name: 'invoiceList',
				entries: part.map((invoiceNumber) => ({ invoiceNumber: Number(invoiceNumber) })),
			},
		}));
		return { queries, requestedInvoices: ids };
	}
	const listName =
		requiredName(options.subscriptionListField, 'Subscription List Field', refuse) ??
		'subscriptionList';
	const idName =
		requiredName(options.subscriptionIdField, 'Subscription ID Field', refuse) ?? 'subscriptionId';
	const queries = chunk(ids, MAX_IDS_PER_REQUEST).map((part) => ({
		path: options.usageBySubscriptionPath,
		...range,
		list: { name: listName, entries: part.map((id) => ({ [idName]: id })) },
	}));
	return { queries, requestedInvoices: [] };
}

/**
 * Who asks and for which bill-to ID: the node's values, else the credential's. Cisco's
 * sibling API sends the BID as a JSON number, so digits go as a number.
 */
export function readRequester(
	context: IExecuteFunctions,
	itemIndex: number,
	client: CiscoClient,
	options: GetLinksOptions,
): { billingAddressId: number; createdBy: string } {
	const refuse = refuser(context, itemIndex);
	const given = String(context.getNodeParameter('billingAddressId', itemIndex, '') ?? '').trim();
	const billingAddressId = given || client.billingAddressId;
	if (!billingAddressId)
		throw refuse("'Billing Address ID (BID)' is empty, and so is the credential's");
	if (!/^\d{1,15}$/.test(billingAddressId)) {
		throw refuse(
			`'Billing Address ID (BID)' must be digits only; it was '${billingAddressId.slice(0, 40)}'`,
		);
	}
	const createdBy = options.createdBy || client.username;
	if (!createdBy) {
		throw refuse(
			"Set 'Created By' in the options: Cisco needs the requester's CCO ID",
			'With the Client Credentials grant the credential has no user name to send.',
		);
	}
	if (createdBy.length > 50)
		throw refuse(`'Created By' has ${createdBy.length} characters; Cisco allows at most 50`);
	return { billingAddressId: Number(billingAddressId), createdBy };
}

/**
 * One link per invoice, and the requested invoices Cisco left out: none returned is an
 * error, some is a hint in the output pane.
 */
export function linksPerInvoice(
	context: IExecuteFunctions,
	itemIndex: number,
	links: UsageLink[],
	requestedInvoices: string[],
	billingAddressId: number,
): { unique: UsageLink[]; missingInvoices: string[] } {
	const seen = new Set<string>();
	const unique = links.filter(
		(link) => !seen.has(link.invoiceNumber) && seen.add(link.invoiceNumber),
	);
	const missingInvoices = requestedInvoices.filter(
		(invoiceNumber) => !seen.has(String(Number(invoiceNumber))) && !seen.has(invoiceNumber),
	);
	if (missingInvoices.length) {
		const shown =
			missingInvoices.slice(0, 10).join(', ') + (missingInvoices.length > 10 ? ', …' : '');
		if (unique.length === 0) {
			throw refuser(context, itemIndex)(
				`Cisco returned none of the ${missingInvoices.length} requested invoices (${shown})`,
				`Cisco leaves out invoices that do not belong to the billing address ID ${billingAddressId}, or that it does not know. Check the BID and the invoice numbers.`,
			);
		}
		context.addExecutionHints({
			message: `Cisco did not return ${missingInvoices.length} of the requested invoices (${shown}): they may belong to another billing address ID. Each item lists them in missingInvoices.`,
			location: 'outputPane',
		});
	}
	return { unique, missingInvoices };
}

/** Ids from text (commas, spaces, semicolons, new lines) or from a list an expression gives. */
function readIdList(value: unknown): string[] {
	const parts = Array.isArray(value)
		? value.map((entry) => String(entry ?? ''))
		: String(value ?? '').split(/[\s,;]+/);
	return [...new Set(parts.map((part) => part.trim()).filter(Boolean))];
}

function readDate(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
): Date {
	const text = toIsoDateText(context.getNodeParameter(name, itemIndex));
	const date = parseIsoDate(text);
	if (!date) {
		throw new NodeOperationError(
			context.getNode(),
			`'${label}' must be a date, for example 2026-10-01`,
			{
				itemIndex,
				description: `${label} was '${text.slice(0, 40)}'.`,
			},
		);
	}
	return date;
}

function requiredName(
	value: string | undefined,
	label: string,
	refuse: Refuse,
): string | undefined {
	if (value === undefined) return undefined;
	const name = value.trim();
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
		throw refuse(`'${label}' must be a field name such as subscriptionList`);
	return name;
}

function chunk<Item>(items: Item[], size: number): Item[][] {
	return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
		items.slice(index * size, (index + 1) * size),
	);
}
