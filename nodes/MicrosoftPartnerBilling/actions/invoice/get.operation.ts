import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/parameters';
import { DEFAULT_CALL_BUDGET_MS } from '../../../shared/retry';
import { createPartnerCenterClient, getInvoice, invoiceToJson } from '../../transport/partnerCenter';

const properties: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '={{ $json.id }}',
		placeholder: 'e.g. G012345678',
		description: 'The Partner Center invoice ID, as Get Many outputs it in ID and the Graph exports take it',
		hint: 'Microsoft documents this call for app+user (delegated) credentials only',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['invoice'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const invoiceId = rules.text(this.getNodeParameter('invoiceId', itemIndex), 'Invoice ID').trim();
	if (!/^[A-Za-z0-9-]{1,64}$/.test(invoiceId)) {
		throw rules.refuse('Invoice ID', 'must be a Microsoft invoice number such as G012345678 (letters and digits)', invoiceId);
	}
	const client = await createPartnerCenterClient(this, itemIndex, Date.now() + DEFAULT_CALL_BUDGET_MS);
	return [{ json: invoiceToJson(await getInvoice(client, invoiceId)) }];
}
