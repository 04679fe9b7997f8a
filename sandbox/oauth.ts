/**
 * What the sandbox's three token endpoints (Webex, Microsoft Entra ID, Cisco SSO) check alike:
 * the client's credentials in the form or as HTTP Basic (RFC 6749 2.3.1), compared in constant
 * time.
 */

import { timingSafeEqual } from 'crypto';
import type { IncomingMessage } from 'http';

import type { RequestContext } from './server';

export function safeEqual(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** application/x-www-form-urlencoded decoding, as RFC 6749 2.3.1 asks of Basic credentials. */
function formDecode(s: string): string {
	try {
		return decodeURIComponent(s.replace(/\+/g, ' '));
	} catch {
		return s;
	}
}

export interface ClientAuthentication {
	clientId?: string;
	clientSecret?: string;
	/** The client authenticated with HTTP Basic (a 401 then names the realm). */
	usedBasic: boolean;
	/** Basic and the form name different credentials (RFC 6749 forbids sending both). */
	conflicting: boolean;
}

/** Whether the request names exactly the registered client and its secret (each compared in constant time). */
export function isRegisteredClient(
	{ clientId, clientSecret }: Pick<ClientAuthentication, 'clientId' | 'clientSecret'>,
	registered: { clientId: string; clientSecret: string },
): boolean {
	return (
		!!clientId &&
		!!clientSecret &&
		safeEqual(clientId, registered.clientId) &&
		safeEqual(clientSecret, registered.clientSecret)
	);
}

/** The client credentials of a token request: the form's `client_id`/`client_secret`, or HTTP Basic. */
export function clientAuthentication(
	req: IncomingMessage,
	form: URLSearchParams,
): ClientAuthentication {
	const formId = form.get('client_id') || undefined;
	const formSecret = form.get('client_secret') || undefined;
	const authorization = req.headers.authorization;
	if (typeof authorization !== 'string' || !/^Basic /i.test(authorization)) {
		return { clientId: formId, clientSecret: formSecret, usedBasic: false, conflicting: false };
	}
	const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	const basicId = formDecode(colon < 0 ? decoded : decoded.slice(0, colon));
	const basicSecret = formDecode(colon < 0 ? '' : decoded.slice(colon + 1));
	const conflicting =
		(formId !== undefined && formId !== basicId) ||
		(formSecret !== undefined && formSecret !== basicSecret);
	return { clientId: basicId, clientSecret: basicSecret, usedBasic: true, conflicting };
}

export type TokenFailure = (
	status: number,
	error: string,
	description: string,
	extra?: Record<string, string>,
) => void;

/**
 * The form and client of an RFC 6749 token request (Webex, Cisco): answers it with `fail` and
 * returns undefined when it is not form-encoded or names two different clients.
 */
export function readTokenRequest(
	ctx: RequestContext,
	fail: TokenFailure,
	realm: string,
): (ClientAuthentication & { form: URLSearchParams }) | undefined {
	const contentType = String(ctx.req.headers['content-type'] || '').toLowerCase();
	if (!contentType.startsWith('application/x-www-form-urlencoded')) {
		fail(400, 'invalid_request', 'The token request must be application/x-www-form-urlencoded.');
		return undefined;
	}
	const form = new URLSearchParams(ctx.rawBody.toString('utf8'));
	const client = clientAuthentication(ctx.req, form);
	if (client.conflicting) {
		fail(
			401,
			'invalid_client',
			'Client credentials in the Authorization header and the body differ.',
			{ 'www-authenticate': `Basic realm="${realm}"` },
		);
		return undefined;
	}
	return { ...client, form };
}
