import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { loadPack } from '../harness';
import { webexCredential } from '../helpers/credentials';
import { expectRequestsToConform, webexSpecValidator } from '../helpers/openapi';
import type { VendorTestContext } from '../helpers/vendorContext';

export interface WebexTestContext extends VendorTestContext {
	credentials: () => Record<string, ICredentialDataDecryptedObject>;
	webexRequests: () => Sandbox['requests'];
}

/**
 * One sandbox and one loaded pack per test file. After every test: every request the node
 * sent conforms to Cisco's OpenAPI spec, and the sandbox saw no protocol violation (such as
 * an Authorization header sent to the download host).
 */
export function useWebex(
	sandboxOptions: Parameters<typeof startSandbox>[0] = {},
): WebexTestContext {
	const context = {} as WebexTestContext;
	beforeAll(async () => {
		context.sandbox = await startSandbox({
			...sandboxOptions,
			webex: { reportDelayMs: 300, ...sandboxOptions.webex },
		});
		context.pack = await loadPack();
	});
	afterAll(async () => await context.sandbox?.stop());
	beforeEach(async () => {
		await context.sandbox.reset();
		Object.assign(context.sandbox.webex.options, {
			reportDelayMs: 300,
			downloadUrlTtlSeconds: 1800,
			...sandboxOptions.webex,
		});
	});
	afterEach(() => {
		expectRequestsToConform(
			webexSpecValidator(),
			context.webexRequests().map(withoutServerPagingToken) as never,
		);
		expect(context.sandbox.violations).toEqual([]);
	});
	context.credentials = () => ({
		webexWholesaleApi: webexCredential(context.sandbox),
	});
	context.webexRequests = () =>
		context.sandbox.requests.filter((request) => request.vendor === 'webex');
	context.run = async (parameters, options = {}) =>
		await context.pack.executeNode({
			nodeType: 'webexWholesaleBilling',
			parameters: { authentication: 'accessToken', resource: 'report', ...parameters } as never,
			credentials: context.credentials() as never,
			timezone: 'UTC',
			...options,
		});
	return context;
}

/**
 * A follow-up page is fetched from the Link URL exactly as Webex gave it; its opaque paging
 * token is the server's, not a parameter the node chose. Every other parameter is checked.
 */
function withoutServerPagingToken(request: Sandbox['requests'][number]) {
	if (request.query.cursor === undefined) return request;
	const { cursor: _serverToken, ...query } = request.query;
	return { ...request, query };
}

/**
 * Connects a Webex OAuth2 credential the way a user does in n8n: authorize, then exchange
 * the code. Returns the credential data, oauthTokenData included.
 */
export async function connectWebexOAuth2(
	sandbox: Sandbox,
): Promise<ICredentialDataDecryptedObject> {
	const { webex } = sandbox;
	const authorize = await fetch(
		`${webex.authorizeUrl}?response_type=code&client_id=${webex.clientId}&redirect_uri=http://localhost/cb&state=s`,
		{ redirect: 'manual' },
	);
	const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
	const token = await fetch(webex.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			client_id: webex.clientId,
			client_secret: webex.clientSecret,
			redirect_uri: 'http://localhost/cb',
		}),
	});
	return {
		clientId: webex.clientId,
		clientSecret: webex.clientSecret,
		authUrl: webex.authorizeUrl,
		accessTokenUrl: webex.tokenUrl,
		baseUrl: webex.baseUrl,
		oauthTokenData: (await token.json()) as IDataObject,
	};
}

/** First and last day of last month (UTC), as the node's defaults compute them. */
export function lastMonth(now = new Date()): { start: string; end: string; days: number } {
	const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
	const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
	return { start: iso(start), end: iso(end), days: end.getUTCDate() };
}

export function daysAgo(days: number, now = new Date()): string {
	return iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)));
}

function iso(date: Date): string {
	return date.toISOString().slice(0, 10);
}
