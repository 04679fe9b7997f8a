/**
 * Cisco SSO token endpoint (`POST /cisco-sso/as/token.oauth2`, form-encoded) and the bearer
 * check of the API (and of downloads with option fileAuth 'bearer').
 *
 * [spec] OAuth 2 resource owner password grant (`grant_type=password`, client_id,
 * client_secret, username, password of the partner's CCO account) as with
 * cloudsso.cisco.com/as/token.oauth2; Cisco's newer platform uses client_credentials. Answer
 * `{access_token, token_type: 'Bearer', expires_in}`; no scopes.
 * [sandbox] client credentials in the form or as HTTP Basic (RFC 6749 2.3.1), not both
 * differing; RFC 6749 errors `{error, error_description}`: 401 invalid_client for a wrong
 * client, 400 invalid_grant for a wrong user or password, 400 invalid_request /
 * unsupported_grant_type; tokens are random opaque strings; no refresh token. A secret in the
 * token URL's query string is a violation.
 */

import { randomBytes } from 'crypto';
import { isRegisteredClient, readTokenRequest, safeEqual } from '../oauth';
import { sendJson } from '../server';
import type { RequestContext, SandboxServer } from '../server';
import type { IncomingHttpHeaders, ServerResponse } from 'http';

interface AuthOptions {
	clientId: string;
	clientSecret: string;
	username: string;
	password: string;
	accessTokenTtlSeconds: number;
}

type AuthResult = { ok: true } | { ok: false; message: string };

export class CiscoAuth {
	options: AuthOptions;
	server: SandboxServer;
	accessTokens: Map<string, { expiresAt: number }>;

	/** @param options live options */
	constructor(options: AuthOptions, server: SandboxServer) {
		this.options = options;
		this.server = server;
		this.accessTokens = new Map();
	}

	/** Check `Authorization: Bearer <token>`. */
	authenticate(headers: IncomingHttpHeaders): AuthResult {
		const header = headers.authorization;
		if (typeof header !== 'string' || !header.trim())
			return { ok: false, message: 'The access token is missing.' };
		const m = /^Bearer +(\S+) *$/i.exec(header);
		const info = m ? this.accessTokens.get(m[1]) : undefined;
		if (!info) return { ok: false, message: 'The access token is invalid.' };
		if (info.expiresAt <= Date.now())
			return { ok: false, message: 'The access token has expired.' };
		return { ok: true };
	}

	/** Answer 401 for a failed bearer check (the API gateway's answer, before any Cisco logic). */
	static sendUnauthorized(res: ServerResponse, message: string) {
		sendJson(
			res,
			401,
			{ error: 'invalid_token', error_description: message },
			{ 'www-authenticate': 'Bearer error="invalid_token"' },
		);
	}

	/** Every token issued so far is expired from now on: the API answers 401. */
	expireAccessTokens() {
		for (const info of this.accessTokens.values()) info.expiresAt = 0;
	}

	/** The tokens issued so far, oldest first (tests assert they never leak into outputs). */
	issuedTokens() {
		return [...this.accessTokens.keys()];
	}

	/** POST /cisco-sso/as/token.oauth2 (application/x-www-form-urlencoded). */
	handleToken(ctx: RequestContext) {
		const { res } = ctx;
		const headers = { 'cache-control': 'no-store', pragma: 'no-cache' };
		const fail = (
			status: number,
			error: string,
			description: string,
			extra: Record<string, string> = {},
		) => sendJson(res, status, { error, error_description: description }, { ...headers, ...extra });

		if (ctx.entry.method !== 'POST') {
			fail(405, 'invalid_request', 'Use POST for the token endpoint.', { allow: 'POST' });
			return;
		}
		if (['client_secret', 'password'].some((name) => ctx.url.searchParams.has(name))) {
			this.server.violation(
				`OAuth secret sent in the Cisco token URL query string: POST ${ctx.path}`,
			);
		}
		const request = readTokenRequest(ctx, fail, 'cisco');
		if (!request) return;
		const { form, usedBasic } = request;

		const grantType = form.get('grant_type');
		if (!grantType) {
			fail(400, 'invalid_request', 'grant_type is required.');
			return;
		}
		if (grantType !== 'password' && grantType !== 'client_credentials') {
			fail(
				400,
				'unsupported_grant_type',
				`grant_type ${grantType} is not supported (use password or client_credentials).`,
			);
			return;
		}
		if (!isRegisteredClient(request, this.options)) {
			fail(
				401,
				'invalid_client',
				'Invalid client or client credentials.',
				usedBasic ? { 'www-authenticate': 'Basic realm="cisco"' } : {},
			);
			return;
		}
		if (grantType === 'password') {
			const username = form.get('username') || '';
			const password = form.get('password') || '';
			if (!username || !password) {
				fail(400, 'invalid_request', 'The password grant needs username and password.');
				return;
			}
			if (
				!safeEqual(username, this.options.username) ||
				!safeEqual(password, this.options.password)
			) {
				fail(400, 'invalid_grant', 'Invalid resource owner credentials.');
				return;
			}
		}

		const accessToken = randomBytes(24).toString('base64url');
		const expiresIn = this.options.accessTokenTtlSeconds;
		this.accessTokens.set(accessToken, { expiresAt: Date.now() + expiresIn * 1000 });
		sendJson(
			res,
			200,
			{ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn },
			headers,
		);
	}
}
