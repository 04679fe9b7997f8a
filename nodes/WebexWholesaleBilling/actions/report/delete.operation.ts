import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { REPORTS_PATH, createWebexClient, webexApiRequest } from '../../transport';
import { DEFAULT_CALL_BUDGET_MS } from '../../../shared/transport/retry';
import { readReportId, reportIdProperty } from './common';

const properties: INodeProperties[] = [
	{
		...reportIdProperty(['delete']),
		hint: 'Webex refuses to delete a report that is still generating or that failed',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['report'], operation: ['delete'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const client = await createWebexClient(this, itemIndex, Date.now() + DEFAULT_CALL_BUDGET_MS);
	await webexApiRequest(client, { method: 'DELETE', path: `${REPORTS_PATH}/${encodeURIComponent(reportId)}` });
	return [{ json: { id: reportId, deleted: true } }];
}
