import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { timeoutMinutesProperty } from '../../../shared/n8n/properties';
import { isBilled, type Dataset, type ExportRequest } from '../../transport';

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
		if (!/^[A-Za-z0-9-]{1,64}$/.test(invoiceId)) {
			throw refuse(
				"'Invoice ID' must be a Microsoft invoice number such as G012345678 (letters and digits)",
			);
		}
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

export const timeoutMinutesOption = timeoutMinutesProperty(
	60,
	'How long to wait for the export and its download, retries included',
);

export function operationIdProperty(operation: string[]): INodeProperties {
	return {
		displayName: 'Operation ID',
		name: 'operationId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'url', value: '={{ $json.operationUrl }}' },
		description:
			'The export operation: its full URL or its ID, as the Start operation outputs them',
		hint: 'Defaults to the operationUrl of the incoming item',
		displayOptions: { show: { resource: ['export'], operation } },
		modes: [
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'https://graph.microsoft.com/v1.0/reports/partners/billing/operations/...',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: 'https?://\\S+/operations/[^\\s/?#]+',
							errorMessage: 'Not an export operation URL: it ends in /operations/<ID>',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 1f0e6a3c-...',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '[^\\s/?#]+',
							errorMessage: 'Not an operation ID: no spaces, slashes or URL parts',
						},
					},
				],
			},
		],
	};
}

export function readOperationId(context: IExecuteFunctions, itemIndex: number): string {
	// Both modes hand over the text as given (a URL is checked against the credential's host
	// later), as does the plain text older workflows saved.
	const given = context.getNodeParameter('operationId', itemIndex, '', { extractValue: true });
	const value = String(given ?? '').trim();
	if (!value)
		throw new NodeOperationError(context.getNode(), "'Operation ID' must not be empty", {
			itemIndex,
		});
	if (!/^https?:\/\//i.test(value) && /[\s/?#]/.test(value)) {
		throw new NodeOperationError(
			context.getNode(),
			"'Operation ID' must be an operation ID or the operation's full URL",
			{
				itemIndex,
			},
		);
	}
	return value;
}
