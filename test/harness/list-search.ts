/**
 * A resource locator's "From list": calls a node's `methods.listSearch` function the way the
 * cli's DynamicNodeParametersService does when the editor opens or searches the list — a
 * temporary node holding the parameters the editor has, in a one-node workflow, with
 * n8n-core's LoadOptionsContext and the harness's credentials.
 */
import { randomUUID } from 'node:crypto';

import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type { INode, INodeListSearchResult, INodeParameters, IWorkflowBase } from 'n8n-workflow';
import { NodeHelpers, UserError, Workflow } from 'n8n-workflow';

import { CredentialStore, HarnessCredentialsHelper, type CredentialsInput } from './credentials';
import { ensureN8nEnvironment } from './environment';
import type { LoadedPackage } from './package-loader';
import { additionalDataFor } from './run-workflow';

export interface SearchListOptions {
	pack: LoadedPackage;
	/** 'webexWholesaleBilling' or the full type name */
	nodeType: string;
	typeVersion?: number;
	/** the resource locator whose list is open, e.g. 'reportId' */
	parameterName: string;
	/** what the editor has set on the node so far (defaults fill the rest) */
	parameters?: INodeParameters;
	credentials?: CredentialsInput;
	/** what the user typed in the list's search field */
	filter?: string;
	/** the token the previous page returned, when the user scrolls for more */
	paginationToken?: string;
}

export async function searchList(options: SearchListOptions): Promise<INodeListSearchResult> {
	await ensureN8nEnvironment();
	const { pack, parameterName } = options;
	const type = pack.nodeType(options.nodeType);
	const nodeType = pack.nodeTypes.getByNameAndVersion(type, options.typeVersion);
	const { description } = nodeType;
	const typeVersion = options.typeVersion ?? Math.max(...[description.version].flat());

	const property = description.properties.find(
		(candidate) => candidate.name === parameterName && candidate.type === 'resourceLocator',
	);
	const methodName = property?.modes?.find((mode) => mode.type === 'list')?.typeOptions
		?.searchListMethod;
	if (!methodName)
		throw new UserError(`${type} has no resource locator "${parameterName}" with a list mode`);
	const method = nodeType.methods?.listSearch?.[methodName];
	if (!method)
		throw new UserError(
			`${type} declares listSearch method "${methodName}" but does not define it`,
		);

	const store = CredentialStore.from(options.credentials);
	const node: INode = {
		id: randomUUID(),
		name: 'Temp-Node',
		type,
		typeVersion,
		position: [0, 0],
		parameters: {},
	};
	node.parameters =
		NodeHelpers.getNodeParameters(
			description.properties,
			options.parameters ?? {},
			true,
			false,
			node,
			description,
		) ?? {};
	for (const { name } of description.credentials ?? []) {
		if (store.has(name)) node.credentials = { ...node.credentials, [name]: { id: name, name } };
	}
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pack.nodeTypes,
	});

	const executionId = randomUUID();
	const workflowData = { id: 'list-search', name: 'List search', nodes: [node], connections: {} };
	const hooks = new ExecutionLifecycleHooks(
		'internal',
		executionId,
		workflowData as unknown as IWorkflowBase,
	);
	const additionalData = additionalDataFor(
		executionId,
		'list-search',
		hooks,
		new HarnessCredentialsHelper(pack.credentialTypes, store),
	);
	additionalData.currentNodeParameters = node.parameters;
	const context = new LoadOptionsContext(
		workflow,
		node,
		additionalData,
		`parameters.${parameterName}`,
	);
	return await method.call(context, options.filter, options.paginationToken);
}
