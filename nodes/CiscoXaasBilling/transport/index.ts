import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { randomUUID } from 'node:crypto';

import { sendWithRetry, type HttpResponse } from '../../shared/transport/http';
import type { RetryPolicy } from '../../shared/transport/retry';

export const CREDENTIAL_TYPE = 'ciscoXaasBillingApi';

/** Cisco accepts at most this many invoice numbers or subscription ids per request. */
export const MAX_IDS_PER_REQUEST = 20;
/** A runaway guard: no honest query has this many pages of 20 invoices. */
const MAX_PAGES = 5000;

export interface CiscoClient {
	context: IExecuteFunctions;
	itemIndex: number;
	baseUrl: string;
	/** the credential's CCO user name ('' with client credentials) and default BID */
	username: string;
	billingAddressId: string;
	policy: RetryPolicy;
}

export async function createCiscoClient(context: IExecuteFunctions, itemIndex: number, deadline: number): Promise<CiscoClient> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
	return {
		context,
		itemIndex,
		baseUrl: String(credentials.baseUrl || 'https://apx.cisco.com/ccw/api/v1.0').replace(/\/+$/, ''),
		username: credentials.grantType === 'clientCredentials' ? '' : String(credentials.username ?? '').trim(),
		billingAddressId: String(credentials.billingAddressId ?? '').trim(),
		policy: { deadline, signal: context.getExecutionCancelSignal() },
	};
}

/** Cisco's timestamp format: `YYYY-MM-DDTHH:MM:SS.000Z` (milliseconds always zero). */
export function ciscoTimestamp(date: Date): string {
	return `${date.toISOString().slice(0, 19)}.000Z`;
}

/** One request's envelope, less what changes per page (uuid, time, page number). */
export interface UsageQuery {
	/** the API path, e.g. '/usage' */
	path: string;
	createdBy: string;
	billingAddressId: number | string;
	beginDate: Date;
	endDate: Date;
	/** the list element and its entries: invoiceList of {invoiceNumber}, or the subscription list */
	list: { name: string; entries: IDataObject[] };
}

/** One invoice's download link as Cisco lists it, with the time the answer came. */
export interface UsageLink {
	invoiceNumber: string;
	invoiceDate: string | null;
	usageUrl: string;
	receivedAt: Date;
}

interface UsagePage {
	uuid?: string;
	pageNumber?: number;
	totalPage?: number;
	usageURLList?: Array<{ invoiceNumber?: unknown; invoiceDate?: unknown; usageURL?: unknown }>;
}

/**
 * Sends a usage query and follows every page up to the `totalPage` of the first answer,
 * each page a new message with its own uuid.
 */
export async function requestUsageLinks(client: CiscoClient, query: UsageQuery): Promise<UsageLink[]> {
	const links: UsageLink[] = [];
	let totalPage = 1;
	for (let pageNumber = 1; pageNumber <= totalPage; pageNumber++) {
		const uuid = randomUUID();
		const body: IDataObject = {
			uuid,
			createdBy: query.createdBy,
			createdDateTime: ciscoTimestamp(new Date()),
			billingAddressId: query.billingAddressId,
			beginDate: ciscoTimestamp(query.beginDate),
			endDate: ciscoTimestamp(query.endDate),
			pageNumber,
			[query.list.name]: query.list.entries,
		};
		const response = await sendWithRetry<UsagePage>(
			client.context,
			{ method: 'POST', url: `${client.baseUrl}${query.path}`, body, json: true },
			{ credentialType: CREDENTIAL_TYPE, policy: client.policy, jsonBody: true },
		);
		if (response.statusCode < 200 || response.statusCode >= 300) throw ciscoApiError(client, response, uuid);
		const page = response.body as UsagePage;
		// A page without its list would read as "no invoices": a partial answer must not look empty.
		if (!Array.isArray(page.usageURLList)) {
			throw ciscoApiError(client, response, uuid, `Cisco answered page ${pageNumber} without its list of usage links (usageURLList)`);
		}
		if (pageNumber === 1) {
			totalPage = Number(page.totalPage ?? 1);
			if (!Number.isInteger(totalPage) || totalPage < 0 || totalPage > MAX_PAGES) {
				throw ciscoApiError(client, response, uuid, `Cisco answered with ${String(page.totalPage)} as the number of pages`);
			}
		}
		const receivedAt = new Date();
		for (const entry of page.usageURLList) {
			if (typeof entry.usageURL !== 'string' || entry.invoiceNumber === undefined || entry.invoiceNumber === null) {
				throw ciscoApiError(client, response, uuid, 'Cisco listed an invoice without its number or usage URL');
			}
			links.push({
				invoiceNumber: String(entry.invoiceNumber),
				invoiceDate: typeof entry.invoiceDate === 'string' ? entry.invoiceDate : null,
				usageUrl: entry.usageURL,
				receivedAt,
			});
		}
	}
	return links;
}

