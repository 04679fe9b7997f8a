/**
 * Microsoft Graph partner billing emulator: mounts `/graph/v1.0` (API), `/partnercenter/v1`
 * (Partner Center invoices) and `/login` (Microsoft identity platform token/authorize
 * endpoints for both), starts Azurite for the export blobs, and returns
 * the object exposed as `sandbox.graph`. Opt-in: `startSandbox({ graph: {...} })`.
 */

import { randomUUID } from 'crypto';
import http from 'http';
import { startAzurite } from './azurite';
import { BlobWriter } from './blobs';
import { GraphAuth } from './auth';
import { OperationStore } from './store';
import { GraphApi, graphErrorBody, graphHeaders, statusError } from './routes';
import { getDataset, resolvePeriod } from './data';
import {
	PARTNER_CENTER_DEFAULTS,
	PARTNER_CENTER_PREFIX,
	PartnerCenterApi,
	type PartnerCenterOptions,
} from './partnerCenter';
import { withLiveOptions, type RequestContext, type SandboxServer } from '../server';
import type { Operation, UploadResult } from './store';

const API_PREFIX = '/graph/v1.0';
const LOGIN_PREFIX = '/login';
const BLOB_PREFIX = '/graph-blobs';

export interface GraphOptions extends PartnerCenterOptions {
	/** notStarted/running time of an export (default 500); also until its blobs are uploaded */
	operationDelayMs: number;
	/** Retry-After while running (default 1) */
	retryAfterSeconds: number;
	/** manifest inline as resourceLocation (default) or behind resourceLocation@odata.navigationLink */
	manifestStyle: 'inline' | 'navigationLink';
	/** status of a successful operation (default 'succeeded') */
	successStatus: 'succeeded' | 'completed';
	/** operations and manifests answer 410 after this (default 24 h) */
	operationTtlMs: number;
	/** lifetime of each SAS handed out (default 3600; negative = already expired) */
	sasTtlSeconds: number;
	/** bench: usage exports have exactly this many lines (streamed into blobs) */
	scaleLineItems: number | undefined;
	/** lines per blob (default 500; 250000 with scaleLineItems) */
	linesPerBlob: number | undefined;
	/** consecutive blobs sharing a partitionValue (default 2) */
	blobsPerPartition: number;
	clientId: string;
	clientSecret: string;
	/** a static bearer token that is always valid */
	accessToken: string;
	/** expires_in of issued tokens (default 3599) */
	accessTokenTtlSeconds: number;
	/** delegated refresh tokens (default 7776000 = 90 days) */
	refreshTokenTtlSeconds: number;
}

const DEFAULTS: GraphOptions = Object.freeze({
	...PARTNER_CENTER_DEFAULTS,
	operationDelayMs: 500,
	retryAfterSeconds: 1,
	manifestStyle: 'inline',
	successStatus: 'succeeded',
	operationTtlMs: 24 * 3600 * 1000,
	sasTtlSeconds: 3600,
	scaleLineItems: undefined,
	linesPerBlob: undefined,
	blobsPerPartition: 2,
	clientId: '6a0f9d4e-5b0c-4c1e-9d7a-5a1d0c0ffee1',
	clientSecret: 'graph-sandbox-secret~0000',
	accessToken: 'graph-sandbox-access-token',
	accessTokenTtlSeconds: 3599,
	refreshTokenTtlSeconds: 7776000,
});

