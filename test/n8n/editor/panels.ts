/**
 * What the editor should show for each operation of each pack node, derived from the built
 * nodes' descriptions in dist/ (not a hand-written list): the top-level parameters whose
 * displayOptions hold for that resource and operation with every other parameter at its
 * default, evaluated by n8n-workflow's own NodeHelpers as the editor evaluates them.
 */
import path from 'node:path';

import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type NodeParameterValueType,
} from 'n8n-workflow';

import { REPO_DIR } from '../harness';

/** The pack's nodes as n8n knows them: package name + node name, and the class in dist/. */
export const PACK_NODES = [
	'webexWholesaleBilling',
	'microsoftPartnerBilling',
	'ciscoXaasBilling',
	'billingReconcile',
] as const;
const PACKAGE_NAME = 'n8n-nodes-billing-reconciliation';

export interface Panel {
	/** e.g. 'webexWholesaleBilling report/download' */
	title: string;
	/** node name on the canvas, unique in the workflow */
	nodeName: string;
	type: string;
	typeVersion: number;
	description: INodeTypeDescription;
	/** resource and operation (absent for a node without them), plus values for required parameters */
	parameters: INodeParameters;
	/** the credential type the node uses by default */
	credentialType?: string;
	/** displayNames of the visible top-level parameters, in the description's order */
	expectedLabels: string[];
}

function loadDescription(nodeName: string): INodeTypeDescription {
	const className = nodeName[0].toUpperCase() + nodeName.slice(1);
	const file = path.join(REPO_DIR, 'dist', 'nodes', className, `${className}.node.js`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(file) as Record<string, new () => INodeType>;
	return new module[className]().description;
}

function visibleProperties(
	description: INodeTypeDescription,
	given: INodeParameters,
): { values: INodeParameters; visible: INodeProperties[] } {
	const node = {
		typeVersion:
			description.defaultVersion ??
			(Array.isArray(description.version) ? Math.max(...description.version) : description.version),
		parameters: given,
	} as INode;
	const values =
		NodeHelpers.getNodeParameters(description.properties, given, true, false, node, description) ??
		{};
	const visible = description.properties.filter((property) =>
		NodeHelpers.displayParameter(values, property, node, description),
	);
	return { values, visible };
}

/**
 * A value for a visible required parameter left empty by default, so that the panel has no
 * issue the operation itself did not cause ("Parameter X is required").
 */
function sampleValue(property: INodeProperties): NodeParameterValueType | undefined {
	if (property.type === 'resourceLocator') return { __rl: true, mode: 'id', value: 'sample-id' };
	if (property.type === 'dateTime') return '2026-10-01T00:00:00';
	if (property.type === 'string') return 'sample';
	return undefined;
}

/**
 * n8n shows a node's main authentication choice (the parameter named `authentication`) in
 * the credential slot above the parameters, not as a parameter of its own.
 */
const SHOWN_IN_CREDENTIAL_SLOT = 'authentication';

/** One panel per node and operation; a node without operations has one. */
export function expectedPanels(): Panel[] {
	const panels: Panel[] = [];
	for (const nodeName of PACK_NODES) {
		const description = loadDescription(nodeName);
		const typeVersion = (description.defaultVersion ??
			(Array.isArray(description.version)
				? Math.max(...description.version)
				: description.version)) as number;
		const resourceProperty = description.properties.find(
			(property) => property.name === 'resource',
		);
		const resources = resourceProperty?.options?.map((option) =>
			String((option as { value: string }).value),
		) ?? [undefined];
		for (const resource of resources) {
			const operationProperty = visibleProperties(
				description,
				resource ? { resource } : {},
			).visible.find((property) => property.name === 'operation');
			const operations = operationProperty?.options?.map((option) =>
				String((option as { value: string }).value),
			) ?? [undefined];
			for (const operation of operations) {
				const given: INodeParameters = {
					...(resource ? { resource } : {}),
					...(operation ? { operation } : {}),
				};
				const { values, visible } = visibleProperties(description, given);
				for (const property of visible) {
					const empty =
						values[property.name] === '' ||
						(typeof values[property.name] === 'object' &&
							(values[property.name] as { value?: unknown })?.value === '');
					const sample = property.required && empty ? sampleValue(property) : undefined;
					if (sample !== undefined) given[property.name] = sample;
				}
				const credentialType = description.credentials?.find((credential) => {
					const show = credential.displayOptions?.show?.authentication as string[] | undefined;
					return !show || show.includes(String(values.authentication));
				})?.name;
				const title = [nodeName, [resource, operation].filter(Boolean).join('/')]
					.filter(Boolean)
					.join(' ');
				panels.push({
					title,
					nodeName: `${description.displayName}${resource ? ` ${resource} ${operation}` : ''}`,
					type: `${PACKAGE_NAME}.${nodeName}`,
					typeVersion,
					description,
					parameters: given,
					credentialType,
					expectedLabels: visible
						.filter(
							(property) =>
								property.name !== SHOWN_IN_CREDENTIAL_SLOT && property.type !== 'hidden',
						)
						.map((property) => property.displayName),
				});
			}
		}
	}
	return panels;
}
