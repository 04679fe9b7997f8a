import type { INodeProperties, INodePropertyCollection, INodeTypeDescription } from 'n8n-workflow';

import { loadPack } from '../harness';

/**
 * Every parameter the editor shows says what it is for: a description (the tooltip) or a
 * hint (the line under the field). Notices are text themselves. Walks each node's
 * properties and everything nested in them: collection options, fixedCollection values.
 */
function undescribed(properties: INodeProperties[], path: string[]): string[] {
	return properties.flatMap((property) => {
		const where = [...path, property.displayName];
		const own =
			property.type === 'notice' || property.description || property.hint
				? []
				: [where.join(' › ')];
		return [...own, ...nested(property, where)];
	});
}

function nested(property: INodeProperties, where: string[]): string[] {
	if (property.type === 'collection')
		return undescribed((property.options ?? []) as INodeProperties[], where);
	if (property.type === 'fixedCollection') {
		return ((property.options ?? []) as INodePropertyCollection[]).flatMap((group) =>
			undescribed(group.values, [...where, group.displayName]),
		);
	}
	return [];
}

let nodes: INodeTypeDescription[];
beforeAll(async () => {
	const pack = await loadPack({ baseNodes: false });
	nodes = pack.loader.types.nodes;
});

it('loads every node of the pack', () => {
	expect(nodes.map((node) => node.name).sort()).toEqual([
		'billingReconcile',
		'ciscoXaasBilling',
		'microsoftPartnerBilling',
		'webexWholesaleBilling',
	]);
});

it('describes every parameter of every node, nested ones included', () => {
	const missing = nodes.flatMap((node) => undescribed(node.properties, [node.displayName]));
	expect(missing).toEqual([]);
});

it('finds a parameter without a description however deep it sits', () => {
	const properties: INodeProperties[] = [
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			default: {},
			description: 'Options',
			options: [
				{
					displayName: 'Pairs',
					name: 'pairs',
					type: 'fixedCollection',
					default: {},
					hint: 'Pairs',
					options: [
						{
							displayName: 'Values',
							name: 'values',
							values: [{ displayName: 'Field', name: 'field', type: 'string', default: '' }],
						},
					],
				},
			],
		},
		{ displayName: 'Read this first', name: 'notice', type: 'notice', default: '' },
	];
	expect(undescribed(properties, ['Node'])).toEqual(['Node › Options › Pairs › Values › Field']);
});
