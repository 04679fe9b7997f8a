import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { addUtcMonths, formatIsoDate, parseIsoDate, toIsoDateText, utcToday } from '../../../shared/numbers/dates';
import { ParameterRules } from '../../../shared/n8n/parameters';
import { MAX_IDS_PER_REQUEST, createCiscoClient, requestUsageLinks, type CiscoClient, type UsageLink, type UsageQuery } from '../../transport';
import { timeoutMinutesOption } from './common';

const displayOptions = { show: { resource: ['usage'], operation: ['getDownloadLinks'] } };
const showFor = (requestBy: string) => ({ show: { ...displayOptions.show, requestBy: [requestBy] } });

const properties: INodeProperties[] = [
	{
		displayName: 'Request By',
		name: 'requestBy',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Invoice Numbers', value: 'invoiceNumbers', description: 'The invoices of your Summary Invoice' },
			{ name: 'Invoice Date Range', value: 'dateRange', description: 'Every invoice dated in a range (at most six months back)' },
			{ name: 'Subscription IDs', value: 'subscriptionIds', description: 'Every invoice that bills these subscriptions' },
		],
		default: 'invoiceNumbers',
		description: 'How to name the invoices whose usage links to get',
	},
	{
		displayName: 'Invoice Numbers',
		name: 'invoiceNumbers',
		type: 'string',
		default: '',
		required: true,
		placeholder: '537602854, 537625277',
		description: 'Invoice numbers separated by commas, spaces or new lines, or a list from an expression',
		hint: 'Any number: they are sent 20 per request, as Cisco allows',
		displayOptions: showFor('invoiceNumbers'),
	},
	{
		displayName: 'Subscription IDs',
		name: 'subscriptionIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Sub123456, Sub234567',
		description: 'Subscription IDs separated by commas, spaces or new lines, or a list from an expression',
		hint: 'Any number: they are sent 20 per request, as Cisco allows',
		displayOptions: showFor('subscriptionIds'),
	},
	{
		displayName: 'Begin Date',
		name: 'beginDate',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'First invoice date (UTC), at most six months before today',
		displayOptions: showFor('dateRange'),
	},
	{
		displayName: 'End Date',
		name: 'endDate',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Last invoice date (UTC), inclusive',
		displayOptions: showFor('dateRange'),
	},
	{
		displayName: 'Billing Address ID (BID)',
		name: 'billingAddressId',
		type: 'string',
		default: '',
		placeholder: "The credential's BID",
		description: "The bill-to ID whose invoices to fetch. Empty: the credential's. Invoices of another BID are left out by Cisco.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: "The request's creator and link validity, and where Cisco's answer keeps what it does not document",
		options: [
			{
				displayName: 'Created By',
				name: 'createdBy',
				type: 'string',
				default: '',
				description: "The CCO ID sent as the requests' creator (at most 50 characters). Empty: the credential's user name.",
			},
			{
				displayName: 'Link Validity (Hours)',
				name: 'linkValidityHours',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 24,
				description: 'How long Cisco keeps usage links valid; each output item says when its link expires',
			},
			{
				displayName: 'Subscription ID Field',
				name: 'subscriptionIdField',
				type: 'string',
				default: 'subscriptionId',
				description: "Name of the ID in each entry of the subscription list (undocumented by Cisco, like the list's name)",
			},
			{
				displayName: 'Subscription List Field',
				name: 'subscriptionListField',
				type: 'string',
				default: 'subscriptionList',
				description: "Name of the request's list of subscriptions. Cisco does not document it; change it only if Cisco refuses the request.",
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

interface GetLinksOptions {
	createdBy: string;
	linkValidityHours: number;
	subscriptionListField?: string;
	subscriptionIdField?: string;
	usagePath: string;
	usageBySubscriptionPath: string;
	timeoutMinutes: number;
}

/** A path under the API base URL: segments of letters, digits, '.', '_' and '-', nothing else. */
const API_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

function readOptions(rules: ParameterRules, given: IDataObject): GetLinksOptions {
	const path = (value: unknown, label: string, fallback: string) => {
		const text = rules.text(value, label, fallback).trim();
		if (!API_PATH.test(text) || text.split('/').includes('..')) throw rules.refuse(label, 'must be a path under the API base URL, such as /usage', text);
		return text;
	};
	return {
		createdBy: rules.text(given.createdBy, 'Created By').trim(),
		linkValidityHours: rules.number(given.linkValidityHours, 'Link Validity (Hours)', { min: 0.1, fallback: 24 }),
		subscriptionListField: given.subscriptionListField === undefined ? undefined : rules.text(given.subscriptionListField, 'Subscription List Field'),
		subscriptionIdField: given.subscriptionIdField === undefined ? undefined : rules.text(given.subscriptionIdField, 'Subscription ID Field'),
		usagePath: path(given.usagePath, 'Usage Path', '/usage'),
		usageBySubscriptionPath: path(given.usageBySubscriptionPath, 'Usage By Subscription Path', '/usageBySubscription'),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 10),
	};
}

const INVOICE_NUMBER = /^\d{1,15}$/;
const SUBSCRIPTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const requestBy = rules.oneOf(this.getNodeParameter('requestBy', itemIndex), 'Request By', [
		['invoiceNumbers', 'Invoice Numbers'],
		['dateRange', 'Invoice Date Range'],
		['subscriptionIds', 'Subscription IDs'],
	]);
	const options = readOptions(rules, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	const refuse = (message: string, description?: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });

	// Everything is checked before the first request.
	const now = new Date();
	const oldestBegin = addUtcMonths(utcToday(now), -6);
	let queries: Array<Omit<UsageQuery, 'createdBy' | 'billingAddressId'>>;
	let requestedInvoices: string[] = [];
	if (requestBy === 'dateRange') {
		const begin = readDate(this, itemIndex, 'beginDate', 'Begin Date');
		const end = readDate(this, itemIndex, 'endDate', 'End Date');
		if (begin.getTime() < oldestBegin.getTime()) {
			throw refuse(
				`'Begin Date' reaches back more than six months: Cisco accepts ${formatIsoDate(oldestBegin)} at the earliest`,
				`Begin Date was ${formatIsoDate(begin)}. For older invoices request them by invoice number.`,
			);
		}
		if (begin.getTime() > end.getTime()) {
			throw refuse(`'Begin Date' (${formatIsoDate(begin)}) is after 'End Date' (${formatIsoDate(end)})`);
		}
		// The whole end day counts.
		const endOfDay = new Date(end.getTime() + 86_399_000);
		queries = [{ path: options.usagePath, beginDate: begin, endDate: endOfDay, list: { name: 'invoiceList', entries: [] } }];
	} else {
		const label = requestBy === 'invoiceNumbers' ? 'Invoice Numbers' : 'Subscription IDs';
		const ids = readIdList(this.getNodeParameter(requestBy, itemIndex));
		if (ids.length === 0) throw refuse(`'${label}' is empty: give at least one`);
		const pattern = requestBy === 'invoiceNumbers' ? INVOICE_NUMBER : SUBSCRIPTION_ID;
		const bad = ids.find((id) => !pattern.test(id));
		if (bad !== undefined) {
			throw refuse(
				`'${label}' holds '${bad.slice(0, 40)}', which is not ${requestBy === 'invoiceNumbers' ? 'an invoice number (digits only)' : 'a subscription ID'}`,
			);
		}
		// The envelope always carries a date range; with a list, Cisco goes by the list.
		const range = { beginDate: oldestBegin, endDate: now };
		if (requestBy === 'invoiceNumbers') {
			requestedInvoices = ids;
			queries = chunk(ids, MAX_IDS_PER_REQUEST).map((part) => ({
				path: options.usagePath,
				...range,
				list: { name: 'invoiceList', entries: part.map((invoiceNumber) => ({ invoiceNumber: Number(invoiceNumber) })) },
			}));
		} else {
			const listName = requiredName(options.subscriptionListField, 'Subscription List Field', refuse) ?? 'subscriptionList';
			const idName = requiredName(options.subscriptionIdField, 'Subscription ID Field', refuse) ?? 'subscriptionId';
			queries = chunk(ids, MAX_IDS_PER_REQUEST).map((part) => ({
				path: options.usageBySubscriptionPath,
				...range,
				list: { name: listName, entries: part.map((id) => ({ [idName]: id })) },
			}));
		}
	}

	const client = await createCiscoClient(this, itemIndex, options.timeoutMinutes);
	const billingAddressId = readBillingAddressId(this, itemIndex, client, refuse);
	const createdBy = options.createdBy || client.username;
	if (!createdBy) {
		throw refuse(
			"Set 'Created By' in the options: Cisco needs the requester's CCO ID",
			'With the Client Credentials grant the credential has no user name to send.',
		);
	}
	if (createdBy.length > 50) throw refuse(`'Created By' has ${createdBy.length} characters; Cisco allows at most 50`);

	const links: UsageLink[] = [];
	for (const query of queries) links.push(...(await requestUsageLinks(client, { ...query, createdBy, billingAddressId })));

	const seen = new Set<string>();
	const unique = links.filter((link) => !seen.has(link.invoiceNumber) && seen.add(link.invoiceNumber));
	const missingInvoices = requestedInvoices.filter((invoiceNumber) => !seen.has(String(Number(invoiceNumber))) && !seen.has(invoiceNumber));
	if (missingInvoices.length) {
		const shown = missingInvoices.slice(0, 10).join(', ') + (missingInvoices.length > 10 ? ', …' : '');
		if (unique.length === 0) {
			throw refuse(
				`Cisco returned none of the ${missingInvoices.length} requested invoices (${shown})`,
				`Cisco leaves out invoices that do not belong to the billing address ID ${billingAddressId}, or that it does not know. Check the BID and the invoice numbers.`,
			);
		}
		this.addExecutionHints({
			message: `Cisco did not return ${missingInvoices.length} of the requested invoices (${shown}): they may belong to another billing address ID. Each item lists them in missingInvoices.`,
			location: 'outputPane',
		});
	}
	return unique.map((link) => ({
		json: {
			invoiceNumber: link.invoiceNumber,
			invoiceDate: link.invoiceDate,
			usageUrl: link.usageUrl,
			expiresAt: new Date(link.receivedAt.getTime() + options.linkValidityHours * 3_600_000).toISOString(),
			missingInvoices,
		} as IDataObject,
	}));
}

/** Ids from text (commas, spaces, semicolons, new lines) or from a list an expression gives. */
function readIdList(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map((entry) => String(entry ?? '')) : String(value ?? '').split(/[\s,;]+/);
	return [...new Set(parts.map((part) => part.trim()).filter(Boolean))];
}

function readDate(context: IExecuteFunctions, itemIndex: number, name: string, label: string): Date {
	const text = toIsoDateText(context.getNodeParameter(name, itemIndex));
	const date = parseIsoDate(text);
	if (!date) {
		throw new NodeOperationError(context.getNode(), `'${label}' must be a date, for example 2026-10-01`, {
			itemIndex,
			description: `${label} was '${text.slice(0, 40)}'.`,
		});
	}
	return date;
}

/** Cisco's sibling API sends the BID as a JSON number, so digits go as a number. */
function readBillingAddressId(
	context: IExecuteFunctions,
	itemIndex: number,
	client: CiscoClient,
	refuse: (message: string, description?: string) => NodeOperationError,
): number | string {
	const given = String(context.getNodeParameter('billingAddressId', itemIndex, '') ?? '').trim();
	const billingAddressId = given || client.billingAddressId;
	if (!billingAddressId) throw refuse("'Billing Address ID (BID)' is empty, and so is the credential's");
	if (!/^\d{1,15}$/.test(billingAddressId)) {
		throw refuse(`'Billing Address ID (BID)' must be digits only; it was '${billingAddressId.slice(0, 40)}'`);
	}
	return Number(billingAddressId);
}

function requiredName(
	value: string | undefined,
	label: string,
	refuse: (message: string) => NodeOperationError,
): string | undefined {
	if (value === undefined) return undefined;
	const name = value.trim();
	if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw refuse(`'${label}' must be a field name such as subscriptionList`);
	return name;
}

function chunk<Item>(items: Item[], size: number): Item[][] {
	return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}