/** Start Azurite and mount the Graph routes. */
export async function createGraph(
	server: SandboxServer,
	config: { seed: number; options?: Partial<GraphOptions> },
) {
	const seed = config.seed;
	const options: GraphOptions = { ...DEFAULTS, ...(config.options || {}) };
	const initialOptions = { ...options };
	const dataset = getDataset(seed);
	const azurite = await startAzurite();
	const writer = new BlobWriter(azurite);
	const store = new OperationStore({ seed, options, writer: () => writer });
	const auth = new GraphAuth(
		withLiveOptions(
			{ tenantId: dataset.partner.tenantId, tenantDomain: dataset.partner.domain },
			options,
			[
				'clientId',
				'clientSecret',
				'accessToken',
				'accessTokenTtlSeconds',
				'refreshTokenTtlSeconds',
			],
		),
	);
	/** every SAS token handed out, oldest first */
	const sasTokens: string[] = [];

	const manifests = {
		/** The manifest of a succeeded operation, with a freshly signed SAS. */
		manifest(op: Operation) {
			const result = (op.upload && op.upload.result) as UploadResult;
			const sasToken = writer.sas(result.container, options.sasTtlSeconds);
			sasTokens.push(sasToken);
			return {
				'@odata.type': '#microsoft.graph.partners.billing.manifest',
				id: op.manifestId,
				schemaVersion: '2',
				dataFormat: 'compressedJSON',
				createdDateTime: new Date(op.lastActionMs).toISOString(),
				eTag: op.eTag,
				partnerTenantId: dataset.partner.tenantId,
				// [sandbox] Blobs are reached through the sandbox's blob proxy, so its fault
				// injection (resets mid-blob, 5xx) applies to storage traffic too.
				rootDirectory: `${server.url}${BLOB_PREFIX}${new URL(writer.rootDirectory(result.container, result.directory)).pathname}`,
				sasToken,
				partitionType: 'default',
				blobCount: result.blobs.length,
				blobs: result.blobs.map((b) => ({ ...b })),
			};
		},
	};
	const api = new GraphApi({ server, store, auth, manifests, prefix: API_PREFIX, options });
	const partnerCenter = new PartnerCenterApi({ server, auth, seed, options });
	partnerCenter.mount();

	server.mount({
		vendor: 'graph',
		prefix: API_PREFIX,
		classify: (pathname) => ({ kind: 'api', path: pathname.slice(API_PREFIX.length) || '/' }),
		handle: (ctx) => api.handle(ctx),
		faultResponse(status, ctx) {
			const requestId = randomUUID();
			const [code, message] = statusError(status);
			return {
				body: JSON.stringify(graphErrorBody(code, message, requestId)),
				headers: {
					'content-type': 'application/json;charset=UTF-8',
					...graphHeaders(ctx.req.headers, requestId),
				},
			};
		},
	});
	server.mount({
		vendor: 'graph',
		prefix: BLOB_PREFIX,
		classify: (pathname) => ({ kind: 'blob', path: pathname.slice(BLOB_PREFIX.length) }),
		handle: (ctx) => proxyToAzurite(ctx, azurite),
		faultResponse: (status) => storageError(status),
	});
	server.mount({
		vendor: 'graph',
		prefix: LOGIN_PREFIX,
		classify: (pathname) => ({ kind: 'token', path: pathname }),
		handle: (ctx) => auth.handle(ctx),
		faultResponse(status) {
			const id = randomUUID();
			const error =
				status === 429
					? 'temporarily_unavailable'
					: status >= 500
						? 'server_error'
						: 'invalid_request';
			return {
				body: JSON.stringify({
					error,
					error_description: `AADSTS50196: HTTP ${status}. Trace ID: ${id}`,
					error_codes: [50196],
					trace_id: id,
					correlation_id: id,
				}),
				headers: { 'content-type': 'application/json; charset=utf-8' },
			};
		},
	});

	const periodKey = (
		which: string | { invoiceId?: string; billingPeriod?: string; currencyCode?: string },
	) => {
		if (typeof which === 'string')
			return which.startsWith('unbilled:')
				? which
				: (resolvePeriod(seed, { invoiceId: which }) || { key: which }).key;
		const p = resolvePeriod(seed, which);
		if (!p) throw new Error(`no data for ${JSON.stringify(which)}`);
		return p.key;
	};

	const facadeFields = {
		/** `${url}/graph/v1.0`: what the credential's graphBaseUrl should be. */
		get baseUrl() {
			return `${server.url}${API_PREFIX}`;
		},
		/** `${url}/login`: what the credential's loginBaseUrl should be. */
		get loginBaseUrl() {
			return `${server.url}${LOGIN_PREFIX}`;
		},
		get tokenUrl() {
			return `${server.url}${LOGIN_PREFIX}/${dataset.partner.tenantId}/oauth2/v2.0/token`;
		},
		get authorizeUrl() {
			return `${server.url}${LOGIN_PREFIX}/${dataset.partner.tenantId}/oauth2/v2.0/authorize`;
		},
		/** `${url}/partnercenter/v1`: what the credential's partnerCenterBaseUrl should be. */
		get partnerCenterBaseUrl() {
			return `${server.url}${PARTNER_CENTER_PREFIX}`;
		},
		/** The invoices Partner Center lists now, oldest first (options.unissuedInvoices left out). */
		partnerCenterInvoices: () => partnerCenter.issued(),
		/** Every access token the token endpoint issued, Graph and Partner Center (tests assert none leaks). */
		issuedAccessTokens: () => [...auth.accessTokens.keys()],
		/** Every signed invoice PDF link handed out (tests assert none leaks). */
		pdfLinks: () => [...partnerCenter.pdfLinks],
		/** The partner tenant id (tenantId of the credential). */
		tenantId: dataset.partner.tenantId,
		scope: 'https://graph.microsoft.com/.default',
		/** Azurite's blob endpoint (`http://127.0.0.1:PORT/devstoreaccount1`). */
		blobEndpoint: azurite.blobEndpoint,
		azurite: { port: azurite.port, pid: azurite.pid, running: () => azurite.running() },
		/** Live options: changes apply to the next request. */
		options,
		/** id -> operation (state computed lazily). */
		operations: store.operations,
		/** The seeded partner, customers, subscriptions and invoices. */
		dataset,
		seed,
		/**
		 * The next export started through the API ends failed with this error
		 * (default code '500' "The export failed.").
		 */
		failNextOperation: (error: { code?: string | number; message?: string } = {}) => {
			store.failNext = {
				code: String(error.code ?? '500'),
				message: error.message ?? 'The export failed.',
			};
		},
		/** The operation (and its manifest) answers 410 Gone from now on; no id = every operation so far. */
		expireOperation: (id?: string) => {
			if (id === undefined) {
				for (const op of store.operations.values()) op.expired = true;
				return;
			}
			const op = store.operations.get(id);
			if (!op) throw new Error(`unknown operation ${id}`);
			op.expired = true;
		},
		/**
		 * Pretend Microsoft republished the data: exports started from now on get a new eTag (and
		 * new blobs). An invoice id, 'unbilled:current:USD', or { billingPeriod, currencyCode }.
		 */
		touchData: (
			which: string | { invoiceId?: string; billingPeriod?: string; currencyCode?: string },
		) => store.touch(periodKey(which)),
		/** The SAS token of the most recent manifest (tests assert it never leaks into outputs). */
		lastSasToken: () => sasTokens[sasTokens.length - 1],
		/** Every SAS token handed out so far. */
		sasTokens: () => [...sasTokens],
		/** Expire every access token issued so far (the static accessToken stays valid). */
		expireAccessTokens: () => auth.expireAccessTokens(),
		/** Wait until every upload started so far has finished (blobs exist). */
		idle: () => store.idle(),
		/** Stop Azurite (startSandbox's stop() calls this). */
		close: () => azurite.stop(),
	};
	// accessToken: a static bearer token that is always valid.
	const facade = withLiveOptions(facadeFields, options, [
		'clientId',
		'clientSecret',
		'accessToken',
	]);

	server.addVendor({
		name: 'graph',
		reset() {
			store.clear();
			auth.clear();
			sasTokens.length = 0;
			partnerCenter.pdfLinks.length = 0;
			Object.assign(options, initialOptions);
		},
	});
	return facade;
}

