import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createWebexClient, reportPath, webexApiRequest } from '../../transport';
import { readReportId, reportIdProperty } from './common';

const properties: INodeProperties[] = [
	{
		...reportIdProperty(['delete']),
		hint: 'Webex refuses to delete a report that is still generating or that failed',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['delete'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const client = await createWebexClient(this, itemIndex);
	await webexApiRequest(client, { method: 'DELETE', url: reportPath(reportId) });
	return [{ json: { id: reportId, deleted: true } }];
}
