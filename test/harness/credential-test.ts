/**
 * The credential "Test" button: performs a credential type's `test` request the way the
 * cli's CredentialsTester does — a temporary declarative node whose only parameter routes
 * the test request, executed by n8n-core's RoutingNode through the same authenticate /
 * preAuthentication / OAuth2 path nodes use.
 */
import { randomUUID } from 'node:crypto';

import {
	CredentialTestContext,
	ExecuteContext,
	ExecutionLifecycleHooks,
	RoutingNode,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunction,
	ICredentialTestRequest,
	ICredentialsDecrypted,
	IExecuteData,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IWorkflowBase,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { CredentialStore, HarnessCredentialsHelper } from './credentials';
import { ensureN8nEnvironment } from './environment';
import type { LoadedPackage } from './package-loader';
import { additionalDataFor } from './run-workflow';

export interface CredentialTestResult extends INodeCredentialTestResult {
	/** The credential after the test (e.g. with the token preAuthentication/OAuth2 fetched). */
	credentials: CredentialStore;
}

export interface TestCredentialOptions {
	pack: LoadedPackage;
	credentialType: string;
	/** The credential's data as a user enters it. */
	data: ICredentialDataDecryptedObject;
}

type TestSource =
	| { kind: 'request'; testRequest: ICredentialTestRequest; nodeType?: INodeType }
	| { kind: 'function'; test: ICredentialTestFunction }
	| { kind: 'oauth2' };

/** Where n8n finds the test: the type's `test`, else a supporting node's `testedBy`. */
function findTest(pack: LoadedPackage, credentialType: string): TestSource | undefined {
	const type = pack.credentialTypes.getByName(credentialType);
	if (type.test) return { kind: 'request', testRequest: type.test };

	for (const nodeName of pack.credentialTypes.getSupportedNodes(credentialType)) {
		if (!pack.nodeTypes.has(nodeName)) continue;
		const node = pack.nodeTypes.getByName(nodeName);
		const versions: INodeType[] =
			'nodeVersions' in node
				? Object.keys(node.nodeVersions)
						.map(Number)
						.sort((a, b) => b - a)
						.map((v) => node.nodeVersions[v])
				: [node];
		for (const nodeType of versions) {
			for (const { name, testedBy } of nodeType.description.credentials ?? []) {
				if (name !== credentialType) continue;
				if (pack.credentialTypes.getParentTypes(name).includes('oAuth2Api'))
					return { kind: 'oauth2' };
				if (typeof testedBy === 'string') {
					const test = nodeType.methods?.credentialTest?.[testedBy];
					if (test) return { kind: 'function', test };
				} else if (testedBy) {
					return { kind: 'request', testRequest: testedBy, nodeType };
				}
			}
		}
	}
	return undefined;
}

/**
 * Tests credential data with the credential type's test request (or its node's test).
 *
 *     expect(await pack.testCredential('webexWholesaleApi', { accessToken: 'bad' }))
 *       .toMatchObject({ status: 'Error' });
 */
export async function testCredential({
	pack,
	credentialType,
	data,
}: TestCredentialOptions): Promise<CredentialTestResult> {
	await ensureN8nEnvironment();
	const store = new CredentialStore({ [credentialType]: data });
	const outcome = (result: INodeCredentialTestResult): CredentialTestResult => ({
		...result,
		credentials: store,
	});

	const source = findTest(pack, credentialType);
	if (!source)
		return outcome({ status: 'Error', message: 'No testing function found for this credential.' });

	const credentialsHelper = new HarnessCredentialsHelper(pack.credentialTypes, store);
	const executionId = randomUUID();
	const workflowData = {
		id: 'credential-test',
		name: 'Credential test',
		nodes: [],
		connections: {},
	};
	const hooks = new ExecutionLifecycleHooks(
		'internal',
		executionId,
		workflowData as unknown as IWorkflowBase,
	);
	const additionalData = additionalDataFor(
		executionId,
		'credential-test',
		hooks,
		credentialsHelper,
	);

	const credentialsDecrypted: ICredentialsDecrypted = {
		id: credentialType,
		name: credentialType,
		type: credentialType,
		data,
	};
	try {
		credentialsDecrypted.data = await credentialsHelper.applyDefaultsAndOverwrites(
			additionalData,
			data,
			credentialType,
			'internal',
		);
	} catch (error) {
		return outcome({ status: 'Error', message: String((error as Error).message) });
	}

	if (source.kind === 'oauth2') {
		const hasToken =
			typeof data.oauthTokenData === 'object' &&
			data.oauthTokenData !== null &&
			'access_token' in data.oauthTokenData;
		return outcome(
			hasToken
				? { status: 'OK', message: 'Connection Successful!' }
				: { status: 'Error', message: 'Unable to connect with these credentials' },
		);
	}

	if (source.kind === 'function') {
		const context = new CredentialTestContext(additionalData);
		return outcome(await source.test.call(context, credentialsDecrypted));
	}

	const { testRequest } = source;
	const baseNodeType = source.nodeType ?? pack.nodeTypes.getByNameAndVersion('n8n-nodes-base.noOp');
	const testNodeType: INodeType = {
		description: {
			...baseNodeType.description,
			credentials: [{ name: credentialType, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	// The temporary node the cli builds: typed after noOp's description name, no parameters.
	const versions = baseNodeType.description.version;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: baseNodeType.description.name,
		typeVersion: Array.isArray(versions) ? versions[versions.length - 1] : versions,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType]: { id: credentialType, name: credentialType } },
	};
	const nodeTypes: INodeTypes = {
		getByName: () => testNodeType,
		getByNameAndVersion: (_type, version) =>
			NodeHelpers.getVersionedNodeType(testNodeType, version),
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const executeData: IExecuteData = { node, data: {}, source: null };
	const inputData = { main: [[{ json: {} }]] };
	const connectionInputData: INodeExecutionData[] = [];
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		connectionInputData,
		inputData,
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, testNodeType, credentialsDecrypted);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (caught) {
		const error = caught as Error & {
			cause?: { response?: { status: number; statusText?: string }; code?: string };
		};
		const errorResponse = error.cause?.response;
		if (errorResponse) {
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && errorResponse.status === rule.properties.value) {
					return outcome({ status: 'Error', message: rule.properties.message });
				}
			}
			if (errorResponse.status < 199 || errorResponse.status > 299) {
				return outcome({
					status: 'Error',
					message: errorResponse.statusText || `Received HTTP status code: ${errorResponse.status}`,
				});
			}
		} else if (error.cause?.code) {
			return outcome({ status: 'Error', message: error.cause.code });
		}
		return outcome({ status: 'Error', message: String(error.message) });
	}

	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const body = response?.[0]?.[0]?.json ?? {};
			const value = rule.properties.key
				.split('.')
				.reduce<unknown>(
					(object, key) => (object as Record<string, unknown> | undefined)?.[key],
					body,
				);
			if (value === rule.properties.value) {
				return outcome({ status: 'Error', message: rule.properties.message });
			}
		}
	}
	return outcome({ status: 'OK', message: 'Connection successful!' });
}
