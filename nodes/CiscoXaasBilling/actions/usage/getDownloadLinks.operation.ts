import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { choicesOf } from '../../../shared/n8n/properties';
import { createCiscoClient, requestUsageLinks, type UsageLink } from '../../transport';
import { idListProperty, invoiceDateProperty } from './common';
import { getLinksOptions, readGetLinksOptions } from './linkOptions';
import { linksPerInvoice, readLinkRequests, readRequester } from './linkRequests';

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
	getLinksOptions,
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
		choicesOf(requestByOptions),
	);
	const options = readGetLinksOptions(rules);
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
