import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { loadPack } from '../harness';
import { microsoftCredential } from '../helpers/credentials';
import type { VendorTestContext } from '../helpers/vendorContext';

export interface GraphTestContext extends VendorTestContext {
	credentials: () => Record<string, ICredentialDataDecryptedObject>;
	graphRequests: () => Sandbox['requests'];
}

/** One sandbox with Graph and Azurite per test file; the client-credentials credential. */
export function useGraph(): GraphTestContext {
	const context = {} as GraphTestContext;
	beforeAll(async () => {
		context.sandbox = await startSandbox({
			graph: { operationDelayMs: 400, retryAfterSeconds: 1 },
		});
		context.pack = await loadPack();
	}, 60_000);
	afterAll(async () => await context.sandbox?.stop());
	beforeEach(() => context.sandbox.reset());
	afterEach(() => expect(context.sandbox.violations).toEqual([]));
	context.credentials = () => ({
		microsoftPartnerBillingOAuth2Api: microsoftCredential(context.sandbox),
	});
	context.graphRequests = () =>
		context.sandbox.requests.filter((request) => request.vendor === 'graph');
	context.run = async (parameters, options = {}) =>
		await context.pack.executeNode({
			nodeType: 'microsoftPartnerBilling',
			parameters: { resource: 'export', ...parameters } as never,
			credentials: context.credentials() as never,
			...options,
		});
	return context;
}

/**
 * The credential with the authorization-code grant, signed in as n8n's OAuth2 callback does
 * it: the authorize redirect's code redeemed for Graph (with a refresh token).
 */
export async function connectMicrosoftDelegated(
	sandbox: Sandbox,
): Promise<ICredentialDataDecryptedObject> {
	const graph = sandbox.graph!;
	const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';
	const scope = 'https://graph.microsoft.com/PartnerBilling.Read.All offline_access';
	const authorize = await fetch(
		`${graph.authorizeUrl}?${new URLSearchParams({ client_id: graph.clientId, response_type: 'code', redirect_uri: redirectUri, scope, state: 's' })}`,
		{
			redirect: 'manual',
		},
	);
	const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
	const token = await fetch(graph.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			client_id: graph.clientId,
			client_secret: graph.clientSecret,
			scope,
		}),
	});
	return {
		...microsoftCredential(sandbox),
		grantType: 'authorizationCode',
		oauthTokenData: (await token.json()) as IDataObject,
	};
}
