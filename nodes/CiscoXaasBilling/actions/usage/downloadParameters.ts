import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { choicesOf, optionsCollection } from '../../../shared/n8n/properties';
import { DEFAULT_ZIP_LIMITS } from '../../../shared/readers/zip';
import { isAllowedDownloadUrl } from '../../../shared/transport/http';
import { timeoutMinutesOption } from './common';

/** Usage URL: the signed link of one invoice's usage ZIP. */
export const usageUrlProperty: INodeProperties = {
	displayName: 'Usage URL',
	name: 'usageUrl',
	type: 'string',
	default: '={{ $json.usageUrl }}',
	required: true,
	description:
		"An invoice's usage link from the Get Download Links operation. It is valid for 24 hours and works like a password.",
};

/** The Usage URL, checked: given, and an https link. */
export function readUsageUrl(
	context: IExecuteFunctions,
	rules: ParameterRules,
	itemIndex: number,
): string {
	const usageUrl = String(context.getNodeParameter('usageUrl', itemIndex) ?? '').trim();
	if (!usageUrl)
		throw rules.explain(
			'Usage URL',
			'is empty',
			'Connect this node after Get Download Links, or map its usageUrl field.',
		);
	if (!isAllowedDownloadUrl(usageUrl))
		throw rules.explain(
			'Usage URL',
			'is not an https link',
			'Use the usageUrl that Get Download Links outputs, unchanged.',
		);
	return usageUrl;
}

const invoiceHeaderOptions = [
	{
		name: 'Merge Into Each Item',
		value: 'merge',
		description: "Every row or group also carries the invoice header's fields",
	},
	{
		name: 'Separate Item',
		value: 'separate',
		description: 'One item { invoiceHeader } before the rows or groups',
	},
	{ name: 'Leave Out', value: 'none' },
] as const;

/** Invoice Header: what Download does with the header file of the usage ZIP. */
export const invoiceHeaderProperty: INodeProperties = {
	displayName: 'Invoice Header',
	name: 'includeHeader',
	type: 'options',
	options: [...invoiceHeaderOptions],
	default: 'separate',
	description: "What to do with the ZIP's Invoice Header file (the invoice's totals)",
	hint: 'In File mode the header goes into the output item as invoiceHeader, except with Leave Out',
};

/** Invoice Header, checked. */
export function readInvoiceHeader(rules: ParameterRules, value: unknown) {
	return rules.oneOf(value, 'Invoice Header', choicesOf(invoiceHeaderOptions));
}

const delimiterOptions = [
	{ name: 'Comma', value: ',' },
	{ name: 'Detect', value: 'auto', description: 'From the header line of each CSV' },
	{ name: 'Pipe', value: '|' },
	{ name: 'Semicolon', value: ';' },
	{ name: 'Tab', value: '\t' },
] as const;

/** Download's Options: the token's hosts, the files in the ZIP and the limits on hostile ZIPs. */
export const downloadOptions: INodeProperties = optionsCollection(
	'Which hosts may get the token, how to find and read the files in the ZIP, and the limits that guard against hostile ZIPs',
	[
		{
			displayName: 'Authorized File Hosts',
			name: 'authorizedFileHosts',
			type: 'string',
			default: '*.cisco.com',
			description:
				'Comma-separated hosts (*.example.com for subdomains) that may receive the Cisco access token when they refuse a usage link without it. The API host is always allowed; any other host never gets the token.',
		},
		{
			displayName: 'Delimiter',
			name: 'delimiter',
			type: 'options',
			options: [...delimiterOptions],
			default: 'auto',
			description: 'The character between the columns of the CSV files in the ZIP',
		},
		{
			displayName: 'Header File Name Contains',
			name: 'headerFileName',
			type: 'string',
			default: 'header',
			description: 'Identifies the Invoice Header CSV in the ZIP (case does not matter)',
		},
		{
			displayName: 'Line Count Column',
			name: 'lineCountColumn',
			type: 'string',
			default: 'Usage Line Count',
			description:
				'Header column announcing how many usage lines the invoice has; the node fails if the usage file has another number. Empty, or a header without it: no check.',
		},
		{
			displayName: 'Max Compression Ratio',
			name: 'maxCompressionRatio',
			type: 'number',
			typeOptions: { minValue: 2 },
			default: 200,
			description:
				'An entry that unpacks to more than this many times its compressed size is refused as a zip bomb',
		},
		{
			displayName: 'Max ZIP Size (MB)',
			name: 'maxZipMb',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 4096 },
			default: 512,
			description:
				'A larger download is refused. The ZIP is read as it downloads, never held in memory.',
		},
		timeoutMinutesOption,
		{
			displayName: 'Usage File Name Contains',
			name: 'usageFileName',
			type: 'string',
			default: 'usage',
			description: 'Identifies the Consolidated Usage CSV in the ZIP (case does not matter)',
		},
	],
);

/** A host name, or `*.` and a domain of at least two labels (never all of a top-level domain). */
const HOST_PATTERN =
	/^(\*\.)?(?=[a-z0-9.-]{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Download's Options, checked before any request. */
export function readDownloadOptions(rules: ParameterRules) {
	const given = rules.collection('options');
	const authorizedFileHosts = parseHosts(
		rules.text(given.authorizedFileHosts, 'Authorized File Hosts', '*.cisco.com'),
	);
	for (const host of authorizedFileHosts) {
		if (!HOST_PATTERN.test(host) || (host.startsWith('*.') && !host.slice(2).includes('.'))) {
			throw rules.refuse(
				'Authorized File Hosts',
				'must list host names, or *.domain for its subdomains (such as *.cisco.com)',
				host,
			);
		}
	}
	return {
		authorizedFileHosts,
		delimiter: rules.oneOf(given.delimiter ?? 'auto', 'Delimiter', choicesOf(delimiterOptions)),
		headerFileName: rules.requiredText(given.headerFileName, 'Header File Name Contains', 'header'),
		usageFileName: rules.requiredText(given.usageFileName, 'Usage File Name Contains', 'usage'),
		lineCountColumn: rules.text(given.lineCountColumn, 'Line Count Column', 'Usage Line Count'),
		maxZipMb: rules.number(given.maxZipMb, 'Max ZIP Size (MB)', {
			min: 1,
			max: 4096,
			fallback: 512,
		}),
		maxCompressionRatio: rules.number(given.maxCompressionRatio, 'Max Compression Ratio', {
			min: 2,
			fallback: DEFAULT_ZIP_LIMITS.maxCompressionRatio,
		}),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 10),
	};
}

function parseHosts(text: string): string[] {
	return text
		.split(',')
		.map((host) => host.trim().toLowerCase())
		.filter(Boolean);
}
