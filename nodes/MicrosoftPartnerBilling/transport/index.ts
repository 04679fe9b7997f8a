import { randomUUID } from 'node:crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type JsonObject,
} from 'n8n-workflow';

import type { HttpResponse } from '../../shared/transport/http';
import { ParameterRules } from '../../shared/n8n/parameters';
import { pollUntilFinished } from '../../shared/transport/poll';
import { parseRetryAfter } from '../../shared/transport/retry';
import {
	createVendorClient,
	headerText,
	vendorApiError,
	vendorRequest,
	type VendorApi,
	type VendorClient,
} from '../../shared/transport/vendorApi';

export const CREDENTIAL_TYPE = 'microsoftPartnerBillingOAuth2Api';
export const BILLING_PATH = '/reports/partners/billing';

export type Dataset =
	| 'billedUsage'
	| 'unbilledUsage'
	| 'billedReconciliation'
	| 'unbilledReconciliation';

export const DATASET_PATHS: Record<Dataset, string> = {
	billedUsage: 'usage/billed/export',
	unbilledUsage: 'usage/unbilled/export',
	billedReconciliation: 'reconciliation/billed/export',
	unbilledReconciliation: 'reconciliation/unbilled/export',
};

export interface ExportRequest {
	dataset: Dataset;
	attributeSet: 'full' | 'basic';
	invoiceId?: string;
	billingPeriod?: 'current' | 'last';
	currencyCode?: string;
}

/** What an invoice ID may be (G012345678): it goes into Graph's and Partner Center's paths. */
export const isInvoiceId = (text: string) => /^[A-Za-z0-9-]{1,64}$/.test(text);
/** The rule isInvoiceId checks, as the messages of both resources say it. */
export const INVOICE_ID_RULE =
	'must be a Microsoft invoice number such as G012345678 (letters and digits)';

export const isBilled = (dataset: Dataset) =>
	dataset === 'billedUsage' || dataset === 'billedReconciliation';

export type GraphClient = VendorClient;

const GRAPH: VendorApi = {
	name: 'Microsoft Graph',
	tokenHolder: 'Graph',
	baseUrlField: 'graphBaseUrl',
	defaultBaseUrl: 'https://graph.microsoft.com/v1.0',
	statusHints: {
		400: 'Check the export parameters.',
		401: 'Check the credential: tenant, client ID and secret, and that the token is for Microsoft Graph.',
		403: 'The app or user needs the PartnerBilling.Read.All permission with admin consent, in the partner (CSP) tenant.',
		404: 'Microsoft has nothing for these inputs (billed data exists for invoices from September 2023 on).',
		429: 'Microsoft kept throttling the requests for longer than the timeout allows; try again later.',
		500: 'Microsoft Graph had a server error; it was retried within the timeout.',
	},
};

export interface Manifest extends IDataObject {
	id?: string;
	eTag?: string;
	rootDirectory: string;
	sasToken: string;
	blobCount?: number;
	blobs: Array<{ name: string; partitionValue?: string }>;
}

export interface Operation extends IDataObject {
	id?: string;
	status?: string;
	'@odata.type'?: string;
	error?: { code?: string; message?: string };
	resourceLocation?: Manifest;
	'resourceLocation@odata.navigationLink'?: string;
}

export async function createGraphClient(
	context: IExecuteFunctions,
	itemIndex: number,
	timeoutMinutes?: number,
): Promise<GraphClient> {
	return (
		await createVendorClient(context, itemIndex, {
			api: GRAPH,
			credentialType: CREDENTIAL_TYPE,
			timeoutMinutes,
		})
	).client;
}

/** Thrown for 410 Gone: the operation or manifest link expired and the export must start again. */
export class OperationExpiredError extends Error {
	constructor() {
		super('The export operation has expired (HTTP 410 Gone)');
		this.name = 'OperationExpiredError';
	}
}

/**
 * Calls Graph with a fresh client-request-id (quoted in errors, as Microsoft support asks),
 * retrying what is transient. Links Graph returns are followed only on the Graph host.
 */
export async function graphRequest<Body = IDataObject>(
	client: GraphClient,
	{ method, url, body }: { method: IHttpRequestMethods; url: string; body?: IDataObject },
): Promise<HttpResponse<Body>> {
	const clientRequestId = randomUUID();
	const response = await vendorRequest<Body>(
		client,
		{ method, url, body, json: true, headers: { 'client-request-id': clientRequestId } },
		// Reads answer an operation or a manifest; starting an export answers 202 with no body.
		{ jsonBody: method === 'GET' },
	);
	if (response.statusCode >= 200 && response.statusCode < 300) return response;
	if (response.statusCode === 410) throw new OperationExpiredError();
	throw graphApiError(client, response, clientRequestId);
}

function graphApiError(
	client: GraphClient,
	response: HttpResponse,
	clientRequestId: string,
): NodeApiError {
	const error = ((response.body as IDataObject)?.error ?? {}) as {
		code?: string;
		message?: string;
		innerError?: { 'request-id'?: string };
	};
	const requestId = error.innerError?.['request-id'] ?? headerText(response.headers['request-id']);
	const ids = [requestId ? `request-id ${requestId}` : '', `client-request-id ${clientRequestId}`]
		.filter(Boolean)
		.join(', ');
	return vendorApiError(client, response.statusCode, {
		message: `Microsoft Graph: ${error.message ?? `HTTP ${response.statusCode}`}${error.code ? ` (${error.code})` : ''}`,
		reference: `Quote ${ids} to Microsoft support.`,
		body: (response.body ?? {}) as JsonObject,
	});
}

