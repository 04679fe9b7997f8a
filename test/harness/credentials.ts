/**
 * Credentials for harness runs: a store of decrypted credential data (what n8n keeps
 * encrypted in its database) and an ICredentialsHelper that applies the credential types
 * the way the cli's CredentialsHelper does — defaults and `extends` merging, expression
 * resolution, generic and function `authenticate`, `preAuthentication` of expirable
 * fields, and persisting refreshed tokens back into the store.
 */
import { Credentials, getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialTypes,
	ICredentialsExpressionResolveValues,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	deepCopy,
	getCredentialOwnRequestAllowedDomains,
	isExpression,
} from 'n8n-workflow';

/** What happened to stored credential data, in order. */
export type CredentialEventKind =
	/** the type's preAuthentication ran for an empty/expired expirable field (a token fetch) */
	| 'preAuthentication'
	/** requestOAuth2 ran the type's preAuthentication on its token data (no persistence) */
	| 'runPreAuthentication'
	/** the whole credential was written back (after preAuthentication) */
	| 'update'
	/** new OAuth2 token data was stored (client-credentials fetch or refresh) */
	| 'oauthTokenData';

export interface CredentialEvent {
	kind: CredentialEventKind;
	/** credential id, or the type name for credentials stored by type */
	key: string;
	type: string;
}

/**
 * Decrypted credential data by credential id or credential type name. A node's credential
 * reference `{ id, name }` is looked up by id first, then by the credential type.
 *
 * Pass the same store to several runs to carry refreshed tokens from one execution to the
 * next, as n8n's database does.
 */
export class CredentialStore {
	private readonly entries = new Map<string, ICredentialDataDecryptedObject>();

	private readonly log: CredentialEvent[] = [];

	constructor(initial: Record<string, ICredentialDataDecryptedObject> = {}) {
		for (const [key, data] of Object.entries(initial)) this.entries.set(key, deepCopy(data));
	}

	static from(input?: CredentialsInput): CredentialStore {
		// Duck-typed: a store may come from another module registry (isolateModules).
		const isStore = typeof (input as CredentialStore | undefined)?.resolveKey === 'function';
		return isStore
			? (input as CredentialStore)
			: new CredentialStore((input ?? {}) as Record<string, ICredentialDataDecryptedObject>);
	}

	keys(): string[] {
		return [...this.entries.keys()];
	}

	has(key: string): boolean {
		return this.entries.has(key);
	}

	/** The key a node's credential reference resolves to: its id if stored, else the type. */
	resolveKey(details: INodeCredentialsDetails | null | undefined, type: string): string {
		if (details?.id && this.entries.has(details.id)) return details.id;
		if (this.entries.has(type)) return type;
		const asked = details?.id ? `id "${details.id}" or type "${type}"` : `type "${type}"`;
		throw new UserError(
			`No credential data for ${asked} in the harness credentials (it has: ${this.keys().join(', ') || 'none'})`,
		);
	}

	/** Current data of a credential (a copy), by id or type. */
	get(key: string): ICredentialDataDecryptedObject {
		const data = this.entries.get(key);
		if (!data) throw new UserError(`No credential data for "${key}"`);
		return deepCopy(data);
	}

	set(key: string, data: ICredentialDataDecryptedObject): void {
		this.entries.set(key, deepCopy(data));
	}

	/** @internal used by the credentials helper */
	record(
		kind: CredentialEventKind,
		key: string,
		type: string,
		data?: ICredentialDataDecryptedObject,
	) {
		if (data) this.entries.set(key, deepCopy(data));
		this.log.push({ kind, key, type });
	}

	get events(): readonly CredentialEvent[] {
		return this.log;
	}

	/** How often `kind` happened, optionally only for one credential type or key. */
	count(kind: CredentialEventKind, typeOrKey?: string): number {
		return this.log.filter(
			(event) =>
				event.kind === kind &&
				(typeOrKey === undefined || event.type === typeOrKey || event.key === typeOrKey),
		).length;
	}
}

export type CredentialsInput = Record<string, ICredentialDataDecryptedObject> | CredentialStore;

/**
 * OAuth endpoint/flow fields owned by the credential type: when the type declares them
 * `hidden`, stored values are dropped so the type's default wins (as the cli does).
 */
const OAUTH_PINNED_FIELDS = [
	'authUrl',
	'accessTokenUrl',
	'grantType',
	'authentication',
	'requestTokenUrl',
	'signatureMethod',
];

/** A node type registry that knows no nodes: enough for a Workflow that only resolves expressions. */
const expressionOnlyNodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getKnownTypes: () => ({}),
};

