import { NodeHelpers, Workflow, type INode, type INodeParameters } from 'n8n-workflow';

import { loadPack, type LoadedPackage } from '../harness';

/** The line the editor shows under a node's name, computed as the editor does it. */
function subtitle(pack: LoadedPackage, name: string, parameters: INodeParameters): unknown {
	const type = pack.nodeType(name);
	const { description } = pack.nodeTypes.getByNameAndVersion(type, 1);
	const node: INode = {
		id: 'n',
		name: 'Node',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	node.parameters =
		NodeHelpers.getNodeParameters(
			description.properties,
			parameters,
			true,
			false,
			node,
			description,
		) ?? {};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: pack.nodeTypes,
	});
	return workflow.expression.getSimpleParameterValue(node, description.subtitle!, 'internal', {});
}

let pack: LoadedPackage;
beforeAll(async () => (pack = await loadPack({ baseNodes: false })));

it('Billing Reconcile names the key it matches on', () => {
	const matchFields = {
		values: [
			{ fieldA: 'customerId', fieldB: 'CUSTOMER_ID' },
			{ fieldA: 'sku', fieldB: '' },
		],
	};
	expect(subtitle(pack, 'billingReconcile', { matchFields })).toBe('Key: customerId, sku');
});

it('Billing Reconcile says when no key is set yet', () => {
	expect(subtitle(pack, 'billingReconcile', {})).toBe('Key: not set');
	expect(subtitle(pack, 'billingReconcile', { matchFields: {} })).toBe('Key: not set');
});

it.each([
	['webexWholesaleBilling', { operation: 'download' }, 'download: report'],
	['microsoftPartnerBilling', { operation: 'getStatus' }, 'getStatus: export'],
	['ciscoXaasBilling', { operation: 'getDownloadLinks' }, 'getDownloadLinks: usage'],
])('%s names its operation and resource', (name, parameters, expected) => {
	expect(subtitle(pack, name, parameters)).toBe(expected);
});
