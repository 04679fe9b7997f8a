import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection } from '../../../shared/n8n/properties';
import {
	createPartnerCenterClient,
	getInvoice,
	invoiceToJson,
} from '../../transport/partnerCenter';
import { invoiceTimeoutMinutes, readInvoiceId, timeoutMinutesOption } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '={{ $json.id }}',
		placeholder: 'e.g. G012345678',
		description:
			'The Partner Center invoice ID, as Get Many outputs it in ID and the Graph exports take it',
		hint: 'Microsoft documents this call for app+user (delegated) credentials only',
	},
	optionsCollection('How long the call may take', [timeoutMinutesOption]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['invoice'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const invoiceId = readInvoiceId(this, rules, itemIndex);
	const timeoutMinutes = invoiceTimeoutMinutes(rules, rules.collection('options'));
	const client = await createPartnerCenterClient(this, itemIndex, timeoutMinutes);
	return [{ json: invoiceToJson(await getInvoice(client, invoiceId)) }];
}
