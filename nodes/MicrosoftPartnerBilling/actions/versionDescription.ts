/* eslint-disable n8n-nodes-base/node-filename-against-convention */
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as exportResource from './export';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Microsoft Partner Billing',
	name: 'microsoftPartnerBilling',
	icon: 'file:microsoftPartnerBilling.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description:
		'Export Microsoft partner billing data through Graph (billed and unbilled usage and invoice reconciliation) and read it as line items, exact totals or a file',
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
			options: [{ name: 'Export', value: 'export' }],
			default: 'export',
		},
		...exportResource.description,
	],
};
