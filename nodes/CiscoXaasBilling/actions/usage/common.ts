import type { INodeProperties } from 'n8n-workflow';

import { timeoutMinutesProperty } from '../../../shared/n8n/properties';

export const timeoutMinutesOption = timeoutMinutesProperty(
	10,
	'How long the requests may take, retries of rate limits and server errors included',
);

/** Shown for Get Download Links with this Request By. */
const showFor = (requestBy: string) => ({
	show: { resource: ['usage'], operation: ['getDownloadLinks'], requestBy: [requestBy] },
});

/** Invoice Numbers and Subscription IDs take the same kind of list. */
export function idListProperty(
	displayName: string,
	name: 'invoiceNumbers' | 'subscriptionIds',
	items: string,
	placeholder: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: '',
		required: true,
		placeholder,
		description: `${items} separated by commas, spaces or new lines, or a list from an expression`,
		hint: 'Any number: they are sent 20 per request, as Cisco allows',
		displayOptions: showFor(name),
	};
}

/** Begin Date and End Date of the Invoice Date Range. */
export function invoiceDateProperty(
	displayName: string,
	name: string,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'dateTime',
		default: '',
		required: true,
		description,
		displayOptions: showFor('dateRange'),
	};
}
