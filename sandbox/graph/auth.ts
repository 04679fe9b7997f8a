/**
 * Microsoft identity platform (AAD v2) emulator for the partner tenant:
 * `POST /login/{tenant}/oauth2/v2.0/token` (client_credentials, authorization_code,
 * refresh_token) and `GET /login/{tenant}/oauth2/v2.0/authorize` (302 with `code`).
 *
 * [spec] client credentials: form `client_id`, `client_secret`,
 * `scope=https://graph.microsoft.com/.default`, `grant_type=client_credentials` ->
 * `{token_type:'Bearer', expires_in, access_token}`; delegated: authorization code flow with
 * scope `https://graph.microsoft.com/PartnerBilling.Read.All offline_access`.
 * [sandbox] errors use AAD's shape `{error, error_description, error_codes, timestamp, trace_id,
 * correlation_id}` with AADSTS codes close to the real ones; the client secret is accepted in the
 * form or as HTTP Basic; tokens are opaque; the tenant may be the tenant id, the partner's
 * domain, or (delegated only) `organizations`/`common`; codes live 10 minutes and are single use.
 *
 * [spec] Partner Center takes its own token (scope `https://api.partnercenter.microsoft.com/.default`)
 * from the same app registration. Every issued token carries its audience: Graph refuses a
 * Partner Center token and Partner Center a Graph token, so the tests prove which token went
 * where. A refresh token may be redeemed for the other API ([spec] Entra refresh tokens are
 * multi-resource); redeeming it for Partner Center leaves it valid for n8n's own refresh.
 */

import { randomBytes, randomUUID } from 'crypto';
import { clientAuthentication, safeEqual } from '../oauth';
import { sendJson } from '../server';
import type { IncomingHttpHeaders, ServerResponse } from 'http';
import type { RequestContext } from '../server';

const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const DELEGATED_SCOPE = 'https://graph.microsoft.com/PartnerBilling.Read.All';
const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

/** The API a token is for. */
export type Audience = 'graph' | 'partnerCenter';
const CODE_TTL_MS = 10 * 60 * 1000;

interface GraphAuthOptions {
	tenantId: string;
	tenantDomain: string;
	clientId: string;
	clientSecret: string;
	accessToken: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
}

export class GraphAuth {
	options: GraphAuthOptions;
	accessTokens: Map<string, { expiresAt: number; delegated: boolean; audience: Audience }>;
	refreshTokens: Map<string, { expiresAt: number }>;
	codes: Map<string, { clientId: string; redirectUri: string; expiresAt: number }>;

	/** @param options live options */
	constructor(options: GraphAuthOptions) {
		this.options = options;
		this.accessTokens = new Map();
		this.refreshTokens = new Map();
		this.codes = new Map();
	}

	/** Whether the request's bearer token is valid for `audience`; `delegated` when it was issued for a user. */
	authenticate(
		headers: IncomingHttpHeaders,
		audience: Audience = 'graph',
	): { ok: true; delegated: boolean } | { ok: false; message: string } {
		const header = headers.authorization;
		if (typeof header !== 'string' || !header.trim())
			return { ok: false, message: 'Access token is empty.' };
		const m = /^Bearer +(\S+) *$/i.exec(header);
		if (!m) return { ok: false, message: 'Access token validation failure. Invalid audience.' };
		if (audience === 'graph' && safeEqual(m[1], this.options.accessToken))
			return { ok: true, delegated: false };
		const info = this.accessTokens.get(m[1]);
		if (!info) return { ok: false, message: 'Access token validation failure. Invalid signature.' };
		if (info.audience !== audience)
			return { ok: false, message: 'Access token validation failure. Invalid audience.' };
		if (info.expiresAt <= Date.now())
			return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
		return { ok: true, delegated: info.delegated };
	}

	expireAccessTokens() {
		for (const info of this.accessTokens.values()) info.expiresAt = 0;
	}

	clear() {
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.codes.clear();
	}

