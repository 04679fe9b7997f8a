import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type JsonObject,
} from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { isJsonObject, type HttpResponse } from '../../shared/transport/http';
import { ParameterRules } from '../../shared/n8n/parameters';
import { pollUntilFinished } from '../../shared/transport/poll';
import { downloadSignedFile } from '../../shared/transport/signedDownload';
import {
	createVendorClient,
	createVendorListClient,
	headerText,
	vendorApiError,
	vendorRequest,
} from '../../shared/transport/vendorApi';
import type { VendorApi, VendorClient, VendorContext } from '../../shared/transport/vendorApi';

/** Each choice of the Authentication parameter: its label, and the credential type it uses. */
const AUTHENTICATIONS = [
	['accessToken', 'Access Token', 'webexWholesaleApi'],
	['oAuth2', 'OAuth2', 'webexWholesaleOAuth2Api'],
] as const;

export const REPORTS_PATH = '/wholesale/billing/reports';

/** A Webex billing report as the API returns it. */
export interface WebexReport extends IDataObject {
	id: string;
	billingStartDate: string;
	billingEndDate: string;
	type?: string;
	reportType?: string;
	status?: string;
	tempDownloadURL?: string;
	errors?: Array<{ code?: number; description?: string }>;
}

export type WebexClient<Context extends VendorContext = IExecuteFunctions> = VendorClient<Context>;

const WEBEX: VendorApi = {
	name: 'Webex',
	defaultBaseUrl: 'https://webexapis.com/v1',
	statusHints: {
		401: 'Check the credential: the access token is missing, wrong or expired (personal access tokens last 12 hours).',
		403: 'The token must belong to a partner full administrator and carry the spark-admin:wholesale_billing_reports_read and _write scopes.',
		404: 'No report has this ID: it may have been deleted, or it belongs to another partner organisation.',
		409: 'A report for this period and type already exists. Set the "If a Report Exists" option to "Reuse" or "Recreate".',
		423: 'Webex kept the resource locked for longer than the timeout allows.',
		429: 'Webex kept rate-limiting the requests for longer than the timeout allows; try again later or raise the timeout.',
		500: 'Webex had a server error; it was retried within the timeout. Try again later.',
		504: 'Webex timed out; try again later or ask for fewer reports per page.',
	},
};

/** A client with the credential the node's Authentication parameter names. */
export async function createWebexClient(
	context: IExecuteFunctions,
	itemIndex: number,
	timeoutMinutes?: number,
): Promise<WebexClient> {
	const authentication = new ParameterRules(context, itemIndex).oneOf(
		context.getNodeParameter('authentication', itemIndex),
		'Authentication',
		AUTHENTICATIONS.map(([value, label]) => [value, label] as const),
	);
	return (
		await createVendorClient(context, itemIndex, {
			api: WEBEX,
			credentialType: credentialTypeOf(authentication),
			timeoutMinutes,
		})
	).client;
}

/** A client for the editor's report list. */
export async function createWebexListClient(
	context: ILoadOptionsFunctions,
): Promise<WebexClient<ILoadOptionsFunctions>> {
	return await createVendorListClient(context, {
		api: WEBEX,
		credentialType: credentialTypeOf(context.getNodeParameter('authentication', 'accessToken')),
	});
}

function credentialTypeOf(authentication: unknown): string {
	return (AUTHENTICATIONS.find(([value]) => value === authentication) ?? AUTHENTICATIONS[0])[2];
}

export function reportType(report: WebexReport): string | undefined {
	return report.type ?? report.reportType;
}

interface WebexRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** a path under the base URL, or a full URL Webex gave us (paging links) */
	url: string;
	qs?: IDataObject;
	body?: IDataObject;
}

/** Calls the Webex API, retrying what is transient; any error answer becomes a NodeApiError. */
export async function webexApiRequest<Body = IDataObject>(
	client: WebexClient<VendorContext>,
	request: WebexRequest,
): Promise<HttpResponse<Body>> {
	// Every answer but a delete's carries a report or a list of them.
	const response = await vendorRequest<Body>(
		client,
		{ ...request, json: true },
		{ jsonBody: request.method !== 'DELETE' },
	);
	if (response.statusCode >= 200 && response.statusCode < 300) return response;
	throw webexApiError(client, response);
}

