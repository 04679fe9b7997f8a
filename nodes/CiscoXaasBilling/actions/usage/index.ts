import type { INodeProperties } from 'n8n-workflow';

import * as download from './download.operation';
import * as getDownloadLinks from './getDownloadLinks.operation';

export const operations = {
	download: download.execute,
	getDownloadLinks: getDownloadLinks.execute,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['usage'] } },
		description: 'What to do with invoice usage',
		options: [
			{
				name: 'Download',
				value: 'download',
				description:
					"Read an invoice's usage ZIP: header and usage lines as rows, exact totals or the CSV file",
				action: 'Download invoice usage',
			},
			{
				name: 'Get Download Links',
				value: 'getDownloadLinks',
				description:
					'Ask Cisco for the usage links of invoices, by number, date range or subscription',
				action: 'Get usage download links',
			},
		],
		default: 'getDownloadLinks',
	},
	...getDownloadLinks.description,
	...download.description,
];
