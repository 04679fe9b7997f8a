/**
 * Partner Center invoices (specs/microsoft-partner-center-invoices.md): its own host and its own
 * token, from the app registration of the credential. n8n's OAuth2 keeps one token per
 * credential (the Graph one), so the node asks Microsoft Entra ID for the Partner Center token
 * itself, once per node run and item, and keeps it nowhere else (queue mode).
 */
import { randomUUID } from 'node:crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { sendWithRetry, type HttpResponse } from '../../shared/transport/http';
import type { RetryPolicy } from '../../shared/transport/retry';
import {
	createVendorClient,
	vendorApiError,
	vendorRequest,
	type VendorApi,
	type VendorClient,
} from '../../shared/transport/vendorApi';
import { CREDENTIAL_TYPE } from './index';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';
/** Invoices asked for per page; Partner Center may send fewer. */
const PAGE_SIZE = 100;
/** A collection that keeps announcing more pages than this is not followed further. */
const MAX_PAGES = 1000;

const PARTNER_CENTER: VendorApi = {
	name: 'Partner Center',
	baseUrlField: 'partnerCenterBaseUrl',
	defaultBaseUrl: 'https://api.partnercenter.microsoft.com/v1',
	statusHints: {
		400: 'Check the parameters.',
		401: "Partner Center refused the token: the app registration needs the Partner Center API with admin consent, and the credential's Partner Center Base URL must be Partner Center's.",
		403: 'The app or user needs access to billing in Partner Center (an admin or billing admin role for a user).',
		404: 'Partner Center has no such invoice for this partner.',
		429: 'Partner Center kept throttling the requests for longer than the timeout allows; try again later.',
		500: 'Partner Center had a server error; it was retried within the timeout.',
	},
};

export interface PartnerCenterClient extends VendorClient {
	bearerToken: string;
	delegated: boolean;
	/** one per node run and item: Microsoft groups the requests of one logical operation by it */
	correlationId: string;
}

/** An invoice as Partner Center writes it; the signed PDF link is taken out before output. */
export type Invoice = IDataObject & { id?: string; invoiceDate?: string; pdfDownloadLink?: string };

/** A client with its Partner Center token; `timeoutMinutes` bounds the token request too. */
export async function createPartnerCenterClient(
	context: IExecuteFunctions,
	itemIndex: number,
	timeoutMinutes: number,
): Promise<PartnerCenterClient> {
	const { client, credentials } = await createVendorClient(context, itemIndex, {
		api: PARTNER_CENTER,
		credentialType: CREDENTIAL_TYPE,
		timeoutMinutes,
	});
	const bearerToken = await requestPartnerCenterToken(
		context,
		itemIndex,
		credentials,
		client.policy,
	);
	return {
		...client,
		bearerToken,
		delegated: credentials.grantType === 'authorizationCode',
		correlationId: randomUUID(),
	};
}

/**
 * A Partner Center token from the credential's app registration: client credentials, or (for
 * the authorization-code grant) the user's refresh token, which Entra ID redeems for any API
 * the app was consented for.
 */
export async function requestPartnerCenterToken(
	context: IExecuteFunctions,
	itemIndex: number,
	credentials: IDataObject,
	policy: RetryPolicy,
): Promise<string> {
	const loginBaseUrl = String(
		credentials.loginBaseUrl || 'https://login.microsoftonline.com',
	).replace(/\/+$/, '');
	const tokenUrl = `${loginBaseUrl}/${encodeURIComponent(String(credentials.tenantId ?? '').trim())}/oauth2/v2.0/token`;
	const form = new URLSearchParams({
		client_id: String(credentials.clientId ?? ''),
		client_secret: String(credentials.clientSecret ?? ''),
	});
	if (credentials.grantType === 'authorizationCode') {
		const refreshToken = (credentials.oauthTokenData as IDataObject | undefined)?.refresh_token;
		if (typeof refreshToken !== 'string' || !refreshToken) {
			throw new NodeOperationError(
				context.getNode(),
				'The credential has no signed-in user yet, so no Partner Center token can be asked for',
				{
					itemIndex,
					description:
						"Open the credential and click 'Connect my account' (the app needs offline_access), or use the client-credentials grant.",
				},
			);
		}
		form.set('grant_type', 'refresh_token');
		form.set('refresh_token', refreshToken);
		form.set('scope', `${PARTNER_CENTER_SCOPE} offline_access`);
	} else {
		form.set('grant_type', 'client_credentials');
		form.set('scope', PARTNER_CENTER_SCOPE);
	}
	const response = await sendWithRetry<IDataObject>(
		context,
		{
			method: 'POST',
			url: tokenUrl,
			body: form.toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			json: true,
		},
		{ policy },
	);
	const token = response.body?.access_token;
	if (response.statusCode === 200 && typeof token === 'string' && token) return token;
	const body = (
		typeof response.body === 'object' && response.body !== null ? response.body : {}
	) as IDataObject;
	const reason = String(
		body.error_description ?? body.error ?? `HTTP ${response.statusCode}`,
	).split(/\r?\n/)[0];
	throw new NodeApiError(
		context.getNode(),
		{ error: body.error ?? null, error_codes: body.error_codes ?? null } as JsonObject,
		{
			message: `Microsoft Entra ID issued no token for Partner Center: ${reason}`,
			description:
				'The app registration needs the Partner Center API (Microsoft Partner Center, user_impersonation) with admin consent, and the tenant, client ID and secret of the credential must be right.',
			httpCode: String(response.statusCode),
			itemIndex,
		},
	);
}