const ERROR_HINTS: Record<string, string> = {
	BILL_TO_ERROR:
		"The billing address ID (BID) is not associated with the account: check the BID in the credential or the node's Billing Address ID.",
	BIZ_RULE_FAIL_ERROR:
		'Cisco refused the request by its business rules: at most 20 invoice numbers or subscription IDs per request, and a date range reaching back at most six months.',
	CISCO_ERROR: 'Cisco had an internal error; try again later.',
	UNKNOWN_ERROR: 'Cisco could not say what went wrong; try again later.',
};

const STATUS_HINTS: Record<number, string> = {
	401: 'Cisco did not accept the access token even after fetching a new one: check the credential.',
	403: "The account may not be entitled to the CiscoXaaSBilling API: ask for access on Cisco's API portal.",
	404: "The usage API was not found: check the credential's API Base URL.",
};

/**
 * Cisco's answer as a NodeApiError: its error code and message (the body's shape is not
 * documented, so any body is shown, shortened and without links), the request's uuid to
 * quote to Cisco, and what to do.
 */
export function ciscoApiError(client: CiscoClient, response: HttpResponse, uuid: string, problem?: string): NodeApiError {
	const body = isObject(response.body) ? (response.body as IDataObject) : {};
	const code = firstText(body, ['errorCode', 'code', 'error']);
	const vendorMessage = firstText(body, ['errorMessage', 'message', 'error_description', 'description']);
	const rawText = typeof response.body === 'string' ? response.body : isObject(response.body) ? JSON.stringify(response.body) : '';
	const message =
		problem ??
		(vendorMessage
			? `Cisco: ${vendorMessage}${code ? ` (${code})` : ''}`
			: `Cisco answered HTTP ${response.statusCode}${rawText ? `: ${withoutLinks(rawText).slice(0, 200)}` : ''}`);
	const hint = (code && ERROR_HINTS[code]) ?? STATUS_HINTS[response.statusCode] ?? (response.statusCode >= 500 ? 'Cisco had a server error; it was retried within the timeout. Try again later.' : '');
	// A success page that made no sense lists signed links: then only the uuid is kept.
	const shown = problem ? {} : (JSON.parse(withoutLinks(JSON.stringify(body))) as JsonObject);
	return new NodeApiError(
		client.context.getNode(),
		{ ...shown, requestUuid: uuid },
		{
			message,
			description: [hint, `Request uuid: ${uuid}`].filter(Boolean).join(' '),
			httpCode: String(response.statusCode),
			itemIndex: client.itemIndex,
		},
	);
}

function firstText(body: IDataObject, keys: string[]): string | undefined {
	for (const key of keys) {
		const value = body[key];
		if (typeof value === 'string' && value.trim()) return withoutLinks(value.trim());
	}
	return undefined;
}

/** Links in a vendor's words may be signed: they never reach an error. */
function withoutLinks(text: string): string {
	return text.replace(/https?:\/\/[^\s"'<>]+/g, '<url>');
}

function isObject(value: unknown): value is object {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
