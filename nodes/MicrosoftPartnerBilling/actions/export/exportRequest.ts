import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import {
	INVOICE_ID_RULE,
	isBilled,
	isInvoiceId,
	type Dataset,
	type ExportRequest,
} from '../../transport';

/** What Start asks Graph to export: the dataset, its invoice or period, the attributes. */
export const exportRequestProperties: INodeProperties[] = [
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
];

/** Start's parameters as an export request, checked as Graph would check it. */
export function readExportRequest(context: IExecuteFunctions, itemIndex: number): ExportRequest {
	const dataset = context.getNodeParameter('dataset', itemIndex) as Dataset;
	return validateExportRequest(
		context,
		itemIndex,
		{
			dataset,
			attributeSet: context.getNodeParameter('attributeSet', itemIndex) as 'full' | 'basic',
			...(isBilled(dataset)
				? { invoiceId: context.getNodeParameter('invoiceId', itemIndex) as string }
				: {
						billingPeriod: context.getNodeParameter('billingPeriod', itemIndex) as
							| 'current'
							| 'last',
						currencyCode: context.getNodeParameter('currencyCode', itemIndex) as string,
					}),
		},
		'Check the parameters of the Start operation',
	);
}

const DATASETS: Dataset[] = [
	'billedUsage',
	'unbilledUsage',
	'billedReconciliation',
	'unbilledReconciliation',
];

/** Refuses a request Graph would refuse, before any call, naming the parameter and the rule. */
export function validateExportRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	request: Partial<ExportRequest>,
	source: string,
): ExportRequest {
	const refuse = (message: string) =>
		new NodeOperationError(context.getNode(), message, { itemIndex, description: source });
	const dataset = request.dataset as Dataset;
	if (!DATASETS.includes(dataset)) throw refuse(`'Dataset' must be one of ${DATASETS.join(', ')}`);
	const attributeSet = request.attributeSet ?? 'full';
	if (attributeSet !== 'full' && attributeSet !== 'basic')
		throw refuse("'Attribute Set' must be full or basic");
	if (isBilled(dataset)) {
		const invoiceId = String(request.invoiceId ?? '').trim();
		if (!isInvoiceId(invoiceId)) throw refuse(`'Invoice ID' ${INVOICE_ID_RULE}`);
		return { dataset, attributeSet, invoiceId };
	}
	const billingPeriod = request.billingPeriod;
	if (billingPeriod !== 'current' && billingPeriod !== 'last')
		throw refuse("'Billing Period' must be current or last");
	const currencyCode = String(request.currencyCode ?? '')
		.trim()
		.toUpperCase();
	if (!/^[A-Z]{3}$/.test(currencyCode))
		throw refuse("'Currency Code' must be a three-letter ISO 4217 code such as USD");
	return { dataset, attributeSet, billingPeriod, currencyCode };
}
