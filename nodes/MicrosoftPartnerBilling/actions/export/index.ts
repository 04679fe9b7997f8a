import type { INodeProperties } from 'n8n-workflow';

import * as download from './download.operation';
import * as getStatus from './getStatus.operation';
import * as start from './start.operation';

export const operations = {
	download: download.execute,
	getStatus: getStatus.execute,
	start: start.execute,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['export'] } },
		options: [
			{
				name: 'Download',
				value: 'download',
				description: 'Wait for an export and read every blob as line items, exact totals or a file',
				action: 'Download an export',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the state of an export operation',
				action: 'Get the status of an export',
			},
			{
				name: 'Start',
				value: 'start',
				description:
					'Ask Microsoft to export billed or unbilled usage or reconciliation line items',
				action: 'Start an export',
			},
		],
		default: 'start',
		description: 'What to do with partner billing exports',
	},
	...start.description,
	...getStatus.description,
	...download.description,
];
