import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteReport from './delete.operation';
import * as download from './download.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export const operations = {
	create: create.execute,
	delete: deleteReport.execute,
	download: download.execute,
	get: get.execute,
	getAll: getAll.execute,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['report'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Ask Webex to generate a billing report for a period',
				action: 'Create a billing report',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a finished billing report',
				action: 'Delete a billing report',
			},
			{
				name: 'Download',
				value: 'download',
				description: 'Wait for a report and read its CSV as rows, exact totals or a file',
				action: 'Download a billing report',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a billing report and its status',
				action: 'Get a billing report',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List billing reports',
				action: 'Get many billing reports',
			},
		],
		default: 'create',
		description: 'What to do with billing reports',
	},
	...create.description,
	...get.description,
	...getAll.description,
	...deleteReport.description,
	...download.description,
];
