/**
 * Microsoft Graph partner billing API under `/graph/v1.0`:
 *   POST /reports/partners/billing/{usage|reconciliation}/{billed|unbilled}/export  -> 202 + Location
 *   GET  /reports/partners/billing                      (the billing entity; credential test)
 *   GET  /reports/partners/billing/operations/{id}
 *   GET  /reports/partners/billing/manifests/{id}
 *
 * [spec] bodies, 202 without body + Location, operation types and states, Retry-After while
 * running, manifest fields, 410 for expired links, error body
 * `{"error":{"code","message","innerError":{"request-id","date"}}}`.
 * [sandbox] validation messages and codes ('BadRequest', 'UnsupportedMediaType', ...); a
 * `request-id` header on every response and `client-request-id` echoed when sent; a GET of an
 * operation sooner than the Retry-After of the previous answer is recorded as a violation.
 */

import { randomUUID } from 'crypto';
import { sendJson } from '../server';
import type { GraphDataset } from './data';
import type { IncomingHttpHeaders } from 'http';
import type { Operation, OperationStore } from './store';
import type { RequestContext, SandboxServer } from '../server';
import type { GraphAuth } from './auth';

const BILLING = '/reports/partners/billing';

const EXPORTS: Record<string, GraphDataset> = {
	[`${BILLING}/usage/billed/export`]: 'billedUsage',
	[`${BILLING}/usage/unbilled/export`]: 'unbilledUsage',
	[`${BILLING}/reconciliation/billed/export`]: 'billedReconciliation',
	[`${BILLING}/reconciliation/unbilled/export`]: 'unbilledReconciliation',
};

/** Status texts used for Graph errors and status faults. */
const STATUS_CODES: Record<number, [string, string]> = {
	400: ['BadRequest', 'The request is invalid.'],
	401: ['InvalidAuthenticationToken', 'Access token is empty.'],
	403: [
		'Forbidden',
		'Either the signed-in user does not have sufficient privileges, or you need to consent to one of the permissions on this API.',
	],
	404: ['NotFound', 'The requested resource could not be found.'],
	405: ['MethodNotAllowed', 'The HTTP method is not supported for this resource.'],
	410: ['Gone', 'The resource has expired. Start a new export.'],
	415: ['UnsupportedMediaType', 'The content type is not supported.'],
	429: ['TooManyRequests', 'Too many requests. Retry after the time given in Retry-After.'],
	500: ['InternalServerError', 'An internal server error occurred.'],
	502: ['BadGateway', 'Bad gateway.'],
	503: ['ServiceUnavailable', 'The service is temporarily unavailable. Retry later.'],
	504: ['GatewayTimeout', 'The gateway timed out.'],
};

export function graphErrorBody(code: string, message: string, requestId: string) {
	return {
		error: {
			code,
			message,
			innerError: {
				date: new Date().toISOString().replace(/\.\d+Z$/, ''),
				'request-id': requestId,
				'client-request-id': requestId,
			},
		},
	};
}

export function statusError(status: number) {
	return STATUS_CODES[status] || ['UnknownError', `HTTP ${status}`];
}

/** Response headers every Graph answer carries. */
export function graphHeaders(reqHeaders: IncomingHttpHeaders, requestId: string) {
	const h: Record<string, string> = {
		'request-id': requestId,
		'x-ms-ags-diagnostic':
			'{"ServerInfo":{"DataCenter":"Sandbox","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"SBX"}}',
		'strict-transport-security': 'max-age=31536000',
	};
	const cr = reqHeaders['client-request-id'];
	if (typeof cr === 'string') h['client-request-id'] = cr;
	return h;
}

const BODY_FIELDS: Record<GraphDataset, string[]> = {
	billedUsage: ['invoiceId', 'attributeSet'],
	billedReconciliation: ['invoiceId', 'attributeSet'],
	unbilledUsage: ['billingPeriod', 'currencyCode', 'attributeSet'],
	unbilledReconciliation: ['billingPeriod', 'currencyCode', 'attributeSet'],
};

