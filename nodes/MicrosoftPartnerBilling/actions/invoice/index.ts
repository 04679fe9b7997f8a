import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as markReconciled from './markReconciled.operation';

export const operations = {
	get: get.execute,
	getAll: getAll.execute,
	markReconciled: markReconciled.execute,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['invoice'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get one invoice from Partner Center (needs a delegated, app+user credential)',
				action: 'Get an invoice',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: "List the partner's invoices and credit notes, newest first",
				action: 'Get many invoices',
			},
			{
				name: 'Mark as Reconciled',
				value: 'markReconciled',
				description:
					'Remember in n8n that this workflow has reconciled an invoice, so Get Many can skip it (nothing is sent to Microsoft)',
				action: 'Mark an invoice as reconciled',
			},
		],
		default: 'getAll',
		description: 'What to do with Partner Center invoices',
	},
	...getAll.description,
	...get.description,
	...markReconciled.description,
];