function webexApiError(client: WebexClient<VendorContext>, response: HttpResponse): NodeApiError {
	const body = (isJsonObject(response.body) ? response.body : {}) as {
		message?: string;
		errors?: Array<{ description?: string; errorCode?: unknown }>;
		trackingId?: string;
	};
	const trackingId = body.trackingId ?? headerText(response.headers.trackingid);
	const vendorMessage =
		body.message ??
		body.errors?.find((error) => error.description)?.description ??
		`HTTP ${response.statusCode}`;
	const details = (body.errors ?? [])
		.map((error) => error.description ?? '')
		.filter((description) => description && description !== vendorMessage);
	return vendorApiError(client, response.statusCode, {
		message: `Webex: ${vendorMessage}`,
		details,
		reference: trackingId ? `Webex tracking ID: ${trackingId}` : '',
		body: { ...(body as JsonObject), trackingId: trackingId ?? null },
	});
}

/**
 * Lists reports, following the RFC 5988 `Link: rel="next"` URL exactly as given (the query
 * is not sent again), until `limit` reports are read or there are no more pages.
 */
export async function listReports(
	client: WebexClient,
	filters: IDataObject,
	limit = Infinity,
): Promise<WebexReport[]> {
	const reports: WebexReport[] = [];
	const pageSize = Math.min(100, Number.isFinite(limit) ? Math.max(1, limit) : 100);
	let page = await listReportsPage(client, { filters, pageSize });
	for (;;) {
		reports.push(...page.reports);
		if (reports.length >= limit || !page.nextPageUrl) break;
		page = await listReportsPage(client, { pageUrl: page.nextPageUrl });
	}
	return reports.slice(0, limit);
}

/** One page of the reports list: the first (with filters) or the one a Link URL points at. */
export async function listReportsPage(
	client: WebexClient<VendorContext>,
	page: { filters?: IDataObject; pageSize?: number } | { pageUrl: string },
): Promise<{ reports: WebexReport[]; nextPageUrl?: string }> {
	const request: WebexRequest =
		'pageUrl' in page
			? { method: 'GET', url: page.pageUrl }
			: { method: 'GET', url: REPORTS_PATH, qs: { ...page.filters, max: page.pageSize ?? 100 } };
	const response = await webexApiRequest<{ items?: WebexReport[] }>(client, request);
	return { reports: response.body?.items ?? [], nextPageUrl: nextPageUrl(response.headers.link) };
}

function nextPageUrl(linkHeader: unknown): string | undefined {
	const header = headerText(linkHeader);
	if (!header) return undefined;
	for (const part of header.split(/,(?=\s*<)/)) {
		const match = /<([^>]+)>\s*;(.*)/.exec(part.trim());
		if (match && /\brel\s*=\s*"?next"?/i.test(match[2])) return match[1];
	}
	return undefined;
}

/** The report's path under the base URL. */
export function reportPath(reportId: string): string {
	return `${REPORTS_PATH}/${encodeURIComponent(reportId)}`;
}

export async function getReport(client: WebexClient, reportId: string): Promise<WebexReport> {
	return (await webexApiRequest<WebexReport>(client, { method: 'GET', url: reportPath(reportId) }))
		.body;
}

/** Poll quickly at first (small reports finish in seconds), then settle at 30 s. */
const POLL_SCHEDULE_MS = [1000, 2000, 4000, 8000, 15000, 30000];

/**
 * Waits until the report is COMPLETED, reading it again on a widening schedule. Any status
 * other than COMPLETED or FAILED (IN_PROGRESS, or REQUESTED as seen in the wild) means
 * "still running". A FAILED report raises its errors[]; the deadline raises a timeout that
 * says what to do.
 */