const expressionNode: INode = {
	id: 'credential-expressions',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

function expressionWorkflow(): { workflow: Workflow; node: INode } {
	const workflow = new Workflow({
		nodes: [expressionNode],
		connections: {},
		active: false,
		nodeTypes: expressionOnlyNodeTypes,
	});
	return { workflow, node: expressionNode };
}

/**
 * Restricts the requests a credential's preAuthentication makes to the credential's own
 * allowed domains (when it declares any), like the cli.
 */
function restrictToCredentialDomains(
	helpers: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions) => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(requestOptions);
				return await helpers.helpers.httpRequest({ ...requestOptions, allowedDomains });
			},
		},
	} as IHttpRequestHelper;
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialTypes: ICredentialTypes,
		readonly store: CredentialStore,
	) {
		super();
	}

	private type(typeName: string): ICredentialType {
		return this.credentialTypes.getByName(typeName);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const { authenticate } = this.type(typeName);
		if (!authenticate) return requestOptions;

		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}

		if (authenticate.type === 'generic') {
			const context = workflow && node ? { workflow, node } : expressionWorkflow();
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const resolvedKey = this.resolveValue(key, credentials, context.workflow, context.node);
					const resolvedValue = this.resolveValue(
						value,
						credentials,
						context.workflow,
						context.node,
					);
					target[outerKey] ??= {};
					target[outerKey][resolvedKey] = resolvedValue;
				}
			}
		}
		return requestOptions;
	}

	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials } as IWorkflowDataProxyAdditionalKeys,
			undefined,
			'',
		);
		return resolved ? String(resolved) : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.type(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined) return undefined;
		if (typeof credentialType.preAuthentication !== 'function') return undefined;

		// The cli's credential test runs a temporary noOp node with parameter `temp: ''`.
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) {
			return undefined;
		}

		const output = await credentialType.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		const key = this.store.resolveKey(node.credentials?.[credentialType.name], credentialType.name);
		this.store.record('preAuthentication', key, credentialType.name);
		if (output[expirable.name] === undefined) return undefined;

		if (node.credentials) {
			// Persist onto the stored (raw) data, never overwriting a field stored as an
			// expression with this run's resolved value.
			const stored = this.store.get(key);
			const toPersist: ICredentialDataDecryptedObject = { ...stored };
			for (const [field, value] of Object.entries(output as ICredentialDataDecryptedObject)) {
				if (field === expirable.name || !isExpression(stored[field])) toPersist[field] = value;
			}
			await this.updateCredentials(
				node.credentials[credentialType.name] ?? { id: key, name: key },
				credentialType.name,
				toPersist,
			);
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.type(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		this.store.record('runPreAuthentication', typeName, typeName);
		return (output as ICredentialDataDecryptedObject) ?? undefined;
	}

	getParentTypes(typeName: string): string[] {
		return this.credentialTypes.getParentTypes(typeName);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!this.credentialTypes.recognizes(credentialType)) return true;
		const typeDef = this.type(credentialType);
		if (!typeDef.restrictToSupportedNodes) return true;
		return this.credentialTypes.getSupportedNodes(credentialType).includes(nodeType);
	}

	async getCredentials(
		nodeCredential: INodeCredentialsDetails,
		type: string,
	): Promise<Credentials> {
		const key = this.store.resolveKey(nodeCredential, type);
		const credentials = new Credentials({ id: key, name: nodeCredential?.name ?? key }, type);
		await credentials.setData(this.store.get(key));
		return credentials;
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store.get(this.store.resolveKey(nodeCredentials, type));
		if (raw === true) return stored;
		return await this.applyDefaultsAndOverwrites(
			additionalData,
			stored,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** Type defaults (incl. inherited ones) + expression resolution, as the cli applies them. */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(type);

		const storedData = { ...decryptedDataOriginal };
		for (const field of OAUTH_PINNED_FIELDS) {
			if (properties.some((p) => p.name === field && p.type === 'hidden')) delete storedData[field];
		}

		let decryptedData = NodeHelpers.getNodeParameters(
			properties,
			storedData as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;

		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			// Not a declared property, so getNodeParameters dropped it.
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}
		for (const field of ['allowedHttpRequestDomains', 'allowedDomains']) {
			if (decryptedData[field] === undefined && decryptedDataOriginal[field] !== undefined) {
				decryptedData[field] = decryptedDataOriginal[field];
			}
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			try {
				decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
					decryptedData as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} catch (error) {
				(error as Error).message += ' [Error resolving credentials]';
				throw error;
			}
		} else {
			const { workflow, node } = expressionWorkflow();
			decryptedData = workflow.expression.getComplexParameterValue(
				node,
				decryptedData as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		}
		return decryptedData;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const key = this.store.resolveKey(nodeCredentials, type);
		this.store.record('update', key, type, data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const key = this.store.resolveKey(nodeCredentials, type);
		const stored = this.store.get(key);
		this.store.record('oauthTokenData', key, type, {
			...stored,
			oauthTokenData: deepCopy(data.oauthTokenData as IDataObject),
		});
	}

	/** The type's properties merged over its parents' (parents first; the type wins). */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.getByName(type);
		if (credentialType === undefined) {
			throw new UnexpectedError('Unknown credential type', { tags: { credentialType: type } });
		}
		if (credentialType.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [
					...credentialType.properties,
					{
						displayName: 'oauthTokenData',
						name: 'oauthTokenData',
						type: 'json',
						required: false,
						default: {},
					},
				];
			}
			return credentialType.properties;
		}
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}
}
