import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { router } from './actions/router';
import * as usage from './actions/usage';

export class CiscoXaasBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Cisco XaaS Billing',
		name: 'ciscoXaasBilling',
		icon: { light: 'file:ciscoXaasBilling.svg', dark: 'file:ciscoXaasBilling.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			"Fetch Cisco XaaS usage for Summary Invoices: each invoice's usage ZIP as rows, exact totals or the CSV file",
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
				description: 'Usage of Summary Invoices: download links and the usage ZIP behind each',
			},
			...usage.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
