import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { detectDelimiter, readCsv } from '../../../shared/readers/csv';
import { DownloadError, downloadSignedFile, type Refusal } from '../../../shared/transport/signedDownload';
import { isAllowedDownloadUrl } from '../../../shared/transport/http';
import { outputModeProperties, readCsvOutput, readOutputSettings, type CsvOutput } from '../../../shared/output/csvOutput';
import { ParameterRules, TIMEOUT_MINUTES } from '../../../shared/n8n/parameters';
import { RowsSink, groupToJson } from '../../../shared/output/sinks';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, openZip, type ZipFile } from '../../../shared/readers/zip';
import { CREDENTIAL_TYPE, createCiscoClient } from '../../transport';
import { timeoutMinutesOption } from './common';

const displayOptions = { show: { resource: ['usage'], operation: ['download'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Usage URL',
		name: 'usageUrl',
		type: 'string',
		default: '={{ $json.usageUrl }}',
		required: true,
		description: "An invoice's usage link from the Get Download Links operation. It is valid for 24 hours and works like a password.",
	},
	...outputModeProperties(displayOptions, {
		defaultGroupBy: 'Subscription ID',
		defaultSumFields: 'Extended Amount',
		fileHint: 'The Consolidated Usage CSV exactly as Cisco sent it; the item also says its rowCount',
	}),
	{
		displayName: 'Invoice Header',
		name: 'includeHeader',
		type: 'options',
		options: [
			{ name: 'Merge Into Each Item', value: 'merge', description: "Every row or group also carries the invoice header's fields" },
			{ name: 'Separate Item', value: 'separate', description: 'One item { invoiceHeader } before the rows or groups' },
			{ name: 'Leave Out', value: 'none' },
		],
		default: 'separate',
		description: "What to do with the ZIP's Invoice Header file (the invoice's totals)",
		hint: 'In File mode the header goes into the output item as invoiceHeader, except with Leave Out',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'Which hosts may get the token, how to find and read the files in the ZIP, and the limits that guard against hostile ZIPs',
		options: [
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
				options: [
					{ name: 'Comma', value: ',' },
					{ name: 'Detect', value: 'auto', description: 'From the header line of each CSV' },
					{ name: 'Pipe', value: '|' },
					{ name: 'Semicolon', value: ';' },
					{ name: 'Tab', value: '\t' },
				],
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
				description: 'An entry that unpacks to more than this many times its compressed size is refused as a zip bomb',
			},
			{
				displayName: 'Max ZIP Size (MB)',
				name: 'maxZipMb',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 4096 },
				default: 512,
				description: 'A larger download is refused. The ZIP is held in memory while its files are read.',
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
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

interface DownloadOptions {
	authorizedFileHosts: string[];
	delimiter: string;
	headerFileName: string;
	usageFileName: string;
	lineCountColumn: string;
	maxZipMb: number;
	maxCompressionRatio: number;
	timeoutMinutes: number;
}

/** A host name, or `*.` and a domain of at least two labels (never all of a top-level domain). */
const HOST_PATTERN = /^(\*\.)?(?=[a-z0-9.-]{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function readOptions(rules: ParameterRules, given: IDataObject): DownloadOptions {
	const authorizedFileHosts = parseHosts(rules.text(given.authorizedFileHosts, 'Authorized File Hosts', '*.cisco.com'));
	for (const host of authorizedFileHosts) {
		if (!HOST_PATTERN.test(host) || (host.startsWith('*.') && !host.slice(2).includes('.'))) {
			throw rules.refuse('Authorized File Hosts', 'must list host names, or *.domain for its subdomains (such as *.cisco.com)', host);
		}
	}
	const fileNamePart = (value: unknown, label: string, fallback: string) => {
		const text = rules.text(value, label, fallback).trim();
		if (!text) throw rules.refuse(label, 'must not be empty');
		return text;
	};
	return {
		authorizedFileHosts,
		delimiter: rules.oneOf(given.delimiter ?? 'auto', 'Delimiter', [
			[',', 'Comma'],
			['auto', 'Detect'],
			['|', 'Pipe'],
			[';', 'Semicolon'],
			['\t', 'Tab'],
		]),
		headerFileName: fileNamePart(given.headerFileName, 'Header File Name Contains', 'header'),
		usageFileName: fileNamePart(given.usageFileName, 'Usage File Name Contains', 'usage'),
		lineCountColumn: rules.text(given.lineCountColumn, 'Line Count Column', 'Usage Line Count'),
		maxZipMb: rules.number(given.maxZipMb, 'Max ZIP Size (MB)', { min: 1, max: 4096, fallback: 512 }),
		maxCompressionRatio: rules.number(given.maxCompressionRatio, 'Max Compression Ratio', { min: 2, fallback: DEFAULT_ZIP_LIMITS.maxCompressionRatio }),
		timeoutMinutes: rules.number(given.timeoutMinutes, 'Timeout (Minutes)', { ...TIMEOUT_MINUTES, fallback: 10 }),
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const refuse = (message: string, description?: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description });
	const usageUrl = String(this.getNodeParameter('usageUrl', itemIndex) ?? '').trim();
	if (!usageUrl) throw refuse("'Usage URL' is empty", 'Connect this node after Get Download Links, or map its usageUrl field.');
	if (!isAllowedDownloadUrl(usageUrl)) {
		throw refuse("'Usage URL' is not an https link", 'Use the usageUrl that Get Download Links outputs, unchanged.');
	}
	const settings = readOutputSettings(this, itemIndex);
	const rules = new ParameterRules(this, itemIndex);
	const includeHeader = rules.oneOf(this.getNodeParameter('includeHeader', itemIndex), 'Invoice Header', [
		['merge', 'Merge Into Each Item'],
		['separate', 'Separate Item'],
		['none', 'Leave Out'],
	]);
	const options = readOptions(rules, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	const maxZipBytes = options.maxZipMb * 1024 * 1024;
	const limits = { ...DEFAULT_ZIP_LIMITS, maxCompressionRatio: options.maxCompressionRatio };

	const item = this.getInputData()[itemIndex]?.json ?? {};
	const invoiceNumber = typeof item.invoiceNumber === 'string' || typeof item.invoiceNumber === 'number' ? String(item.invoiceNumber) : undefined;
	const what = invoiceNumber ? `the usage ZIP of invoice ${invoiceNumber}` : 'the usage ZIP';
	const expiresAt = typeof item.expiresAt === 'string' ? item.expiresAt : undefined;

	const client = await createCiscoClient(this, itemIndex, options.timeoutMinutes);
	const tokenHosts = [new URL(client.baseUrl).hostname, ...options.authorizedFileHosts];

	const zip = await downloadSignedFile(this, {
		what,
		policy: client.policy,
		getUrl: async (refusal) => {
			if (refusal) throw linkRefusedError(refusal, what, expiresAt, hostAllowed(usageUrl, tokenHosts));
			return usageUrl;
		},
		consume: async (body) => await readAll(body, maxZipBytes, what),
		credentialFallback: { credentialType: CREDENTIAL_TYPE, allowed: (url) => hostAllowed(url, tokenHosts) },
	});

	const files = openZip(zip, what, limits);
	const headerFile = findFile(files, options.headerFileName, what, 'Header File Name Contains');
	const usageFile = findFile(files, options.usageFileName, what, 'Usage File Name Contains', headerFile);
	const header = await readHeader(headerFile, options.delimiter, what);
	const delimiter = options.delimiter !== 'auto' ? options.delimiter : detectDelimiter(await firstLine(usageFile));
	const output = await readCsvOutput(
		this,
		usageFile.open(),
		settings,
		{ fileName: baseName(usageFile.name), mimeType: 'text/csv' },
		{ delimiter },
	);
	checkLineCount(header, output.rowCount, options.lineCountColumn, what);
	this.addExecutionHints({ message: `Read ${output.rowCount} usage lines from ${what}`, location: 'outputPane' });
	return toItems(output, header, includeHeader, settings.binaryPropertyName, invoiceNumber, usageFile.name);
}

class LinkRefusedError extends DownloadError {
	constructor(
		message: string,
		readonly description: string,
		statusCode: number,
	) {
		super(message, statusCode);
	}
}

function linkRefusedError(refusal: Refusal, what: string, expiresAt: string | undefined, tokenAllowed: boolean): LinkRefusedError {
	const expired = /expire/i.test(refusal.detail) || (expiresAt !== undefined && Date.parse(expiresAt) < Date.now());
	if (expired) {
		return new LinkRefusedError(
			`The link to ${what} has expired (HTTP ${refusal.statusCode}${refusal.detail})`,
			'Usage links are valid for 24 hours. Run Get Download Links again for new links, then download right after.',
			refusal.statusCode,
		);
	}
	const signIn =
		refusal.statusCode === 401 && !tokenAllowed
			? ' The file host asks to be signed in: if it is a Cisco host, add it to Options › Authorized File Hosts so the node may send the Cisco token there.'
			: '';
	return new LinkRefusedError(
		`The file host refused the link to ${what} (HTTP ${refusal.statusCode}${refusal.detail})`,
		`Links are valid for 24 hours and only as Cisco issued them: run Get Download Links again for new links.${signIn}`,
		refusal.statusCode,
	);
}

function parseHosts(text: string): string[] {
	return text
		.split(',')
		.map((host) => host.trim().toLowerCase())
		.filter(Boolean);
}

function hostAllowed(url: string, hosts: string[]): boolean {
	let hostname: string;
	try {
		hostname = new URL(url).hostname.toLowerCase();
	} catch {
		return false;
	}
	return hosts.some((host) => (host.startsWith('*.') ? hostname.endsWith(host.slice(1)) : hostname === host));
}

async function readAll(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) {
			body.destroy();
			throw new DownloadError(`${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the Max ZIP Size option`);
		}
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** The one file whose name contains `namePart` (other than `taken`, the file already found). */
function findFile(files: ZipFile[], namePart: string, what: string, optionName: string, taken?: ZipFile): ZipFile {
	const wanted = namePart.trim().toLowerCase();
	const matches = files.filter((file) => file !== taken && baseName(file.name).toLowerCase().includes(wanted));
	if (matches.length !== 1) {
		const names = files.map((file) => file.name).join(', ') || 'no files';
		throw new ZipFormatError(
			`${what} has ${matches.length === 0 ? 'no' : matches.length} file${matches.length === 1 ? '' : 's'} whose name contains '${namePart}' (option '${optionName}'); it holds: ${names}`,
		);
	}
	return matches[0];
}

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;

/** The first line of a ZIP entry, to detect its delimiter; reading stops there. */
async function firstLine(file: ZipFile): Promise<string> {
	const stream = file.open();
	let text = '';
	try {
		for await (const chunk of stream) {
			text += (chunk as Buffer).toString('utf8');
			const end = text.indexOf('\n');
			if (end >= 0) return text.slice(0, end);
			if (text.length > 65_536) break;
		}
		return text;
	} finally {
		stream.destroy();
	}
}

async function readHeader(file: ZipFile, delimiterOption: string, what: string): Promise<IDataObject> {
	const delimiter = delimiterOption !== 'auto' ? delimiterOption : detectDelimiter(await firstLine(file));
	const sink = new RowsSink();
	await readCsv(file.open(), sink, { delimiter });
	if (sink.rows.length !== 1) {
		throw new ZipFormatError(`The Invoice Header file of ${what} has ${sink.rows.length} records; one was expected`);
	}
	return sink.rows[0];
}

function checkLineCount(header: IDataObject, rowCount: number, column: string, what: string): void {
	const wanted = column.trim().toLowerCase();
	if (!wanted) return;
	const key = Object.keys(header).find((name) => name.toLowerCase() === wanted);
	if (key === undefined) return;
	const announced = Number(String(header[key]).trim());
	if (Number.isInteger(announced) && announced !== rowCount) {
		throw new ZipFormatError(`The invoice header of ${what} announces ${announced} usage lines, but its usage file has ${rowCount}`);
	}
}

function toItems(
	output: CsvOutput,
	header: IDataObject,
	includeHeader: 'merge' | 'separate' | 'none',
	binaryPropertyName: string,
	invoiceNumber: string | undefined,
	usageFileName: string,
): INodeExecutionData[] {
	if (output.mode === 'file') {
		const json: IDataObject = { invoiceNumber: invoiceNumber ?? null, fileName: baseName(usageFileName), rowCount: output.rowCount };
		if (includeHeader !== 'none') json.invoiceHeader = header;
		return [{ json, binary: { [binaryPropertyName]: output.binary } }];
	}
	const records = output.mode === 'rows' ? output.rows : output.groups.map((group) => groupToJson(group, output.sumFieldNames));
	const items = records.map((record) => ({ json: includeHeader === 'merge' ? { ...header, ...record } : record }));
	return includeHeader === 'separate' ? [{ json: { invoiceHeader: header } }, ...items] : items;
}