	knownTenant(tenant: string, delegated: boolean) {
		const t = tenant.toLowerCase();
		if (t === this.options.tenantId.toLowerCase() || t === this.options.tenantDomain.toLowerCase())
			return true;
		return delegated && (t === 'organizations' || t === 'common');
	}

	/** @param code AADSTS number */
	sendError(res: ServerResponse, status: number, error: string, code: number, text: string) {
		const traceId = randomUUID();
		const correlationId = randomUUID();
		const timestamp = new Date()
			.toISOString()
			.replace('T', ' ')
			.replace(/\.\d+Z$/, 'Z');
		sendJson(res, status, {
			error,
			error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
			error_codes: [code],
			timestamp,
			trace_id: traceId,
			correlation_id: correlationId,
		});
	}

	handle(ctx: RequestContext) {
		const m = /^\/login\/([^/]+)\/oauth2\/v2\.0\/(token|authorize)$/.exec(ctx.url.pathname);
		if (!m) {
			this.sendError(
				ctx.res,
				404,
				'invalid_request',
				900561,
				`The endpoint ${ctx.url.pathname} is not supported.`,
			);
			return;
		}
		const tenant = decodeURIComponent(m[1]);
		if (m[2] === 'authorize') this.handleAuthorize(ctx, tenant);
		else this.handleToken(ctx, tenant);
	}

