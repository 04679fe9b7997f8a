/**
 * Webex authentication: the static personal access token, and an OAuth 2 integration
 * (`GET /v1/authorize` -> 302 with `code`, `POST /v1/access_token` with the
 * authorization_code and refresh_token grants).
 *
 * Spec: bearer tokens, authorize/token URLs, refresh-token grant, the two wholesale billing
 * scopes (read: get/list; write: create/delete).
 * Sandbox choices ([unconfirmed] upstream): token errors use the RFC 6749 shape
 * `{error, error_description}`; codes live 10 minutes and are single use; a refresh returns a
 * new access token and the SAME refresh token with its remaining lifetime; an authorize request
 * without `scope` grants both billing scopes; a token lacking the scope an operation needs gets
 * 403; the static PAT has every scope and never expires.
 */

import { randomBytes } from 'crypto';
import { isRegisteredClient, readTokenRequest, safeEqual } from '../oauth';
import { sendJson, sendText } from '../server';
import { newTrackingId } from './errors';
import type { RequestContext, SandboxServer } from '../server';
import type { IncomingHttpHeaders } from 'http';

const READ_SCOPE = 'spark-admin:wholesale_billing_reports_read';
const WRITE_SCOPE = 'spark-admin:wholesale_billing_reports_write';
const CODE_TTL_MS = 10 * 60 * 1000;

interface AuthOptions {
	accessToken: string;
	clientId: string;
	clientSecret: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
}

interface TokenInfo {
	expiresAt: number;
	scopes: string[];
	clientId: string;
	refreshToken?: string;
}

type AuthResult =
	| { ok: true; scopes: string[] | null }
	| { ok: false; status: 401 | 403; message: string };

export class WebexAuth {
	options: AuthOptions;
	server: SandboxServer;
	accessTokens: Map<string, TokenInfo>;
	refreshTokens: Map<string, TokenInfo>;
	codes: Map<
		string,
		{ clientId: string; redirectUri: string; scopes: string[]; expiresAt: number }
	>;

	/** @param options live options */
	constructor(options: AuthOptions, server: SandboxServer) {
		this.options = options;
		this.server = server;
		this.accessTokens = new Map();
		this.refreshTokens = new Map();
		this.codes = new Map();
	}

	/** Check the bearer token of an API request and the scope the method needs. */
	authenticate(headers: IncomingHttpHeaders, method: string): AuthResult {
		const invalid = {
			ok: false,
			status: 401,
			message: 'The request requires a valid access token set in the Authorization request header.',
		} as const;
		const header = headers.authorization;
		if (typeof header !== 'string') return invalid;
		const m = /^Bearer +(\S+) *$/i.exec(header);
		if (!m) return invalid;
		const token = m[1];
		if (safeEqual(token, this.options.accessToken)) return { ok: true, scopes: null };
		const info = this.accessTokens.get(token);
		if (!info || info.expiresAt <= Date.now()) return invalid;
		const needed = method === 'GET' || method === 'HEAD' ? READ_SCOPE : WRITE_SCOPE;
		if (!info.scopes.includes(needed)) {
			return {
				ok: false,
				status: 403,
				message: `The server understood the request, but refused to fulfill it because the access token is missing required scopes or because of insufficient privileges (needs ${needed}).`,
			};
		}
		return { ok: true, scopes: info.scopes };
	}

	/** Make every issued (OAuth) access token expired, e.g. to test a refresh. */
	expireAccessTokens() {
		for (const info of this.accessTokens.values()) info.expiresAt = 0;
	}

	/** GET /webex/v1/authorize?response_type=code&client_id&redirect_uri&scope&state -> 302. */
	handleAuthorize(ctx: RequestContext) {
		const { res } = ctx;
		const q = ctx.url.searchParams;
		const headers = { trackingid: newTrackingId() };
		if (ctx.entry.method !== 'GET') {
			sendJson(
				res,
				405,
				{ error: 'invalid_request', error_description: 'Use GET for /authorize.' },
				{ ...headers, allow: 'GET' },
			);
			return;
		}
		const clientId = q.get('client_id') || '';
		const redirectUri = q.get('redirect_uri') || '';
		// Never redirect to an unverified client / redirect_uri: answer an error page (RFC 6749 4.1.2.1).
		if (!clientId || !safeEqual(clientId, this.options.clientId)) {
			sendJson(
				res,
				400,
				{ error: 'invalid_client', error_description: 'Unknown client_id.' },
				headers,
			);
			return;
		}
		let target: URL;
		try {
			target = new URL(redirectUri);
		} catch {
			sendJson(
				res,
				400,
				{
					error: 'invalid_request',
					error_description: 'redirect_uri is missing or not an absolute URL.',
				},
				headers,
			);
			return;
		}
		const state = q.get('state');
		if (q.get('response_type') !== 'code') {
			target.searchParams.set('error', 'unsupported_response_type');
			if (state !== null) target.searchParams.set('state', state);
			sendText(res, 302, '', 'text/plain', { ...headers, location: target.toString() });
			return;
		}
		const requested = (q.get('scope') || '').split(/[\s]+/).filter(Boolean);
		const scopes = requested.length ? requested : [READ_SCOPE, WRITE_SCOPE];
		const code = `webex-sandbox-code-${randomBytes(16).toString('hex')}`;
		this.codes.set(code, { clientId, redirectUri, scopes, expiresAt: Date.now() + CODE_TTL_MS });
		target.searchParams.set('code', code);
		if (state !== null) target.searchParams.set('state', state);
		sendText(res, 302, '', 'text/plain', { ...headers, location: target.toString() });
	}

