import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { addUtcYears, parseIsoDate, toIsoDateText, utcToday } from '../../../shared/numbers/dates';
import type { ParameterRules } from '../../../shared/n8n/parameters';
import {
	choicesOf,
	optionsCollection,
	timeoutMinutesProperty,
} from '../../../shared/n8n/properties';

export const reportTypeOptions = [
	{ name: 'Partner', value: 'PARTNER', description: 'Usage summed per subscription and SKU' },
	{
		name: 'Customer',
		value: 'CUSTOMER',
		description: 'Usage per customer, location, SKU and licence',
	},
	{
		name: 'User',
		value: 'USER',
		description: 'Usage per user or workspace: the most detailed report',
	},
];

/** The report types with their display names, for ParameterRules.oneOf. */
export const REPORT_TYPE_CHOICES = choicesOf(reportTypeOptions);

export const timeoutMinutesOption = timeoutMinutesProperty(
	60,
	'How long to wait for the report to be generated and downloaded, retries included. On timeout the node fails with the report ID so a later run can pick it up.',
);

export const includeDownloadUrlOption: INodeProperties = {
	displayName: 'Include Download URL',
	name: 'includeDownloadUrl',
	type: 'boolean',
	default: false,
	description:
		"Whether to output the report's signed tempDownloadURL. Anyone holding it can read the report until it expires, so it is left out unless you need it.",
};

/** Include Download URL in an operation's Options, checked. */
export function readIncludeDownloadUrl(rules: ParameterRules, options: IDataObject): boolean {
	return rules.flag(options.includeDownloadUrl, 'Include Download URL', false);
}

/** The Options of Get and Get Many: whether to output the signed URL, as `description` says. */
export function outputUrlOptions(
	description = includeDownloadUrlOption.description,
): INodeProperties {
	return optionsCollection('What to include in the output', [
		{ ...includeDownloadUrlOption, description },
	]);
}

export interface BillingPeriod {
	billingStartDate: string;
	billingEndDate: string;
	start: Date;
	end: Date;
}

/**
 * Webex's rules for a report period, checked before any request: plain dates, not today
 * (Webex aggregates the previous day's usage each day), not in the future, at most five
 * years back, start not after end.
 */
export function readBillingPeriod(
	context: IExecuteFunctions,
	itemIndex: number,
	now: Date = new Date(),
): BillingPeriod {
	const today = utcToday(now);
	const oldest = addUtcYears(today, -5);
	const read = (name: string, label: string) => {
		const text = toIsoDateText(context.getNodeParameter(name, itemIndex));
		const date = parseIsoDate(text);
		const refuse = (rule: string) =>
			new NodeOperationError(context.getNode(), `'${label}' ${rule}`, {
				itemIndex,
				description: `Parameter ${name} was '${text}'. Webex reports cover whole days from five years ago up to yesterday (UTC).`,
			});
		if (!date) throw refuse('must be a date written as YYYY-MM-DD');
		if (date.getTime() === today.getTime()) {
			throw refuse("must not be today: Webex aggregates each day's usage the next day");
		}
		if (date > today) throw refuse('must not be in the future');
		if (date < oldest) throw refuse('must not be more than five years ago');
		return { text, date };
	};
	const start = read('billingStartDate', 'Billing Start Date');
	const end = read('billingEndDate', 'Billing End Date');
	if (start.date > end.date) {
		throw new NodeOperationError(
			context.getNode(),
			`'Billing Start Date' (${start.text}) must not be after 'Billing End Date' (${end.text})`,
			{ itemIndex },
		);
	}
	return {
		billingStartDate: start.text,
		billingEndDate: end.text,
		start: start.date,
		end: end.date,
	};
}

export function readReportId(context: IExecuteFunctions, itemIndex: number): string {
	// extractValue: the ID of a resource locator, or the plain text older workflows saved.
	const given = context.getNodeParameter('reportId', itemIndex, '', { extractValue: true });
	const reportId = String(given ?? '').trim();
	if (!reportId) {
		throw new NodeOperationError(context.getNode(), "'Report ID' must not be empty", { itemIndex });
	}
	if (/[\s/?#]/.test(reportId)) {
		throw new NodeOperationError(
			context.getNode(),
			"'Report ID' must be a Webex report ID, without spaces, slashes or URL parts",
			{ itemIndex, description: `Parameter reportId was '${reportId.slice(0, 120)}'` },
		);
	}
	return reportId;
}

export function reportIdProperty(operation: string[]): INodeProperties {
	return {
		displayName: 'Report ID',
		name: 'reportId',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description:
			'The billing report: pick it from the list, or give its ID as the Create or Get Many operation returns it',
		hint: 'By ID takes an expression too, such as {{ $json.id }} from a previous Webex node',
		displayOptions: { show: { resource: ['report'], operation } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a report...',
				typeOptions: { searchListMethod: 'searchReports', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JULz...',
				validation: [
					{
						type: 'regex',
						properties: {
							// Webex IDs are base64 (plain or URL-safe) of ciscospark://<region>/BILLING_REPORT/<uuid>.
							regex: '[A-Za-z0-9+_=-]+',
							errorMessage:
								'Not a Webex report ID: letters, digits, -, _, + and = only, e.g. Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JULz...',
						},
					},
				],
			},
		],
	};
}
