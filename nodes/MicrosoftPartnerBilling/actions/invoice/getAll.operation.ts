import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection, returnAllAndLimitProperties } from '../../../shared/n8n/properties';
import { seenAmong } from '../../../shared/n8n/seenStore';
import {
	createPartnerCenterClient,
	invoiceToJson,
	listInvoices,
} from '../../transport/partnerCenter';
import { invoiceTimeoutMinutes, reconciledKey, timeoutMinutesOption } from './common';
import { invoiceFilters, matches, newestFirst, readInvoiceFilters } from './invoiceFilters';

const properties: INodeProperties[] = [
	...returnAllAndLimitProperties,
	invoiceFilters,
	optionsCollection(
		'Whether to leave out invoices already reconciled, and how long the calls may take',
		[
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
	),
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
	const filters = readInvoiceFilters(rules);
	const options = rules.collection('options');
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