	/** POST /webex/v1/access_token (application/x-www-form-urlencoded). */
	handleToken(ctx: RequestContext) {
		const { res } = ctx;
		const headers = {
			trackingid: newTrackingId(),
			'cache-control': 'no-store',
			pragma: 'no-cache',
		};
		const fail = (
			status: number,
			error: string,
			description: string,
			extra: Record<string, string> = {},
		) => sendJson(res, status, { error, error_description: description }, { ...headers, ...extra });

		if (ctx.entry.method !== 'POST') {
			fail(405, 'invalid_request', 'Use POST for /access_token.', { allow: 'POST' });
			return;
		}
		if (
			ctx.url.searchParams.has('client_secret') ||
			ctx.url.searchParams.has('refresh_token') ||
			ctx.url.searchParams.has('code')
		) {
			this.server.violation(`OAuth secret sent in the token URL query string: POST ${ctx.path}`);
		}
		const request = readTokenRequest(ctx, fail, 'webex');
		if (!request) return;
		const { form, clientId, usedBasic } = request;
		if (!isRegisteredClient(request, this.options)) {
			fail(
				401,
				'invalid_client',
				'Client authentication failed: unknown client_id or wrong client_secret.',
				usedBasic ? { 'www-authenticate': 'Basic realm="webex"' } : {},
			);
			return;
		}

		const grantType = form.get('grant_type');
		const now = Date.now();
		if (!grantType) {
			fail(400, 'invalid_request', 'grant_type is required.');
			return;
		}
		if (grantType === 'authorization_code') {
			const code = form.get('code') || '';
			const info = this.codes.get(code);
			if (!info) {
				fail(400, 'invalid_grant', 'The authorization code is invalid, expired or already used.');
				return;
			}
			this.codes.delete(code); // single use
			if (info.expiresAt <= now || info.clientId !== clientId) {
				fail(400, 'invalid_grant', 'The authorization code is invalid, expired or already used.');
				return;
			}
			if ((form.get('redirect_uri') || '') !== info.redirectUri) {
				fail(
					400,
					'invalid_grant',
					'redirect_uri does not match the one used in the authorization request.',
				);
				return;
			}
			const refreshToken = `webex-sandbox-rt-${randomBytes(24).toString('hex')}`;
			this.refreshTokens.set(refreshToken, {
				clientId,
				scopes: info.scopes,
				expiresAt: now + this.options.refreshTokenTtlSeconds * 1000,
			});
			this.issue(ctx, headers, clientId, info.scopes, refreshToken);
			return;
		}
		if (grantType === 'refresh_token') {
			const refreshToken = form.get('refresh_token') || '';
			const info = this.refreshTokens.get(refreshToken);
			if (!info || info.expiresAt <= now || info.clientId !== clientId) {
				fail(400, 'invalid_grant', 'The refresh token is invalid or expired.');
				return;
			}
			this.issue(ctx, headers, clientId, info.scopes, refreshToken);
			return;
		}
		fail(
			400,
			'unsupported_grant_type',
			`grant_type ${grantType} is not supported (use authorization_code or refresh_token).`,
		);
	}

	issue(
		ctx: RequestContext,
		headers: Record<string, string>,
		clientId: string,
		scopes: string[],
		refreshToken: string,
	) {
		const now = Date.now();
		const rt = this.refreshTokens.get(refreshToken) as TokenInfo;
		const accessToken = `webex-sandbox-at-${randomBytes(24).toString('hex')}`;
		const expiresIn = this.options.accessTokenTtlSeconds;
		this.accessTokens.set(accessToken, {
			clientId,
			scopes,
			refreshToken,
			expiresAt: now + expiresIn * 1000,
		});
		sendJson(
			ctx.res,
			200,
			{
				access_token: accessToken,
				expires_in: expiresIn,
				refresh_token: refreshToken,
				refresh_token_expires_in: Math.max(0, Math.floor((rt.expiresAt - now) / 1000)),
				token_type: 'Bearer',
				scope: scopes.join(' '),
			},
			headers,
		);
	}
}
