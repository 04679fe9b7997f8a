import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { timeoutMinutesProperty } from '../../../shared/n8n/properties';

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