/** [sandbox] Error codes Azure Storage answers with, by status (others: the status text). */
const STORAGE_ERROR_CODES: Record<number, [string, string]> = {
	403: [
		'AuthenticationFailed',
		'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
	],
	404: ['BlobNotFound', 'The specified blob does not exist.'],
	500: ['InternalError', 'The server encountered an internal error. Please retry the request.'],
	503: [
		'ServerBusy',
		'The server is currently unable to receive requests. Please retry your request.',
	],
};

/**
 * A status fault on blob storage answers as Azure Storage does: an XML error body and the
 * code in `x-ms-error-code` (which is what @azure/storage-blob reports).
 */
function storageError(status: number) {
	const [code, message] = STORAGE_ERROR_CODES[status] || [
		(http.STATUS_CODES[status] || 'Error').replace(/[^A-Za-z]/g, ''),
		`HTTP ${status}`,
	];
	const requestId = randomUUID();
	return {
		body: `\ufeff<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`,
		headers: {
			'content-type': 'application/xml',
			'x-ms-error-code': code,
			'x-ms-request-id': requestId,
		},
	};
}

/**
 * Forwards a blob request to Azurite unchanged (path, query with the SAS, headers) and
 * streams the answer back. Storage needs no bearer token: one sent here is a violation.
 */
function proxyToAzurite(ctx: RequestContext, azurite: { blobEndpoint: string }): Promise<void> {
	const target = new URL(azurite.blobEndpoint);
	if (ctx.req.headers.authorization) {
		ctx.server.violation(
			`Authorization header sent to blob storage: ${ctx.req.method} ${ctx.path}`,
		);
	}
	const search = ctx.url.search || '';
	return new Promise((resolve) => {
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				method: ctx.req.method,
				path: `${ctx.path}${search}`,
				headers: { ...ctx.req.headers, host: target.host },
			},
			(answer) => {
				ctx.res.writeHead(answer.statusCode || 502, answer.headers);
				answer.pipe(ctx.res);
				answer.on('end', () => resolve());
				answer.on('error', () => resolve());
				ctx.res.on('close', () => {
					answer.destroy();
					resolve();
				});
			},
		);
		upstream.on('error', () => {
			if (!ctx.res.headersSent) ctx.res.writeHead(502);
			ctx.res.end();
			resolve();
		});
		upstream.end(ctx.rawBody && ctx.rawBody.length ? ctx.rawBody : undefined);
	});
}

/** `sandbox.graph`, when the Graph part runs. */
export type GraphSandbox = Awaited<ReturnType<typeof createGraph>>;