	handleAuthorize(ctx: RequestContext, tenant: string) {
		const { res } = ctx;
		if (ctx.entry.method !== 'GET') {
			this.sendError(
				res,
				405,
				'invalid_request',
				900561,
				'The endpoint only accepts GET requests.',
			);
			return;
		}
		if (!this.knownTenant(tenant, true)) {
			this.sendError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
			return;
		}
		const q = ctx.url.searchParams;
		const clientId = q.get('client_id') || '';
		const redirectUri = q.get('redirect_uri') || '';
		if (clientId !== this.options.clientId) {
			this.sendError(
				res,
				400,
				'unauthorized_client',
				700016,
				`Application with identifier '${clientId}' was not found in the directory.`,
			);
			return;
		}
		if (q.get('response_type') !== 'code' || !/^https?:\/\//.test(redirectUri)) {
			this.sendError(
				res,
				400,
				'invalid_request',
				900144,
				'The request must contain response_type=code and a redirect_uri.',
			);
			return;
		}
		const code = `graph-code-${randomBytes(16).toString('hex')}`;
		this.codes.set(code, { clientId, redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = q.get('state');
		if (state !== null) target.searchParams.set('state', state);
		res.writeHead(302, { location: target.toString(), 'content-length': '0' });
		res.end();
	}

	handleToken(ctx: RequestContext, tenant: string) {
		const { res } = ctx;
		if (ctx.entry.method !== 'POST') {
			this.sendError(
				res,
				405,
				'invalid_request',
				900561,
				'The endpoint only accepts POST, OPTIONS requests. Received a GET request.',
			);
			return;
		}
		const contentType = String(ctx.req.headers['content-type'] || '').toLowerCase();
		if (!contentType.startsWith('application/x-www-form-urlencoded')) {
			this.sendError(
				res,
				400,
				'invalid_request',
				900144,
				"The request body must contain the following parameter: 'grant_type'.",
			);
			return;
		}
		const form = new URLSearchParams(ctx.rawBody.toString('utf8'));
		const client = clientAuthentication(ctx.req, form);
		const clientId = client.clientId ?? '';
		const clientSecret = client.clientSecret ?? '';
		const grantType = form.get('grant_type') || '';
		if (!grantType) {
			this.sendError(
				res,
				400,
				'invalid_request',
				900144,
				"The request body must contain the following parameter: 'grant_type'.",
			);
			return;
		}
		const delegated = grantType !== 'client_credentials';
		if (!this.knownTenant(tenant, delegated)) {
			this.sendError(
				res,
				400,
				'invalid_request',
				90002,
				`Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
			);
			return;
		}
		if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grantType)) {
			this.sendError(
				res,
				400,
				'unsupported_grant_type',
				70003,
				`The app requested an unsupported grant type '${grantType}'.`,
			);
			return;
		}
		if (!clientId) {
			this.sendError(
				res,
				400,
				'invalid_request',
				900144,
				"The request body must contain the following parameter: 'client_id'.",
			);
			return;
		}
		if (clientId !== this.options.clientId) {
			this.sendError(
				res,
				400,
				'unauthorized_client',
				700016,
				`Application with identifier '${clientId}' was not found in the directory '${this.options.tenantDomain}'.`,
			);
			return;
		}
		if (!clientSecret) {
			this.sendError(
				res,
				401,
				'invalid_client',
				7000218,
				"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
			);
			return;
		}
		if (!safeEqual(clientSecret, this.options.clientSecret)) {
			this.sendError(
				res,
				401,
				'invalid_client',
				7000215,
				'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
			);
			return;
		}
		const scope = form.get('scope') || '';
		if (grantType === 'client_credentials') {
			if (scope !== GRAPH_DEFAULT_SCOPE && scope !== PARTNER_CENTER_SCOPE) {
				this.sendError(
					res,
					400,
					'invalid_scope',
					1002012,
					`The provided value for scope ${scope || '(empty)'} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
				);
				return;
			}
			const accessToken = this.issueAccess(
				false,
				scope === PARTNER_CENTER_SCOPE ? 'partnerCenter' : 'graph',
			);
			sendJson(res, 200, {
				token_type: 'Bearer',
				expires_in: this.options.accessTokenTtlSeconds,
				ext_expires_in: this.options.accessTokenTtlSeconds,
				access_token: accessToken,
			});
			return;
		}
		if (grantType === 'authorization_code') {
			const code = form.get('code') || '';
			const info = this.codes.get(code);
			if (!info || info.expiresAt <= Date.now() || info.clientId !== clientId) {
				this.sendError(
					res,
					400,
					'invalid_grant',
					70008,
					'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
				);
				return;
			}
			if ((form.get('redirect_uri') || '') !== info.redirectUri) {
				this.sendError(
					res,
					400,
					'invalid_grant',
					50148,
					'The redirect_uri does not match the one in the authorization request.',
				);
				return;
			}
			this.codes.delete(code);
		} else {
			const refresh = form.get('refresh_token') || '';
			const info = this.refreshTokens.get(refresh);
			if (!info || info.expiresAt <= Date.now()) {
				this.sendError(
					res,
					400,
					'invalid_grant',
					70008,
					'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
				);
				return;
			}
			if (scope.split(' ').includes(PARTNER_CENTER_SCOPE)) {
				sendJson(res, 200, {
					token_type: 'Bearer',
					scope: 'https://api.partnercenter.microsoft.com/user_impersonation',
					expires_in: this.options.accessTokenTtlSeconds,
					ext_expires_in: this.options.accessTokenTtlSeconds,
					access_token: this.issueAccess(true, 'partnerCenter'),
				});
				return;
			}
			this.refreshTokens.delete(refresh);
		}
		const refreshToken = `graph-refresh-${randomBytes(24).toString('hex')}`;
		this.refreshTokens.set(refreshToken, {
			expiresAt: Date.now() + this.options.refreshTokenTtlSeconds * 1000,
		});
		sendJson(res, 200, {
			token_type: 'Bearer',
			scope: `${DELEGATED_SCOPE} https://graph.microsoft.com/User.Read`,
			expires_in: this.options.accessTokenTtlSeconds,
			ext_expires_in: this.options.accessTokenTtlSeconds,
			access_token: this.issueAccess(true),
			refresh_token: refreshToken,
		});
	}

	issueAccess(delegated: boolean, audience: Audience = 'graph') {
		const token = `${audience === 'graph' ? 'graph' : 'pc'}-sbx-${randomBytes(24).toString('hex')}`;
		this.accessTokens.set(token, {
			expiresAt: Date.now() + this.options.accessTokenTtlSeconds * 1000,
			delegated,
			audience,
		});
		return token;
	}
}