/** The fields Graph documents for the request's dataset, and only those. */
export function exportFields(request: ExportRequest): IDataObject {
	return isBilled(request.dataset)
		? { invoiceId: request.invoiceId, attributeSet: request.attributeSet }
		: {
				billingPeriod: request.billingPeriod,
				currencyCode: request.currencyCode,
				attributeSet: request.attributeSet,
			};
}

/** Starts an export with its dataset's fields; Graph answers 202 with the operation's URL in Location. */
export async function startExport(client: GraphClient, request: ExportRequest): Promise<string> {
	const body = exportFields(request);
	const response = await graphRequest(client, {
		method: 'POST',
		url: `${BILLING_PATH}/${DATASET_PATHS[request.dataset]}`,
		body,
	});
	const location = headerText(response.headers.location);
	if (!location) {
		throw new NodeOperationError(
			client.context.getNode(),
			'Microsoft Graph accepted the export but gave no operation URL (Location header)',
			{
				itemIndex: client.itemIndex,
			},
		);
	}
	return location;
}

/**
 * The operation's URL from its ID or its full URL. A URL must point at the credential's
 * Graph: the access token goes with the request.
 */
export function operationUrl(client: GraphClient, operationId: string): string {
	if (!/^https?:\/\//i.test(operationId))
		return `${client.baseUrl}${BILLING_PATH}/operations/${encodeURIComponent(operationId)}`;
	let origin: string | undefined;
	try {
		origin = new URL(operationId).origin;
	} catch {
		origin = undefined;
	}
	if (origin !== new URL(client.baseUrl).origin) {
		throw new ParameterRules(client.context, client.itemIndex).refuse(
			'Operation ID',
			`must be an operation ID, or an operation URL on ${new URL(client.baseUrl).host} (the credential's Graph Base URL)`,
			operationId,
		);
	}
	return operationId;
}

export function operationIdOf(url: string): string {
	return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
}

export interface OperationState {
	operation: Operation;
	retryAfterMs?: number;
}

export async function getOperation(client: GraphClient, url: string): Promise<OperationState> {
	const response = await graphRequest<Operation>(client, { method: 'GET', url });
	return {
		operation: response.body ?? {},
		retryAfterMs: parseRetryAfter(response.headers['retry-after']),
	};
}

const SUCCEEDED = new Set(['succeeded', 'completed']);

export function isSucceeded(operation: Operation): boolean {
	return SUCCEEDED.has(String(operation.status).toLowerCase());
}

export function isFailed(operation: Operation): boolean {
	return String(operation.status).toLowerCase() === 'failed';
}

/** Code 5000 in a failed operation means "no data for this period": an empty result, not a fault. */
export function isNoData(operation: Operation): boolean {
	return isFailed(operation) && String(operation.error?.code) === '5000';
}

/** How long to wait between reads when Graph names no Retry-After. */
const DEFAULT_POLL_MS = 10_000;

/**
 * Waits while the operation is notStarted or running, sleeping exactly as long as each
 * answer's Retry-After asks. Returns the finished (succeeded or failed) operation.
 */
export async function waitForOperation(
	client: GraphClient,
	url: string,
	timeoutMinutes: number,
): Promise<Operation> {
	return await pollUntilFinished(client, {
		what: `The Microsoft export ${operationIdOf(url)}`,
		read: async () => {
			const { operation, retryAfterMs } = await getOperation(client, url);
			return { state: operation, retryAfterMs };
		},
		isFinished: (operation) => isSucceeded(operation) || isFailed(operation),
		status: (operation) => operation.status ?? 'running',
		scheduleMs: [DEFAULT_POLL_MS],
		timeoutMinutes,
		advice:
			'Exports usually take 1–15 minutes. Raise the "Timeout (Minutes)" option, or run Download later with this operation ID.',
	});
}

export function operationFailedError(client: GraphClient, operation: Operation): NodeApiError {
	const code = operation.error?.code ?? 'unknown';
	return new NodeApiError(
		client.context.getNode(),
		{ id: operation.id ?? null, status: 'failed', error: operation.error ?? null } as JsonObject,
		{
			message: `Microsoft could not produce the export: ${operation.error?.message ?? 'no reason given'} (code ${code})`,
			description: `Operation ${operation.id ?? ''} failed with code ${code}.`,
			itemIndex: client.itemIndex,
		},
	);
}

/** The manifest of a succeeded operation, inline or behind its navigation link. */
export async function readManifest(client: GraphClient, operation: Operation): Promise<Manifest> {
	if (operation.resourceLocation) return operation.resourceLocation;
	const link = operation['resourceLocation@odata.navigationLink'];
	if (!link) {
		throw new NodeOperationError(
			client.context.getNode(),
			'The finished export has no manifest (resourceLocation)',
			{
				itemIndex: client.itemIndex,
			},
		);
	}
	const url = link.startsWith('http')
		? link
		: `${client.baseUrl}${link.startsWith('/') ? '' : '/'}${link}`;
	return (await graphRequest<Manifest>(client, { method: 'GET', url })).body;
}

/** `${rootDirectory}/${name}?${sasToken}`, normalising the slash and question mark. */
export function blobUrl(manifest: Manifest, name: string): string {
	const root = manifest.rootDirectory.replace(/\/+$/, '');
	const sas = manifest.sasToken.replace(/^\?/, '');
	return `${root}/${name.replace(/^\/+/, '')}?${sas}`;
}
