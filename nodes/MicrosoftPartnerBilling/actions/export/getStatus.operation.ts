import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createGraphClient, getOperation, operationIdOf, operationUrl } from '../../transport';
import { operationIdProperty, readOperationId } from './common';

const properties: INodeProperties[] = [operationIdProperty(['getStatus'])];

export const description = updateDisplayOptions(
	{ show: { resource: ['export'], operation: ['getStatus'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const client = await createGraphClient(this, itemIndex);
	const url = operationUrl(client, readOperationId(this, itemIndex));
	const { operation, retryAfterMs } = await getOperation(client, url);
	// The manifest holds the SAS token: report only what it says about the export.
	const { resourceLocation, ...fields } = operation;
	const json = {
		...fields,
		operationId: operationIdOf(url),
		operationUrl: url,
	} as INodeExecutionData['json'];
	if (resourceLocation) {
		json.manifest = {
			id: resourceLocation.id,
			eTag: resourceLocation.eTag,
			blobCount: resourceLocation.blobCount,
			createdDateTime: resourceLocation.createdDateTime,
		};
	}
	if (retryAfterMs !== undefined) json.retryAfterSeconds = Math.round(retryAfterMs / 1000);
	return [{ json }];
}
