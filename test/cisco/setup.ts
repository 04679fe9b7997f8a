import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { CredentialStore, loadPack, type NodeResult } from '../harness';
import { ciscoCredential } from '../helpers/credentials';
import type { VendorTestContext } from '../helpers/vendorContext';

export interface CiscoTestContext extends VendorTestContext {
	/** The sandbox's password-grant credential, with overrides; what run() uses unless given others. */
	credential: (overrides?: IDataObject) => ICredentialDataDecryptedObject;
	ciscoRequests: (kind?: string) => Sandbox['requests'];
	/** Every secret the sandbox handed out or holds: none may appear in an output or error. */
	secrets: () => string[];
}

/** One sandbox and pack per file. After every test the sandbox saw no violation (no token sent to a host off the allowlist). */
export function useCisco(
	sandboxOptions: Parameters<typeof startSandbox>[0] = {},
): CiscoTestContext {
	const context = {} as CiscoTestContext;
	beforeAll(async () => {
		context.sandbox = await startSandbox(sandboxOptions);
		context.pack = await loadPack();
	});
	afterAll(async () => await context.sandbox?.stop());
	beforeEach(() => context.sandbox.reset());
	afterEach(() => expect(context.sandbox.violations).toEqual([]));
	context.credential = (overrides = {}) =>
		({ ...ciscoCredential(context.sandbox), ...overrides }) as ICredentialDataDecryptedObject;
	context.ciscoRequests = (kind) =>
		context.sandbox.requests.filter(
			(request) => request.vendor === 'cisco' && (kind === undefined || request.kind === kind),
		);
	context.secrets = () => [
		context.sandbox.cisco.clientSecret,
		context.sandbox.cisco.password,
		...context.sandbox.cisco.issuedTokens(),
	];
	context.run = async (parameters, options = {}) =>
		await context.pack.executeNode({
			nodeType: 'ciscoXaasBilling',
			parameters: { resource: 'usage', ...parameters } as never,
			credentials: { ciscoXaasBillingApi: context.credential() } as never,
			timezone: 'UTC',
			...options,
		});
	return context;
}

/** A credential store shared by several runs, as n8n keeps a credential between executions. */
export const sharedStore = (credential: IDataObject) =>
	new CredentialStore({ ciscoXaasBillingApi: credential } as never);

/** The text of an error a node run ended with, message and description, for leak checks. */
export function errorText(result: NodeResult): string {
	const error = result.error as (Error & { description?: string }) | undefined;
	return error ? `${error.message} ${error.description ?? ''}` : '';
}
