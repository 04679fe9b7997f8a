import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { createCiscoClient, requestUsageLinks, type UsageLink } from '../../transport';
import { idListProperty, invoiceDateProperty, timeoutMinutesOption } from './common';
import {
	linksPerInvoice,
	readGetLinksOptions,
	readLinkRequests,
	readRequester,
} from './linkRequests';

const displayOptions = { show: { resource: ['usage'], operation: ['getDownloadLinks'] } };

const requestByOptions = [
	{
		name: 'Invoice Numbers',
		value: 'invoiceNumbers',
		description: 'The invoices of your Summary Invoice',
	},
	{
		name: 'Invoice Date Range',
		value: 'dateRange',
		description: 'Every invoice dated in a range (at most six months back)',
	},
	{
		name: 'Subscription IDs',
		value: 'subscriptionIds',
		description: 'Every invoice that bills these subscriptions',
	},
] as const;
const properties: INodeProperties[] = [
	{
		displayName: 'Request By',
		name: 'requestBy',
		type: 'options',
		noDataExpression: true,
		options: [...requestByOptions],
		default: 'invoiceNumbers',
		description: 'How to name the invoices whose usage links to get',
	},
	idListProperty('Invoice Numbers', 'invoiceNumbers', 'Invoice numbers', '537602854, 537625277'),
	idListProperty('Subscription IDs', 'subscriptionIds', 'Subscription IDs', 'Sub123456, Sub234567'),
	invoiceDateProperty(
		'Begin Date',
		'beginDate',
		'First invoice date (UTC), at most six months before today',
	),
	invoiceDateProperty('End Date', 'endDate', 'Last invoice date (UTC), inclusive'),
	{
		displayName: 'Billing Address ID (BID)',
		name: 'billingAddressId',
		type: 'string',
		default: '',
		placeholder: "The credential's BID",
		description:
			"The bill-to ID whose invoices to fetch. Empty: the credential's. Invoices of another BID are left out by Cisco.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description:
			"The request's creator and link validity, and where Cisco's answer keeps what it does not document",
		options: [
			{
				displayName: 'Created By',
				name: 'createdBy',
				type: 'string',
				default: '',
				description:
					"The CCO ID sent as the requests' creator (at most 50 characters). Empty: the credential's user name.",
			},
			{
				displayName: 'Link Validity (Hours)',
				name: 'linkValidityHours',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 24,
				description:
					'How long Cisco keeps usage links valid; each output item says when its link expires',
			},
			{
				displayName: 'Subscription ID Field',
				name: 'subscriptionIdField',
				type: 'string',
				default: 'subscriptionId',
				description:
					"Name of the ID in each entry of the subscription list (undocumented by Cisco, like the list's name)",
			},
			{
				displayName: 'Subscription List Field',
				name: 'subscriptionListField',
				type: 'string',
				default: 'subscriptionList',
				description:
					"Name of the request's list of subscriptions. Cisco does not document it; change it only if Cisco refuses the request.",
			},
			timeoutMinutesOption,
			{
				displayName: 'Usage By Subscription Path',
				name: 'usageBySubscriptionPath',
				type: 'string',
				default: '/usageBySubscription',
				description: 'Path of the by-subscription request under the API base URL',
			},
			{
				displayName: 'Usage Path',
				name: 'usagePath',
				type: 'string',
				default: '/usage',
				description: 'Path of the by-invoice and by-date request under the API base URL',
			},
		],
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const requestBy = rules.oneOf(
		this.getNodeParameter('requestBy', itemIndex),
		'Request By',
		requestByOptions.map(({ value, name }) => [value, name] as const),
	);
	const options = readGetLinksOptions(
		rules,
		this.getNodeParameter('options', itemIndex, {}) as IDataObject,
	);
	const { queries, requestedInvoices } = readLinkRequests(this, itemIndex, requestBy, options);

	const client = await createCiscoClient(this, itemIndex, options.timeoutMinutes);
	const requester = readRequester(this, itemIndex, client, options);
	const links: UsageLink[] = [];
	for (const query of queries)
		links.push(...(await requestUsageLinks(client, { ...query, ...requester })));

	const { unique, missingInvoices } = linksPerInvoice(
		this,
		itemIndex,
		links,
		requestedInvoices,
		requester.billingAddressId,
	);
	return unique.map((link) => ({
		json: {
			invoiceNumber: link.invoiceNumber,
			invoiceDate: link.invoiceDate,
			usageUrl: link.usageUrl,
			expiresAt: new Date(
				link.receivedAt.getTime() + options.linkValidityHours * 3_600_000,
			).toISOString(),
			missingInvoices,
		} as IDataObject,
	}));
}
