import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules, returnAllAndLimitProperties } from '../../../shared/n8n/parameters';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';
import { createPartnerCenterClient, invoiceToJson, listInvoices, type Invoice } from '../../transport/partnerCenter';
import { invoiceTimeoutMinutes, matches, newestFirst, readFilters, timeoutMinutesOption } from './common';

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
				description: "Only documents of this documentType, as Partner Center writes it (Invoice, Credit Note); case-insensitive",
			},
			{
				displayName: 'Invoice Type',
				name: 'invoiceType',
				type: 'string',
				default: '',
				placeholder: 'e.g. Recurring',
				description: "Only invoices of this invoiceType, as Partner Center writes it (e.g. Recurring, OneTime); case-insensitive",
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'Whether to leave out invoices already output, and how long the calls may take',
		options: [
			{
				displayName: 'Skip Invoices Already Output',
				name: 'skipAlreadyOutput',
				type: 'boolean',
				default: false,
				description:
					"Whether to leave out the invoices this node output in an earlier execution (n8n keeps their IDs in its database, so queue-mode workers know them too). Applied after the filters, the order and Limit: with Limit 1, a newest invoice already output gives nothing, not an older one.",
			},
			timeoutMinutesOption,
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['invoice'], operation: ['getAll'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number, run: NodeRun): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const returnAll = rules.flag(this.getNodeParameter('returnAll', itemIndex), 'Return All', false);
	const limit = returnAll ? Infinity : rules.number(this.getNodeParameter('limit', itemIndex), 'Limit', { min: 1, whole: true, fallback: 50 });
	const filters = readFilters(this, rules, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const skipAlreadyOutput = rules.flag(options.skipAlreadyOutput, 'Skip Invoices Already Output', false);
	const client = await createPartnerCenterClient(this, itemIndex, invoiceTimeoutMinutes(rules, options));
	// Partner Center's order is not documented, and filters are applied here: all pages are read.
	const invoices = (await listInvoices(client)).filter((invoice) => matches(invoice, filters)).sort(newestFirst).slice(0, limit);
	if (!skipAlreadyOutput) return invoices.map((invoice) => ({ json: invoiceToJson(invoice) }));
	// Skipped after Limit, so an invoice already output is never replaced by an older one.
	const fresh: Invoice[] = [];
	for (const invoice of invoices) if (!(await hasSeen(this, memoryKey(invoice), itemIndex))) fresh.push(invoice);
	// Remembered once the node's output is complete: a run whose node failed outputs them again.
	run.whenOutputComplete(async () => {
		for (const invoice of fresh) await rememberSeen(this, memoryKey(invoice), itemIndex);
	});
	return fresh.map((invoice) => ({ json: invoiceToJson(invoice) }));
}

/** The invoice's key in the node's memory (Partner Center's ID is unique per partner). */
const memoryKey = (invoice: Invoice) => `invoice:${String(invoice.id ?? '')}`;
