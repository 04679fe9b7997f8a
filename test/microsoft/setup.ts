import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { loadPack, type LoadedPackage, type ExecuteNodeOptions, type NodeResult } from '../harness';
import { microsoftCredential } from '../helpers/credentials';

export interface GraphTestContext {
	sandbox: Sandbox;
	pack: LoadedPackage;
	credentials: () => Record<string, ICredentialDataDecryptedObject>;
	run: (
		parameters: IDataObject,
		options?: Partial<Omit<ExecuteNodeOptions, 'pack' | 'nodeType' | 'parameters'>>,
	) => Promise<NodeResult>;
	graphRequests: () => Sandbox['requests'];
}

/** One sandbox with Graph and Azurite per test file; the client-credentials credential. */
export function useGraph(): GraphTestContext {
	const context = {} as GraphTestContext;
	beforeAll(async () => {
		context.sandbox = await startSandbox({ graph: { operationDelayMs: 400, retryAfterSeconds: 1 } });
		context.pack = await loadPack();
	}, 60_000);
	afterAll(async () => await context.sandbox?.stop());
	beforeEach(() => context.sandbox.reset());
	afterEach(() => expect(context.sandbox.violations).toEqual([]));
	context.credentials = () => ({ microsoftPartnerBillingOAuth2Api: microsoftCredential(context.sandbox) });
	context.graphRequests = () => context.sandbox.requests.filter((request) => request.vendor === 'graph');
	context.run = async (parameters, options = {}) =>
		await context.pack.executeNode({
			nodeType: 'microsoftPartnerBilling',
			parameters: { resource: 'export', ...parameters } as never,
			credentials: context.credentials() as never,
			...options,
		});
	return context;
}
