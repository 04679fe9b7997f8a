import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection, waitForCompletionOption } from '../../../shared/n8n/properties';
import {
	createGraphClient,
	exportFields,
	operationIdOf,
	startExport,
	waitForOperation,
} from '../../transport';
import { timeoutMinutesOption } from './common';
import { exportRequestProperties, readExportRequest } from './exportRequest';

const properties: INodeProperties[] = [
	...exportRequestProperties,
	optionsCollection('Whether and how long to wait for Microsoft to produce the export', [
		timeoutMinutesOption,
		waitForCompletionOption(
			false,
			'Whether to wait until Microsoft has produced the export, honouring its Retry-After',
		),
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['export'], operation: ['start'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const request = readExportRequest(this, itemIndex);
	const rules = new ParameterRules(this, itemIndex);
	const given = rules.collection('options');
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