/** GET on Partner Center with a fresh MS-RequestId, retrying what is transient. */
async function partnerCenterGet<Body = IDataObject>(
	client: PartnerCenterClient,
	url: string,
	extraHeaders: Record<string, string> = {},
): Promise<HttpResponse<Body>> {
	const requestId = randomUUID();
	const response = await vendorRequest<Body>(
		client,
		{
			method: 'GET',
			url,
			json: true,
			headers: {
				...extraHeaders,
				accept: 'application/json',
				'MS-RequestId': requestId,
				'MS-CorrelationId': client.correlationId,
			},
		},
		{ jsonBody: true },
	);
	if (response.statusCode >= 200 && response.statusCode < 300) return response;
	throw partnerCenterApiError(client, response, requestId);
}

function partnerCenterApiError(
	client: PartnerCenterClient,
	response: HttpResponse,
	requestId: string,
): NodeApiError {
	const body = (
		typeof response.body === 'object' && response.body !== null ? response.body : {}
	) as IDataObject;
	const code = body.code ?? body.errorCode;
	const text = body.description ?? body.message ?? `HTTP ${response.statusCode}`;
	return vendorApiError(client, response.statusCode, {
		message: `Partner Center: ${String(text)}${code !== undefined && code !== null ? ` (code ${String(code)})` : ''}`,
		reference: `Quote MS-RequestId ${requestId} and MS-CorrelationId ${client.correlationId} to Microsoft support.`,
		body: body as JsonObject,
	});
}

interface InvoiceCollection extends IDataObject {
	totalCount?: number;
	items?: Invoice[];
	links?: { next?: { uri?: string; headers?: Array<{ key?: string; value?: string }> } };
}

/**
 * Every invoice, page by page: `links.next` when Partner Center sends one, else the next
 * offset until `totalCount` (which of the two it does is unconfirmed).
 */
export async function listInvoices(client: PartnerCenterClient): Promise<Invoice[]> {
	const invoices: Invoice[] = [];
	let url = `/invoices?size=${PAGE_SIZE}&offset=0`;
	let headers: Record<string, string> = {};
	for (let page = 0; page < MAX_PAGES; page++) {
		const body = (await partnerCenterGet<InvoiceCollection>(client, url, headers)).body;
		const items = Array.isArray(body.items) ? body.items : [];
		invoices.push(...items);
		const next = body.links?.next;
		if (next?.uri) {
			url = nextPageUrl(client, next.uri);
			headers = Object.fromEntries(
				(next.headers ?? [])
					.filter((header) => header.key)
					.map((header) => [String(header.key), String(header.value ?? '')]),
			);
			continue;
		}
		if (
			items.length === 0 ||
			typeof body.totalCount !== 'number' ||
			invoices.length >= body.totalCount
		)
			return invoices;
		url = `/invoices?size=${PAGE_SIZE}&offset=${invoices.length}`;
		headers = {};
	}
	throw new NodeOperationError(
		client.context.getNode(),
		`Partner Center announced more than ${MAX_PAGES} pages of invoices`,
		{ itemIndex: client.itemIndex },
	);
}

/** A next link is absolute, or relative to the API's version root (`/invoices?…`) or to the host (`/v1/invoices?…`). */
function nextPageUrl(client: PartnerCenterClient, uri: string): string {
	if (/^https?:\/\//i.test(uri)) return uri;
	const base = new URL(client.baseUrl);
	const path = uri.startsWith('/') ? uri : `/${uri}`;
	return path.startsWith(`${base.pathname}/`)
		? `${base.origin}${path}`
		: `${client.baseUrl}${path}`;
}

export async function getInvoice(client: PartnerCenterClient, invoiceId: string): Promise<Invoice> {
	try {
		return (await partnerCenterGet<Invoice>(client, `/invoices/${encodeURIComponent(invoiceId)}`))
			.body;
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '403' && !client.delegated) {
			throw new NodeApiError(client.context.getNode(), {} as JsonObject, {
				message: `Partner Center refused to read invoice ${invoiceId} with an app-only token: Microsoft documents Get Invoice for app+user tokens only`,
				description:
					`Use Get Many (it works app-only and outputs the same invoice fields, without the PDF link), or switch the credential's Grant Type to Authorization Code (Delegated) and sign in as a partner billing admin. ${error.description ?? ''}`.trim(),
				httpCode: '403',
				itemIndex: client.itemIndex,
			});
		}
		throw error;
	}
}

/**
 * The invoice as output: Partner Center's own field names, but the signed PDF link (a bearer
 * secret for 30 minutes) only as whether there is one, in amendments too.
 */
export function invoiceToJson(invoice: Invoice): IDataObject {
	const { pdfDownloadLink, amendments, ...fields } = invoice;
	const json: IDataObject = { ...fields };
	if (Array.isArray(amendments))
		json.amendments = (amendments as Invoice[]).map((amendment) => invoiceToJson(amendment));
	if (pdfDownloadLink !== undefined) json.hasPdfDownloadLink = Boolean(pdfDownloadLink);
	return json;
}
