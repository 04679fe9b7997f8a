/* eslint-disable n8n-nodes-base/node-filename-against-convention */
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as usage from './usage';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Cisco XaaS Billing',
	name: 'ciscoXaasBilling',
	icon: 'file:ciscoXaasBilling.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description: "Fetch Cisco XaaS usage for Summary Invoices: each invoice's usage ZIP as rows, exact totals or the CSV file",
	defaults: {
		name: 'Cisco XaaS Billing',
	},
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		{
			name: 'ciscoXaasBillingApi',
			required: true,
		},
	],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [{ name: 'Usage', value: 'usage' }],
			default: 'usage',
		},
		...usage.description,
	],
};
