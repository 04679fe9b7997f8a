import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as report from './actions/report';
import { router } from './actions/router';
import { listSearch } from './methods';

export class WebexWholesaleBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Webex Wholesale Billing',
		name: 'webexWholesaleBilling',
		icon: { light: 'file:webexWholesaleBilling.svg', dark: 'file:webexWholesaleBilling.dark.svg' },
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
				description: 'A partner administrator access token, or an OAuth2 Webex integration',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Report', value: 'report' }],
				default: 'report',
				description: 'Wholesale billing reports: one per period, type and sub-partner',
			},
			...report.description,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
