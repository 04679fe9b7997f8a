import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules, returnAllAndLimitProperties } from '../../../shared/n8n/parameters';
import { seenAmong } from '../../../shared/n8n/seenStore';
import {
	createPartnerCenterClient,
	invoiceToJson,
	listInvoices,
} from '../../transport/partnerCenter';
import {
	invoiceTimeoutMinutes,
	matches,
	newestFirst,
	readFilters,
	reconciledKey,
	timeoutMinutesOption,
} from './common';

const properties: INodeProperties[] = [
	...returnAllAndLimitProperties,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Only the invoices that match every filter given',
		options: [
			{
				displayName: 'Billing Period End',
				name: 'periodEnd',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description: 'Only invoices whose billing period ends on or before this day (UTC)',
			},
			{
				displayName: 'Billing Period Start',
				name: 'periodStart',
				type: 'string',
				default: '',
				placeholder: 'YYYY-MM-DD',
				description: 'Only invoices whose billing period starts on or after this day (UTC)',
			},
			{
				displayName: 'Document Type',
				name: 'documentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. Invoice',
				description:
					'Only documents of this documentType, as Partner Center writes it (Invoice, Credit Note); case-insensitive',
			},
			{
				displayName: 'Invoice Type',
				name: 'invoiceType',
				type: 'string',
				default: '',
				placeholder: 'e.g. Recurring',
				description:
					'Only invoices of this invoiceType, as Partner Center writes it (e.g. Recurring, OneTime); case-insensitive',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description:
			'Whether to leave out invoices already reconciled, and how long the calls may take',
		options: [
			{
				displayName: 'Skip Invoices Marked as Reconciled',
				name: 'skipReconciled',
				type: 'boolean',
				default: false,
				description:
					'Whether to leave out the invoices an Invoice › Mark as Reconciled step of this workflow has marked (n8n keeps them in its database, so queue-mode workers know them too). Applied after the filters, the order and Limit: with Limit 1 the newest invoice gives nothing once it is marked, not an older one.',
			},
			timeoutMinutesOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['invoice'], operation: ['getAll'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const limit = rules.limit();
	const filters = readFilters(this, rules, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const skipReconciled = rules.flag(
		options.skipReconciled,
		'Skip Invoices Marked as Reconciled',
		false,
	);
	const client = await createPartnerCenterClient(
		this,
		itemIndex,
		invoiceTimeoutMinutes(rules, options),
	);
	// Partner Center's order is not documented, and filters are applied here: all pages are read.
	const invoices = (await listInvoices(client))
		.filter((invoice) => matches(invoice, filters))
		.sort(newestFirst)
		.slice(0, limit);
	if (!skipReconciled) return invoices.map((invoice) => ({ json: invoiceToJson(invoice) }));
	// Skipped after Limit: with Limit 1 an invoice already reconciled gives nothing, so a second
	// run does nothing and a first run does not walk back through invoices from before the workflow.
	const keys = invoices.map((invoice) => reconciledKey(String(invoice.id ?? '')));
	const reconciled = await seenAmong(this, keys, itemIndex, 'workflow');
	return invoices
		.filter((_, index) => !reconciled.has(keys[index]))
		.map((invoice) => ({ json: invoiceToJson(invoice) }));
}