/** Validate an export body; returns the accepted request or an error message. */
function validateExportBody(
	dataset: GraphDataset,
	body: unknown,
): { ok: true; request: Record<string, string> } | { ok: false; message: string } {
	if (body === null || typeof body !== 'object' || Array.isArray(body))
		return { ok: false, message: 'The request body must be a JSON object.' };
	const b = body as Record<string, unknown>;
	const allowed = BODY_FIELDS[dataset];
	for (const k of Object.keys(b)) {
		// '@odata.type' annotations are tolerated, as Graph does.
		if (!allowed.includes(k) && !k.startsWith('@odata.'))
			return {
				ok: false,
				message: `The property '${k}' does not exist on type 'microsoft.graph.partners.billing.${dataset}Export'. Make sure to only use property names that are defined by the type.`,
			};
	}
	const request: Record<string, string> = {};
	if (allowed.includes('invoiceId')) {
		if (b.invoiceId === undefined || b.invoiceId === null || b.invoiceId === '')
			return { ok: false, message: "The parameter 'invoiceId' is required." };
		if (typeof b.invoiceId !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(b.invoiceId))
			return { ok: false, message: `Invalid invoiceId '${String(b.invoiceId)}'.` };
		request.invoiceId = b.invoiceId;
	} else {
		if (b.billingPeriod === undefined || b.billingPeriod === null || b.billingPeriod === '')
			return { ok: false, message: "The parameter 'billingPeriod' is required." };
		if (b.billingPeriod !== 'current' && b.billingPeriod !== 'last')
			return {
				ok: false,
				message: `Invalid billingPeriod '${String(b.billingPeriod)}'; expected 'current' or 'last'.`,
			};
		if (b.currencyCode === undefined || b.currencyCode === null || b.currencyCode === '')
			return { ok: false, message: "The parameter 'currencyCode' is required." };
		if (typeof b.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(b.currencyCode))
			return {
				ok: false,
				message: `Invalid currencyCode '${String(b.currencyCode)}'; expected an ISO 4217 code such as 'USD'.`,
			};
		request.billingPeriod = b.billingPeriod;
		request.currencyCode = b.currencyCode;
	}
	if (b.attributeSet === undefined || b.attributeSet === null) request.attributeSet = 'full';
	else if (b.attributeSet === 'full' || b.attributeSet === 'basic')
		request.attributeSet = b.attributeSet;
	else
		return {
			ok: false,
			message: `Invalid attributeSet '${String(b.attributeSet)}'; expected 'full' or 'basic'.`,
		};
	return { ok: true, request };
}

interface ApiOptions {
	retryAfterSeconds: number;
	manifestStyle: 'inline' | 'navigationLink';
	successStatus: 'succeeded' | 'completed';
}

interface Manifests {
	manifest(op: Operation): Record<string, unknown>;
}

export class GraphApi {
	server: SandboxServer;
	store: OperationStore;
	auth: GraphAuth;
	manifests: Manifests;
	prefix: string;
	options: ApiOptions;

	constructor(deps: {
		server: SandboxServer;
		store: OperationStore;
		auth: GraphAuth;
		manifests: Manifests;
		prefix: string;
		options: ApiOptions;
	}) {
		this.server = deps.server;
		this.store = deps.store;
		this.auth = deps.auth;
		this.manifests = deps.manifests;
		this.prefix = deps.prefix;
		this.options = deps.options;
	}

	get base() {
		return `${this.server.url}${this.prefix}`;
	}

