/* eslint-disable n8n-nodes-base/node-filename-against-convention */
import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as report from './report';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Webex Wholesale Billing',
	name: 'webexWholesaleBilling',
	icon: 'file:webexWholesaleBilling.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description:
		'Create, wait for and download Webex Wholesale billing reconciliation reports, as rows, exact per-customer totals or the CSV file',
	defaults: {
		name: 'Webex Wholesale Billing',
	},
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		{
			name: 'webexWholesaleApi',
			required: true,
			displayOptions: { show: { authentication: ['accessToken'] } },
		},
		{
			name: 'webexWholesaleOAuth2Api',
			required: true,
			displayOptions: { show: { authentication: ['oAuth2'] } },
		},
	],
	properties: [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Access Token', value: 'accessToken' },
				{ name: 'OAuth2', value: 'oAuth2' },
			],
			default: 'accessToken',
		},
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [{ name: 'Report', value: 'report' }],
			default: 'report',
		},
		...report.description,
	],
};
