import type { INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection } from '../../../shared/n8n/properties';
import { timeoutMinutesOption } from './common';

/** Get Download Links' Options: the requester, link validity, and Cisco's undocumented names. */
export const getLinksOptions: INodeProperties = optionsCollection(
	"The request's creator and link validity, and where Cisco's answer keeps what it does not document",
	[
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
);

export interface GetLinksOptions {
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

/** Get Download Links' Options, checked before any request. */
export function readGetLinksOptions(rules: ParameterRules): GetLinksOptions {
	const given = rules.collection('options');
	const path = (value: unknown, label: string, fallback: string) => {
		const text = rules.text(value, label, fallback).trim();
		if (!API_PATH.test(text) || text.split('/').includes('..'))
			throw rules.refuse(label, 'must be a path under the API base URL, such as /usage', text);
		return text;
	};
	return {
		createdBy: rules.text(given.createdBy, 'Created By').trim(),
		linkValidityHours: rules.number(given.linkValidityHours, 'Link Validity (Hours)', {
			min: 0.1,
			fallback: 24,
		}),
		subscriptionListField:
			given.subscriptionListField === undefined
				? undefined
				: rules.text(given.subscriptionListField, 'Subscription List Field'),
		subscriptionIdField:
			given.subscriptionIdField === undefined
				? undefined
				: rules.text(given.subscriptionIdField, 'Subscription ID Field'),
		usagePath: path(given.usagePath, 'Usage Path', '/usage'),
		usageBySubscriptionPath: path(
			given.usageBySubscriptionPath,
			'Usage By Subscription Path',
			'/usageBySubscription',
		),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 10),
	};
}
