import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import {
	createGraphClient,
	exportFields,
	isBilled,
	operationIdOf,
	startExport,
	waitForOperation,
	type Dataset,
} from '../../transport';
import { timeoutMinutesOption, validateExportRequest } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Dataset',
		name: 'dataset',
		type: 'options',
		options: [
			{
				name: 'Billed Daily Rated Usage',
				value: 'billedUsage',
				description: 'Usage line items of an invoice',
			},
			{
				name: 'Billed Invoice Reconciliation',
				value: 'billedReconciliation',
				description: 'Reconciliation line items of an invoice',
			},
			{
				name: 'Unbilled Daily Rated Usage',
				value: 'unbilledUsage',
				description: 'Usage of the current or last period not invoiced yet',
			},
			{
				name: 'Unbilled Invoice Reconciliation',
				value: 'unbilledReconciliation',
				description: 'Reconciliation line items not invoiced yet',
			},
		],
		default: 'billedReconciliation',
		description:
			'Which line items to export: usage or reconciliation, of an invoice (billed) or of a period not invoiced yet (unbilled)',
	},
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'G012345678',
		description: 'The invoice to export. Billed exports exist for invoices from September 2023 on.',
		displayOptions: { show: { dataset: ['billedUsage', 'billedReconciliation'] } },
	},
	{
		displayName: 'Billing Period',
		name: 'billingPeriod',
		type: 'options',
		options: [
			{ name: 'Current', value: 'current', description: 'The billing period under way' },
			{ name: 'Last', value: 'last', description: 'The period before it, when not invoiced yet' },
		],
		default: 'current',
		description: 'The unbilled billing period to export',
		displayOptions: { show: { dataset: ['unbilledUsage', 'unbilledReconciliation'] } },
	},
	{
		displayName: 'Currency Code',
		name: 'currencyCode',
		type: 'string',
		required: true,
		default: 'USD',
		placeholder: 'USD',
		description: 'Three-letter ISO 4217 code of the billing currency',
		displayOptions: { show: { dataset: ['unbilledUsage', 'unbilledReconciliation'] } },
	},
	{
		displayName: 'Attribute Set',
		name: 'attributeSet',
		type: 'options',
		options: [
			{ name: 'Full', value: 'full', description: 'Every attribute Microsoft documents' },
			{ name: 'Basic', value: 'basic', description: 'The core attributes: smaller and faster' },
		],
		default: 'full',
		description: 'Which attributes each line item carries',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'Whether and how long to wait for Microsoft to produce the export',
		options: [
			timeoutMinutesOption,
			{
				displayName: 'Wait for Completion',
				name: 'waitForCompletion',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait until Microsoft has produced the export, honouring its Retry-After',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['export'], operation: ['start'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const dataset = this.getNodeParameter('dataset', itemIndex) as Dataset;
	const request = validateExportRequest(
		this,
		itemIndex,
		{
			dataset,
			attributeSet: this.getNodeParameter('attributeSet', itemIndex) as 'full' | 'basic',
			...(isBilled(dataset)
				? { invoiceId: this.getNodeParameter('invoiceId', itemIndex) as string }
				: {
						billingPeriod: this.getNodeParameter('billingPeriod', itemIndex) as 'current' | 'last',
						currencyCode: this.getNodeParameter('currencyCode', itemIndex) as string,
					}),
		},
		'Check the parameters of the Start operation',
	);
	const rules = new ParameterRules(this, itemIndex);
	const given = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timeoutMinutes = rules.timeoutMinutes(given.timeoutMinutes, 60);
	const waitForCompletion = rules.flag(given.waitForCompletion, 'Wait for Completion', false);
	const client = await createGraphClient(this, itemIndex, timeoutMinutes);
	const operationUrl = await startExport(client, request);
	let status = 'notStarted';
	if (waitForCompletion)
		status = String((await waitForOperation(client, operationUrl, timeoutMinutes)).status);
	// The request travels with the operation, so that Download can start it again (410).
	return [
		{
			json: {
				operationId: operationIdOf(operationUrl),
				operationUrl,
				status,
				dataset: request.dataset,
				...exportFields(request),
			},
		},
	];
}