	handle(ctx: RequestContext) {
		const requestId = randomUUID();
		const headers = graphHeaders(ctx.req.headers, requestId);
		const fail = (
			status: number,
			message?: string,
			code?: string,
			extra: Record<string, string> = {},
		) => {
			const [c, m] = statusError(status);
			sendJson(ctx.res, status, graphErrorBody(code || c, message || m, requestId), {
				...headers,
				...extra,
			});
		};
		const auth = this.auth.authenticate(ctx.req.headers);
		if (!auth.ok) {
			fail(401, auth.message, 'InvalidAuthenticationToken', {
				'www-authenticate':
					'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
			});
			return;
		}
		const method = ctx.entry.method;
		const path = ctx.path;

		const dataset = EXPORTS[path];
		if (dataset) {
			if (method !== 'POST') return fail(405);
			const contentType = String(ctx.req.headers['content-type'] || '').toLowerCase();
			if (ctx.rawBody.length && !/^application\/json\b/.test(contentType))
				return fail(
					415,
					`The content type '${contentType || '(none)'}' is not supported; use application/json.`,
				);
			if (ctx.rawBody.length && !ctx.bodyIsJson)
				return fail(400, 'The request body is not valid JSON.');
			const v = validateExportBody(dataset, ctx.rawBody.length ? ctx.body : {});
			if (!v.ok) return fail(400, v.message);
			const op = this.store.create(dataset, v.request);
			ctx.res.writeHead(202, {
				...headers,
				location: `${this.base}${BILLING}/operations/${op.id}`,
				'content-length': '0',
			});
			ctx.res.end();
			return;
		}

		// [unconfirmed] The billing entity itself (PowerShell's Get-MgReportPartnerBilling):
		// the cheapest authorised read, used by the credential test.
		if (path === BILLING) {
			if (method !== 'GET') return fail(405);
			sendJson(
				ctx.res,
				200,
				{
					'@odata.context': `${this.base}/$metadata#reports/partners/billing/$entity`,
					id: 'billing',
				},
				headers,
			);
			return;
		}

		let m = new RegExp(`^${BILLING}/operations/([^/]+)$`).exec(path);
		if (m) {
			if (method !== 'GET') return fail(405);
			const op = this.store.operations.get(decodeURIComponent(m[1]));
			if (!op) return fail(404, `Operation '${m[1]}' not found.`, 'NotFound');
			if (op.gone) return fail(410, 'The operation has expired. Start a new export.', 'Gone');
			const now = Date.now();
			if (op.lastPollMs && now - op.lastPollMs < op.lastRetryAfter * 1000 - 100) {
				this.server.violation(
					`graph: operation ${op.id} polled ${now - op.lastPollMs} ms after an answer with Retry-After: ${op.lastRetryAfter}`,
				);
			}
			const state = op.state;
			const body: Record<string, unknown> = {
				'@odata.context': `${this.base}/$metadata#reports/partners/billing/operations/$entity`,
				'@odata.type': '',
				id: op.id,
				createdDateTime: new Date(op.createdMs).toISOString(),
				lastActionDateTime: new Date(op.lastActionMs).toISOString(),
				status: state,
			};
			const extra: Record<string, string> = {};
			if (state === 'notStarted' || state === 'running') {
				body['@odata.type'] = '#microsoft.graph.partners.billing.runningOperation';
				extra['retry-after'] = String(this.options.retryAfterSeconds);
				op.lastPollMs = now;
				op.lastRetryAfter = this.options.retryAfterSeconds;
			} else {
				op.lastPollMs = 0;
				if (state === 'failed') {
					body['@odata.type'] = '#microsoft.graph.partners.billing.failedOperation';
					body.error = { ...(op.failure as object) };
				} else {
					body['@odata.type'] = '#microsoft.graph.partners.billing.exportSuccessOperation';
					body.status = this.options.successStatus;
					if (this.options.manifestStyle === 'navigationLink')
						body['resourceLocation@odata.navigationLink'] =
							`${this.base}${BILLING}/manifests/${op.manifestId}`;
					else body.resourceLocation = this.manifests.manifest(op);
				}
			}
			sendJson(ctx.res, 200, body, { ...headers, ...extra });
			return;
		}

		m = new RegExp(`^${BILLING}/manifests/([^/]+)$`).exec(path);
		if (m) {
			if (method !== 'GET') return fail(405);
			const op = this.store.byManifest(decodeURIComponent(m[1]));
			if (!op || op.state !== 'succeeded')
				return fail(404, `Manifest '${m[1]}' not found.`, 'NotFound');
			if (op.gone) return fail(410, 'The manifest link has expired. Start a new export.', 'Gone');
			sendJson(
				ctx.res,
				200,
				{
					'@odata.context': `${this.base}/$metadata#reports/partners/billing/manifests/$entity`,
					...this.manifests.manifest(op),
				},
				headers,
			);
			return;
		}
		const segment = path.split('/').filter(Boolean).pop() || '';
		fail(400, `Resource not found for the segment '${segment}'.`, 'BadRequest');
	}
}
