/**
 * Node and credential type registries over n8n-core's directory loaders — the harness's
 * counterpart of the cli's LoadNodesAndCredentials + NodeTypes + CredentialTypes.
 *
 * n8n names a node type `<package name>.<description.name>`; credential types keep their
 * bare `name` (they are global across packages).
 */
import type { PackageDirectoryLoader } from 'n8n-core';
import type {
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, UserError } from 'n8n-workflow';

export const N8N_NODES_BASE = 'n8n-nodes-base';

/** n8n-nodes-base nodes every registry has: enough to start a workflow and pass items on. */
export const DEFAULT_BASE_NODES = [
	'n8n-nodes-base.manualTrigger',
	'n8n-nodes-base.noOp',
	'n8n-nodes-base.set',
] as const;

/** Splits `package.name` at the last dot (package names may contain dots; node names do not). */
function splitNodeType(fullNodeType: string): { packageName: string; nodeName: string } {
	const lastDot = fullNodeType.lastIndexOf('.');
	if (lastDot <= 0) {
		throw new UserError(
			`"${fullNodeType}" is not a full node type name; n8n names node types "<package>.<node name>", e.g. "n8n-nodes-base.noOp"`,
		);
	}
	return { packageName: fullNodeType.slice(0, lastDot), nodeName: fullNodeType.slice(lastDot + 1) };
}

/**
 * Node types of the loaded packages. Nodes of the package under test are all available;
 * n8n-nodes-base nodes only when named (DEFAULT_BASE_NODES + `extraNodes`), so a test
 * states which of n8n's nodes it depends on. They load lazily, on first use, from
 * n8n-nodes-base's dist like n8n's LazyPackageDirectoryLoader does.
 */
export class HarnessNodeTypes implements INodeTypes {
	private readonly allowedBaseNodes: ReadonlySet<string>;

	constructor(
		private readonly loaders: ReadonlyMap<string, PackageDirectoryLoader>,
		baseNodes: readonly string[],
	) {
		const base = loaders.get(N8N_NODES_BASE);
		for (const fullName of baseNodes) {
			const { packageName, nodeName } = splitNodeType(fullName);
			if (packageName !== N8N_NODES_BASE) {
				throw new UserError(
					`extraNodes takes n8n-nodes-base node types; "${fullName}" belongs to ${packageName}`,
				);
			}
			if (!base || !(nodeName in base.known.nodes)) {
				throw new UserError(
					`n8n-nodes-base ${base?.packageJson.version ?? '(not loaded)'} has no node "${fullName}"`,
				);
			}
		}
		this.allowedBaseNodes = new Set(baseNodes);
	}

	/** A registry with more n8n-nodes-base nodes (this one is left unchanged). */
	withNodes(extraNodes: readonly string[] = []): HarnessNodeTypes {
		if (extraNodes.every((name) => this.allowedBaseNodes.has(name))) return this;
		return new HarnessNodeTypes(this.loaders, [...this.allowedBaseNodes, ...extraNodes]);
	}

	has(fullNodeType: string): boolean {
		const { packageName, nodeName } = splitNodeType(fullNodeType);
		if (packageName === N8N_NODES_BASE && !this.allowedBaseNodes.has(fullNodeType)) return false;
		const loader = this.loaders.get(packageName);
		return !!loader && nodeName in loader.known.nodes;
	}

	getByName(fullNodeType: string): INodeType | IVersionedNodeType {
		const { packageName, nodeName } = splitNodeType(fullNodeType);
		if (packageName === N8N_NODES_BASE && !this.allowedBaseNodes.has(fullNodeType)) {
			throw new UserError(
				`Node type "${fullNodeType}" is not in this harness's registry. Name it in extraNodes: ['${fullNodeType}']`,
			);
		}
		const loader = this.loaders.get(packageName);
		if (!loader) {
			throw new UserError(
				`Node type "${fullNodeType}": no loaded package is called "${packageName}" (loaded: ${[...this.loaders.keys()].join(', ')})`,
			);
		}
		if (!(nodeName in loader.known.nodes)) {
			throw new UserError(
				`Node type "${fullNodeType}": package ${packageName} has no node "${nodeName}" (it has: ${Object.keys(loader.known.nodes).join(', ')})`,
			);
		}
		return loader.getNode(nodeName).type;
	}

	getByNameAndVersion(fullNodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(fullNodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const [packageName, loader] of this.loaders) {
			for (const [nodeName, details] of Object.entries(loader.known.nodes)) {
				const fullName = `${packageName}.${nodeName}`;
				if (packageName === N8N_NODES_BASE && !this.allowedBaseNodes.has(fullName)) continue;
				known[fullName] = { ...details };
			}
		}
		return known;
	}
}

/**
 * Credential types of all loaded packages (the package under test first, so it could shadow
 * n8n's own; n8n-nodes-base provides the parents such as oAuth2Api).
 */
export class HarnessCredentialTypes implements ICredentialTypes {
	constructor(private readonly loaders: ReadonlyMap<string, PackageDirectoryLoader>) {}

	private loaderOf(type: string): PackageDirectoryLoader | undefined {
		for (const loader of this.loaders.values()) {
			if (type in loader.known.credentials) return loader;
		}
		return undefined;
	}

	recognizes(type: string): boolean {
		return this.loaderOf(type) !== undefined;
	}

	getByName(type: string): ICredentialType {
		const loader = this.loaderOf(type);
		if (!loader) {
			throw new UserError(`Unknown credential type "${type}": no loaded package provides it`);
		}
		return loader.getCredential(type).type;
	}

	getSupportedNodes(type: string): string[] {
		const loader = this.loaderOf(type);
		if (!loader) return [];
		return (loader.known.credentials[type]?.supportedNodes ?? []).map(
			(nodeName) => `${loader.packageName}.${nodeName}`,
		);
	}

	/** All ancestors, nearest first (like the cli's CredentialTypes.getParentTypes). */
	getParentTypes(type: string): string[] {
		const loader = this.loaderOf(type);
		const parents = loader?.known.credentials[type]?.extends ?? this.getByNameSafe(type)?.extends;
		if (!parents?.length) return [];
		return [...parents, ...parents.flatMap((parent) => this.getParentTypes(parent))];
	}

	private getByNameSafe(type: string): ICredentialType | undefined {
		return this.recognizes(type) ? this.getByName(type) : undefined;
	}
}
