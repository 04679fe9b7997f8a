import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as exportResource from './actions/export';
import * as invoiceResource from './actions/invoice';
import { router } from './actions/router';

export class MicrosoftPartnerBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Microsoft Partner Billing',
		name: 'microsoftPartnerBilling',
		icon: {
			light: 'file:microsoftPartnerBilling.svg',
			dark: 'file:microsoftPartnerBilling.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Export Microsoft partner billing data through Graph (billed and unbilled usage and invoice reconciliation) and read it as line items, exact totals or a file; list invoices from Partner Center',
		defaults: {
			name: 'Microsoft Partner Billing',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'microsoftPartnerBillingOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Export', value: 'export' },
					{ name: 'Invoice', value: 'invoice' },
				],
				default: 'export',
				description:
					'Graph partner billing exports (usage or reconciliation line items of an invoice or a billing period), or Partner Center invoices',
			},
			...exportResource.description,
			...invoiceResource.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