export async function waitForReport(
	client: WebexClient,
	reportId: string,
	timeoutMinutes: number,
): Promise<WebexReport> {
	const report = await pollUntilFinished(client, {
		what: `Webex report ${reportId}`,
		read: async () => ({ state: await getReport(client, reportId) }),
		isFinished: (state) => state.status === 'COMPLETED' || state.status === 'FAILED',
		status: (state) => String(state.status ?? '') || 'not finished',
		scheduleMs: POLL_SCHEDULE_MS,
		timeoutMinutes,
		advice:
			'Webex needs longer to generate this report. Raise the "Timeout (Minutes)" option, or run the Download operation later with this report ID: the report keeps generating on Webex.',
	});
	if (report.status === 'FAILED') throw reportFailedError(client, report);
	return report;
}

/** The report once it is COMPLETED: waited for, or, when waiting was not asked for, refused while it is not. */
export async function readyReport(
	client: WebexClient,
	reportId: string,
	{ timeoutMinutes, waitForCompletion }: { timeoutMinutes: number; waitForCompletion: boolean },
): Promise<WebexReport> {
	if (waitForCompletion) return await waitForReport(client, reportId, timeoutMinutes);
	const report = await getReport(client, reportId);
	if (report.status === 'FAILED') throw reportFailedError(client, report);
	if (report.status !== 'COMPLETED') {
		throw new NodeOperationError(
			client.context.getNode(),
			`Webex report ${reportId} is not ready yet (status ${report.status})`,
			{
				itemIndex: client.itemIndex,
				description: "Turn on the 'Wait for Completion' option, or run the download again later",
			},
		);
	}
	return report;
}

/**
 * Streams a finished report's CSV into `consume` through its signed tempDownloadURL, never
 * with the token. A URL about to expire or refused by the file host is replaced by reading
 * the report again; `consume` is given the report whose URL it reads.
 */
export async function downloadReportFile<Result>(
	client: WebexClient,
	ready: WebexReport,
	consume: (body: Readable, report: WebexReport) => Promise<Result>,
): Promise<{ result: Result; report: WebexReport }> {
	let report = ready;
	const result = await downloadSignedFile(client.context, {
		what: `Webex report ${report.id}`,
		policy: client.policy,
		getUrl: async (refusal) => {
			if (refusal || isExpiring(report.tempDownloadURL))
				report = await getReport(client, report.id);
			if (!report.tempDownloadURL) {
				throw new NodeOperationError(
					client.context.getNode(),
					`Webex gave no download URL for report ${report.id}`,
					{
						itemIndex: client.itemIndex,
						description: `Its status is ${report.status}. Try again later.`,
					},
				);
			}
			return report.tempDownloadURL;
		},
		consume: async (body) => await consume(body, report),
	});
	return { result, report };
}

/** Refresh a signed URL this close to its Expires time rather than start a download that dies. */
const EXPIRY_MARGIN_MS = 60_000;

function isExpiring(url: string | undefined): boolean {
	if (!url) return true;
	let expires: number;
	try {
		expires = Number(new URL(url).searchParams.get('Expires'));
	} catch {
		// Unreadable: leave it to the URL check, which refuses it with a clear message.
		return false;
	}
	return Number.isFinite(expires) && expires > 0 && expires * 1000 - EXPIRY_MARGIN_MS < Date.now();
}

function reportFailedError(client: WebexClient, report: WebexReport): NodeApiError {
	const errors = report.errors ?? [];
	const listed = errors.map(
		(error) => `${error.code ?? 'error'}: ${error.description ?? 'no description'}`,
	);
	return new NodeApiError(
		client.context.getNode(),
		{ id: report.id, status: 'FAILED', errors } as unknown as JsonObject,
		{
			message: `Webex could not generate report ${report.id} (status FAILED)`,
			description: listed.length
				? `Webex reported: ${listed.join('; ')}. A failed report cannot be deleted; create one for another period or type, or ask Webex support with the report ID.`
				: 'Webex gave no reason. A failed report cannot be deleted; ask Webex support with the report ID.',
			itemIndex: client.itemIndex,
		},
	);
}

/** A report as an output item: the API's fields, the signed download URL only when asked. */
export function reportToJson(report: WebexReport, includeDownloadUrl: boolean): IDataObject {
	const { tempDownloadURL, ...fields } = report;
	return includeDownloadUrl && tempDownloadURL !== undefined
		? { ...fields, tempDownloadURL }
		: fields;
}
