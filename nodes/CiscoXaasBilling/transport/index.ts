import {
	type IDataObject,
	type IExecuteFunctions,
	type JsonObject,
	NodeApiError,
} from 'n8n-workflow';
import { randomUUID } from 'node:crypto';

import { isJsonObject, type HttpResponse } from '../../shared/transport/http';
import { withoutUrls } from '../../shared/transport/scrub';
import {
	createVendorClient,
	vendorApiError,
	vendorRequest,
	type VendorApi,
	type VendorClient,
} from '../../shared/transport/vendorApi';

export const CREDENTIAL_TYPE = 'ciscoXaasBillingApi';

/** Cisco accepts at most this many invoice numbers or subscription ids per request. */
export const MAX_IDS_PER_REQUEST = 20;
/** A runaway guard: no honest query has this many pages of 20 invoices. */
const MAX_PAGES = 5000;

export interface CiscoClient extends VendorClient {
	/** the credential's CCO user name ('' with client credentials) and default BID */
	username: string;
	billingAddressId: string;
}

const CISCO: VendorApi = {
	name: 'Cisco',
	defaultBaseUrl: 'https://apx.cisco.com/ccw/api/v1.0',
	statusHints: {
		401: 'Cisco did not accept the access token even after fetching a new one: check the credential.',
		403: "The account may not be entitled to the CiscoXaaSBilling API: ask for access on Cisco's API portal.",
		404: "The usage API was not found: check the credential's API Base URL.",
		500: 'Cisco had a server error; it was retried within the timeout. Try again later.',
	},
};

export async function createCiscoClient(
	context: IExecuteFunctions,
	itemIndex: number,
	timeoutMinutes: number,
): Promise<CiscoClient> {
	const { client, credentials } = await createVendorClient(context, itemIndex, {
		api: CISCO,
		credentialType: CREDENTIAL_TYPE,
		timeoutMinutes,
	});
	return {
		...client,
		username:
			credentials.grantType === 'clientCredentials'
				? ''
				: String(credentials.username ?? '').trim(),
		billingAddressId: String(credentials.billingAddressId ?? '').trim(),
	};
}

/** Cisco's timestamp format: `YYYY-MM-DDTHH:MM:SS.000Z` (milliseconds always zero). */
function ciscoTimestamp(date: Date): string {
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
export async function requestUsageLinks(
	client: CiscoClient,
	query: UsageQuery,
): Promise<UsageLink[]> {
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
		const response = await vendorRequest<UsagePage>(
			client,
			{ method: 'POST', url: query.path, body, json: true },
			{ jsonBody: true },
		);
		if (response.statusCode < 200 || response.statusCode >= 300)
			throw ciscoApiError(client, response, uuid);
		const page = response.body as UsagePage;
		// A page without its list would read as "no invoices": a partial answer must not look empty.
		if (!Array.isArray(page.usageURLList)) {
			throw ciscoApiError(
				client,
				response,
				uuid,
				`Cisco answered page ${pageNumber} without its list of usage links (usageURLList)`,
			);
		}
		if (pageNumber === 1) {
			totalPage = Number(page.totalPage ?? 1);
			if (!Number.isInteger(totalPage) || totalPage < 0 || totalPage > MAX_PAGES) {
				throw ciscoApiError(
					client,
					response,
					uuid,
					`Cisco answered with ${String(page.totalPage)} as the number of pages`,
				);
			}
		}
		const receivedAt = new Date();
		for (const entry of page.usageURLList) {
			if (
				typeof entry.usageURL !== 'string' ||
				entry.invoiceNumber === undefined ||
				entry.invoiceNumber === null
			) {
				throw ciscoApiError(
					client,
					response,
					uuid,
					'Cisco listed an invoice without its number or usage URL',
				);
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

/**
 * Cisco's answer as a NodeApiError: its error code and message (the body's shape is not
 * documented, so any body is shown, shortened and without links), the request's uuid to
 * quote to Cisco, and what to do.
 */
function ciscoApiError(
	client: CiscoClient,
	response: HttpResponse,
	uuid: string,
	problem?: string,
): NodeApiError {
	const body = isJsonObject(response.body) ? (response.body as IDataObject) : {};
	const code = firstText(body, ['errorCode', 'code', 'error']);
	const vendorMessage = firstText(body, [
		'errorMessage',
		'message',
		'error_description',
		'description',
	]);
	const rawText =
		typeof response.body === 'string'
			? response.body
			: isJsonObject(response.body)
				? JSON.stringify(response.body)
				: '';
	const message =
		problem ??
		(vendorMessage
			? `Cisco: ${vendorMessage}${code ? ` (${code})` : ''}`
			: `Cisco answered HTTP ${response.statusCode}${rawText ? `: ${withoutUrls(rawText).slice(0, 200)}` : ''}`);
	// A success page that made no sense lists signed links: then only the uuid is kept.
	const shown = problem ? {} : (JSON.parse(withoutUrls(JSON.stringify(body))) as JsonObject);
	return vendorApiError(client, response.statusCode, {
		message,
		hint: code === undefined ? undefined : ERROR_HINTS[code],
		reference: `Request uuid: ${uuid}`,
		body: { ...shown, requestUuid: uuid },
	});
}

function firstText(body: IDataObject, keys: string[]): string | undefined {
	for (const key of keys) {
		const value = body[key];
		if (typeof value === 'string' && value.trim()) return withoutUrls(value.trim());
	}
	return undefined;
}
