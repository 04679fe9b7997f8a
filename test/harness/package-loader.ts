/**
 * Loads a community package the way n8n does — n8n-core's PackageDirectoryLoader reads the
 * `n8n` section of package.json and instantiates every listed node and credential class —
 * and fails loudly where n8n would only log and skip (missing files, wrong class names,
 * icons that do not resolve, credentials nobody provides).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { LazyPackageDirectoryLoader, PackageDirectoryLoader } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
	IVersionedNodeType,
	Themed,
} from 'n8n-workflow';

import { repoRoot } from '../helpers/repoRoot';
import { testCredential, type CredentialTestResult } from './credential-test';
import { ensureN8nEnvironment } from './environment';
import { searchList, type SearchListOptions } from './list-search';
import {
	DEFAULT_BASE_NODES,
	HarnessCredentialTypes,
	HarnessNodeTypes,
	N8N_NODES_BASE,
} from './registry';
import {
	executeNode,
	runWorkflow,
	type ExecuteNodeOptions,
	type NodeResult,
	type RunWorkflowOptions,
	type WorkflowExecution,
} from './run-workflow';

/**
 * Root of this repository: the pack itself, loadable once built (`npm run build`). The
 * nearest folder up with a package.json, so that the benchmarks' compiled copy of this file
 * (in .bench/test/harness/) finds it too.
 */
export const PACK_DIR = repoRoot(__dirname);

export interface LoadPackageOptions {
	/** n8n-nodes-base nodes to make available besides manualTrigger, noOp and set. */
	extraNodes?: string[];
	/**
	 * Load into a fresh module registry (jest.isolateModulesAsync), as another queue-mode
	 * worker would: the package's modules — and n8n's, including its DI container — are
	 * new instances, so no module-level state is shared with other loads. Run one execution
	 * on each of two such packs to prove state travels only through n8n (static data,
	 * credentials, binary data).
	 */
	isolateModules?: boolean;
	/**
	 * Load n8n-nodes-base's nodes beside the package (default true). Off only for a process
	 * that measures the package alone (benchmarks): only n8n-nodes-base's credential types
	 * remain (the parents, such as oAuth2Api), so workflows have no Manual Trigger and start
	 * from their first node (`runWorkflow({ startNode })`).
	 */
	baseNodes?: boolean;
}

export interface LoadedPackage {
	/** npm name of the package; n8n prefixes its node types with it. */
	readonly packageName: string;
	readonly packageDir: string;
	/** n8n-core's loader that loaded the package (nodeTypes/credentialTypes/known/types). */
	readonly loader: PackageDirectoryLoader;
	/** This package's nodes + the named n8n-nodes-base nodes. */
	readonly nodeTypes: HarnessNodeTypes;
	/** This package's credential types + n8n-nodes-base's (oAuth2Api & co.). */
	readonly credentialTypes: HarnessCredentialTypes;
	/** Full node type name: 'httpProbe' → '<package>.httpProbe'; full names pass through. */
	nodeType(name: string): string;
	runWorkflow(options: Omit<RunWorkflowOptions, 'pack'>): WorkflowExecution;
	executeNode(options: Omit<ExecuteNodeOptions, 'pack'>): Promise<NodeResult>;
	testCredential(
		credentialType: string,
		data: ICredentialDataDecryptedObject,
	): Promise<CredentialTestResult>;
	/** A resource locator's "From list" page, as the editor asks for it. */
	searchList(options: Omit<SearchListOptions, 'pack'>): Promise<INodeListSearchResult>;
}

