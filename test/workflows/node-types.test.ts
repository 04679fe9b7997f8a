import fs from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodeTypeDescription } from 'n8n-workflow';

import { loadPack, type LoadedPackage } from '../harness';
import { EXAMPLES, WORKFLOWS_DIR, readWorkflow } from './examples';

/**
 * Every node of every example is a node type (and version) that the pinned n8n-nodes-base or
 * this pack has, and every parameter, option and credential it sets is one that node type
 * declares: a workflow that imports with unknown parameters would silently lose them. n8n's
 * own node descriptions are read from n8n-nodes-base's types file, which is what the editor
 * shows (loading Send Email and Slack themselves needs ES modules, which jest cannot load).
 */
const BASE_TYPES = JSON.parse(
	fs.readFileSync(
		path.join(
			path.dirname(require.resolve('n8n-nodes-base/package.json')),
			'dist',
			'types',
			'nodes.json',
		),
		'utf8',
	),
) as INodeTypeDescription[];

let pack: LoadedPackage;
beforeAll(async () => (pack = await loadPack({ baseNodes: false })));

function describe_(type: string, version: number): INodeTypeDescription | undefined {
	if (type.startsWith('n8n-nodes-base.')) {
		const name = type.slice('n8n-nodes-base.'.length);
		return BASE_TYPES.find(
			(description) => description.name === name && [description.version].flat().includes(version),
		);
	}
	try {
		return pack.nodeTypes.getByNameAndVersion(type, version).description;
	} catch {
		return undefined;
	}
}

/** A resource locator as the editor saves it: `{ __rl: true, mode, value }` with a mode it has. */
function locatorProblems(value: unknown, declared: INodeProperties[], where: string): string[] {
	const modes = declared.flatMap((property) => (property.modes ?? []).map((mode) => mode.name));
	const locator = value as { __rl?: unknown; mode?: unknown; value?: unknown };
	if (
		typeof value !== 'object' ||
		value === null ||
		locator.__rl !== true ||
		!('value' in locator)
	) {
		return [
			`${where} is a resource locator: save it as { __rl: true, mode, value } (modes: ${modes.join(', ')})`,
		];
	}
	return modes.includes(String(locator.mode))
		? []
		: [`${where} has mode ${String(locator.mode)}, not one of ${modes.join(', ')}`];
}

/** What a parameter value sets that no property (of any that share its name) declares. */
function problemsOf(value: unknown, properties: INodeProperties[], where: string): string[] {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
	const problems: string[] = [];
	for (const [key, child] of Object.entries(value)) {
		const declared = properties.filter((property) => property.name === key);
		if (declared.length === 0) {
			problems.push(
				`${where}.${key} is not a parameter (known: ${[...new Set(properties.map((property) => property.name))].join(', ')})`,
			);
			continue;
		}
		const locators = declared.filter((candidate) => candidate.type === 'resourceLocator');
		if (locators.length) problems.push(...locatorProblems(child, locators, `${where}.${key}`));
		const collections = declared.filter((candidate) => candidate.type === 'collection');
		if (collections.length) {
			const options = collections.flatMap(
				(property) => (property.options ?? []) as INodeProperties[],
			);
			problems.push(...problemsOf(child, options, `${where}.${key}`));
		}
		const fixed = declared.filter((candidate) => candidate.type === 'fixedCollection');
		if (fixed.length) {
			const groups = fixed.flatMap(
				(property) => (property.options ?? []) as INodePropertyCollection[],
			);
			for (const [groupName, entries] of Object.entries(child as object)) {
				const group = groups.find((candidate) => candidate.name === groupName);
				if (!group) {
					problems.push(`${where}.${key}.${groupName} is not a group of ${key}`);
					continue;
				}
				for (const entry of [entries].flat())
					problems.push(...problemsOf(entry, group.values, `${where}.${key}.${groupName}`));
			}
		}
	}
	return problems;
}

describe.each(Object.values(EXAMPLES))('%s', (file) => {
	const workflow = readWorkflow(file);

	it('uses only node types and versions that exist', () => {
		const missing = workflow.nodes
			.filter((node) => !describe_(node.type, node.typeVersion))
			.map((node) => `${node.name} (${node.type} v${node.typeVersion})`);
		expect(missing).toEqual([]);
	});

	it('sets only parameters, options and credentials its nodes declare, resource locators in the shape the editor saves', () => {
		const problems = workflow.nodes.flatMap((node) => {
			const description = describe_(node.type, node.typeVersion);
			if (!description) return [];
			const credentialProblems = Object.keys(node.credentials ?? {})
				.filter(
					(type) => !(description.credentials ?? []).some((credential) => credential.name === type),
				)
				.map((type) => `${node.name}: credential ${type} is not one of the node's`);
			return [
				...problemsOf(node.parameters, description.properties, node.name),
				...credentialProblems,
			];
		});
		expect(problems).toEqual([]);
	});

	it('names credentials by type only, so they import into any n8n', () => {
		for (const node of workflow.nodes) {
			for (const reference of Object.values(node.credentials ?? {}))
				expect((reference as { id: string }).id).toBe('');
		}
	});

	it('connects only nodes it has', () => {
		const names = new Set(workflow.nodes.map((node) => node.name));
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names.has(from)).toBe(true);
			for (const connection of Object.values(outputs).flat(2))
				expect(names.has((connection as { node: string }).node)).toBe(true);
		}
	});
});

it('ships no other workflow files', () => {
	expect(
		fs
			.readdirSync(WORKFLOWS_DIR)
			.filter((name) => name.endsWith('.json'))
			.sort(),
	).toEqual(Object.values(EXAMPLES).sort());
});