/** Thrown when a package would not load cleanly in n8n. Lists every problem found. */
export class PackageLoadError extends Error {
	constructor(
		readonly packageDir: string,
		readonly problems: string[],
	) {
		super(
			`Package at ${packageDir} does not load cleanly in n8n:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
		);
		this.name = 'PackageLoadError';
	}
}

interface N8nSection {
	nodes?: unknown;
	credentials?: unknown;
}

function readPackageJson(packageDir: string): { name: string; n8n: N8nSection } {
	const file = path.join(packageDir, 'package.json');
	if (!existsSync(file)) throw new PackageLoadError(packageDir, ['package.json does not exist']);
	let json: { name?: unknown; n8n?: unknown };
	try {
		json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
	} catch (error) {
		throw new PackageLoadError(packageDir, [
			`package.json is not valid JSON: ${(error as Error).message}`,
		]);
	}
	const problems: string[] = [];
	if (typeof json.name !== 'string' || json.name === '')
		problems.push('package.json has no "name"');
	if (typeof json.n8n !== 'object' || json.n8n === null) {
		problems.push('package.json has no "n8n" section, so n8n would load nothing from it');
	}
	if (problems.length) throw new PackageLoadError(packageDir, problems);
	return json as { name: string; n8n: N8nSection };
}

/**
 * What n8n's loader would trip over before or while instantiating the classes: a listed
 * file that does not exist, or a file without an export named after it (n8n instantiates
 * `require(file)[<file name up to the first dot>]`).
 */
function checkListedFiles(packageDir: string, n8n: N8nSection): string[] {
	const problems: string[] = [];
	for (const kind of ['nodes', 'credentials'] as const) {
		const list = n8n[kind];
		if (list === undefined) continue;
		if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
			problems.push(`n8n.${kind} must be an array of file paths`);
			continue;
		}
		(list as string[]).forEach((relativePath, index) => {
			const where = `n8n.${kind}[${index}] "${relativePath}"`;
			const file = path.resolve(packageDir, relativePath);
			if (!existsSync(file)) {
				const hint = existsSync(path.dirname(file))
					? 'fix the path in package.json or the file name'
					: `${path.relative(packageDir, path.dirname(file))}/ does not exist either — was the package built?`;
				problems.push(`${where} does not exist (${hint})`);
				return;
			}
			const className = path.basename(relativePath).split('.')[0];
			let exported: Record<string, unknown>;
			try {
				// A compiled file named in package.json, loaded by path at run time as n8n loads it.
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				exported = require(file) as Record<string, unknown>;
			} catch (error) {
				problems.push(`${where} fails to load: ${(error as Error).message}`);
				return;
			}
			if (typeof exported?.[className] !== 'function') {
				const names = Object.keys(exported ?? {});
				problems.push(
					`${where} exports no class "${className}" (n8n instantiates the export named after the file); it exports: ${names.length ? names.join(', ') : 'nothing'}`,
				);
			}
		});
	}
	return problems;
}

type IconUrl = string | Themed<string> | undefined;

function checkIcon(
	loader: PackageDirectoryLoader,
	owner: string,
	iconUrl: IconUrl,
	icon: unknown,
): string[] {
	const problems: string[] = [];
	const prefix = `icons/${loader.packageName}/`;
	const urls =
		typeof iconUrl === 'string' ? [iconUrl] : iconUrl ? [iconUrl.light, iconUrl.dark] : [];
	for (const url of urls) {
		const relative = url.startsWith(prefix) ? url.slice(prefix.length) : url;
		const file = path.resolve(loader.directory, relative);
		if (!existsSync(file)) problems.push(`${owner} icon "${relative}" does not exist`);
	}
	// n8n only converts `file:` icons when every variant is a file; a half-converted themed
	// icon would point the UI at nothing.
	const themed = icon as Themed<string> | undefined;
	if (
		themed &&
		typeof themed === 'object' &&
		[themed.light, themed.dark].some((v) => v?.startsWith('file:'))
	) {
		problems.push(`${owner} icon mixes file: and non-file icons (${JSON.stringify(icon)})`);
	}
	return problems;
}

function nodeDescriptions(type: INodeType | IVersionedNodeType): INodeTypeDescription[] {
	if ('nodeVersions' in type) {
		return Object.values(type.nodeVersions).map((versioned) => versioned.description);
	}
	return [type.description];
}

function checkLoadedTypes(
	loader: PackageDirectoryLoader,
	credentialTypes: HarnessCredentialTypes,
): string[] {
	const problems: string[] = [];
	for (const [nodeName, { type }] of Object.entries(loader.nodeTypes)) {
		const owner = `node "${loader.packageName}.${nodeName}"`;
		const descriptions = [type.description as INodeTypeDescription, ...nodeDescriptions(type)];
		for (const description of new Set(descriptions)) {
			problems.push(...checkIcon(loader, owner, description.iconUrl, description.icon));
			for (const { name } of description.credentials ?? []) {
				if (!credentialTypes.recognizes(name)) {
					problems.push(
						`${owner} uses credential type "${name}", which no loaded package provides`,
					);
				}
			}
		}
	}
	for (const [credentialName, { type }] of Object.entries(loader.credentialTypes)) {
		const owner = `credential "${credentialName}"`;
		problems.push(...checkIcon(loader, owner, type.iconUrl, type.icon));
		for (const parent of type.extends ?? []) {
			if (!credentialTypes.recognizes(parent)) {
				problems.push(`${owner} extends "${parent}", which no loaded package provides`);
			}
		}
	}
	return [...new Set(problems)];
}

/**
 * Loads the community package in `packageDir` through n8n-core's PackageDirectoryLoader,
 * plus n8n-nodes-base (lazily, through its own LazyPackageDirectoryLoader) for the n8n
 * nodes and parent credential types tests need. Throws PackageLoadError listing every
 * problem that would make n8n skip or break a node or credential.
 */
export async function loadPackage(
	packageDir: string,
	options: LoadPackageOptions = {},
): Promise<LoadedPackage> {
	if (options.isolateModules) return await loadInFreshModuleRegistry(packageDir, options);
	await ensureN8nEnvironment();
	const directory = path.resolve(packageDir);
	const { n8n } = readPackageJson(directory);

	const fileProblems = checkListedFiles(directory, n8n);
	if (fileProblems.length) throw new PackageLoadError(directory, fileProblems);

	const loader = new PackageDirectoryLoader(directory);
	try {
		await loader.loadAll();
	} catch (error) {
		throw new PackageLoadError(directory, [
			`n8n's PackageDirectoryLoader failed: ${(error as Error).message}`,
		]);
	}

	const baseDir = path.dirname(require.resolve(`${N8N_NODES_BASE}/package.json`));
	const loaders = new Map<string, PackageDirectoryLoader>([[loader.packageName, loader]]);
	if (loader.packageName !== N8N_NODES_BASE) {
		const baseLoader = new LazyPackageDirectoryLoader(baseDir);
		if (options.baseNodes === false) {
			// Credential types only, each loaded when first asked for: parents such as oAuth2Api
			// live in n8n-nodes-base, while its 9 MB of node descriptions would cost 40 MB of heap.
			baseLoader.known.credentials = JSON.parse(
				readFileSync(path.join(baseDir, 'dist/known/credentials.json'), 'utf8'),
			);
			baseLoader.isLazyLoaded = true;
		} else {
			await baseLoader.loadAll();
		}
		loaders.set(N8N_NODES_BASE, baseLoader);
	}

	const credentialTypes = new HarnessCredentialTypes(loaders);
	const typeProblems = checkLoadedTypes(loader, credentialTypes);
	if (typeProblems.length) throw new PackageLoadError(directory, typeProblems);

	const nodeTypes = new HarnessNodeTypes(
		loaders,
		options.baseNodes === false ? [] : [...DEFAULT_BASE_NODES, ...(options.extraNodes ?? [])],
	);

	const pack: LoadedPackage = {
		packageName: loader.packageName,
		packageDir: directory,
		loader,
		nodeTypes,
		credentialTypes,
		nodeType: (name) => (name.includes('.') ? name : `${loader.packageName}.${name}`),
		runWorkflow: (runOptions) => runWorkflow({ ...runOptions, pack }),
		executeNode: async (nodeOptions) => await executeNode({ ...nodeOptions, pack }),
		testCredential: async (credentialType, data) =>
			await testCredential({ pack, credentialType, data }),
		searchList: async (searchOptions) => await searchList({ ...searchOptions, pack }),
	};
	return pack;
}

async function loadInFreshModuleRegistry(
	packageDir: string,
	options: LoadPackageOptions,
): Promise<LoadedPackage> {
	if (typeof jest === 'undefined') throw new Error('isolateModules needs to run under jest');
	let pack: LoadedPackage | undefined;
	await jest.isolateModulesAsync(async () => {
		// Load n8n-core into the fresh registry before the harness's own TypeScript modules:
		// the other order crashes V8 under ts-jest ("Fatal JavaScript invalid size error").
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		require('n8n-core');
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const fresh = require('./package-loader') as typeof import('./package-loader');
		pack = await fresh.loadPackage(packageDir, { ...options, isolateModules: false });
	});
	return pack!;
}

/** Loads this repository's pack from its build output (run `npm run build` first). */
export async function loadPack(options: LoadPackageOptions = {}): Promise<LoadedPackage> {
	return await loadPackage(PACK_DIR, options);
}
