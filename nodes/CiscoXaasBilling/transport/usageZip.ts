import type { IDataObject } from 'n8n-workflow';
import { Readable } from 'node:stream';

import { detectDelimiter, readCsv, type CsvRecordConsumer } from '../../shared/readers/csv';
import { fieldNameKey } from '../../shared/readers/fieldNames';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, readZipStream } from '../../shared/readers/zip';
import {
	DownloadError,
	downloadSignedFile,
	type Refusal,
} from '../../shared/transport/signedDownload';
import { CREDENTIAL_TYPE, type CiscoClient } from './index';

/** One invoice's usage link, as Get Download Links outputs it. */
export interface UsageLink {
	usageUrl: string;
	/** the ZIP in messages: "the usage ZIP of invoice 537602854" */
	what: string;
	expiresAt?: string;
}

/**
 * Downloads an invoice's usage ZIP, at most `maxBytes` of it, and reads it as it arrives:
 * the ZIP is never held, whatever its size (see `readUsageZip`). The link is signed: no token
 * goes with it, unless the file host refuses it without one and is the API's host or one the
 * user authorised (`*.cisco.com` by default). A link refused for good says why. A connection
 * that drops mid-ZIP starts the download again, and `readUsage` with it, from the first byte.
 */
export async function downloadUsageZip<Usage>(
	client: CiscoClient,
	link: UsageLink,
	{
		authorizedFileHosts,
		maxBytes,
		layout,
		readUsage,
	}: {
		authorizedFileHosts: string[];
		maxBytes: number;
		layout: UsageZipLayout;
		readUsage: ReadUsage<Usage>;
	},
): Promise<UsageZip<Usage>> {
	const tokenHosts = [new URL(client.baseUrl).hostname, ...authorizedFileHosts];
	return await downloadSignedFile(client.context, {
		what: link.what,
		policy: client.policy,
		getUrl: async (refusal) => {
			if (refusal) throw linkRefusedError(refusal, link, hostAllowed(link.usageUrl, tokenHosts));
			return link.usageUrl;
		},
		consume: async (body) => {
			try {
				return await readUsageZip(upTo(body, maxBytes, link.what), link.what, layout, readUsage);
			} finally {
				body.destroy();
			}
		},
		credentialFallback: {
			credentialType: CREDENTIAL_TYPE,
			allowed: (url) => hostAllowed(url, tokenHosts),
		},
	});
}

/** A refused link, with what to do about it. */
class LinkRefusedError extends DownloadError {
	constructor(
		message: string,
		readonly description: string,
		statusCode: number,
	) {
		super(message, statusCode);
	}
}

function linkRefusedError(
	refusal: Refusal,
	{ what, expiresAt }: UsageLink,
	tokenAllowed: boolean,
): LinkRefusedError {
	const expired =
		/expire/i.test(refusal.detail) ||
		(expiresAt !== undefined && Date.parse(expiresAt) < Date.now());
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

/** Whether a URL's host is one of `hosts` (`*.domain`: any of its subdomains). */
function hostAllowed(url: string, hosts: string[]): boolean {
	let hostname: string;
	try {
		hostname = new URL(url).hostname.toLowerCase();
	} catch {
		return false;
	}
	return hosts.some((host) =>
		host.startsWith('*.') ? hostname.endsWith(host.slice(1)) : hostname === host,
	);
}

/** The body's bytes, refused beyond `maxBytes` (Max ZIP Size) as they arrive. */
async function* upTo(body: Readable, maxBytes: number, what: string): AsyncGenerator<Buffer> {
	let size = 0;
	for await (const chunk of body) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) {
			throw new DownloadError(
				`${what} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the Max ZIP Size option`,
			);
		}
		yield chunk as Buffer;
	}
}

export interface UsageZipLayout {
	/** parts of the two files' names, matched ignoring case */
	headerFileName: string;
	usageFileName: string;
	/** a delimiter, or 'auto' to detect each file's from its header line */
	delimiter: string;
	maxCompressionRatio: number;
}

/** Reads the Consolidated Usage CSV into what the output mode makes of it. */
export type ReadUsage<Usage> = (
	content: Readable,
	file: { fileName: string; delimiter: string },
) => Promise<Usage>;

/** The invoice header's one record, and what `readUsage` made of the Consolidated Usage CSV. */
export interface UsageZip<Usage> {
	header: IDataObject;
	usage: Usage;
	/** the usage file's name without its folder */
	usageFileName: string;
}

/**
 * Reads a usage ZIP as it downloads: the entries come one after the other, so the Invoice
 * Header CSV (one record, kept) and the Consolidated Usage CSV (streamed into `readUsage`) are
 * read in whatever order the ZIP holds them, and any other file is only checked. Only once the
 * ZIP's central directory, at its very end, has confirmed every entry, are the files known to
 * be the right ones (exactly one of each): the result, and with it the node's output (rows,
 * totals or the file, already in n8n's binary data), comes only then, so a ZIP refused at its
 * end never yields a partial or wrong output. Streaming instead of spooling to a temporary
 * file keeps memory flat with no disk to clean up, and reads at the pace of the download.
 */
export async function readUsageZip<Usage>(
	body: AsyncIterable<Buffer>,
	what: string,
	layout: UsageZipLayout,
	readUsage: ReadUsage<Usage>,
): Promise<UsageZip<Usage>> {
	const wantedHeader = layout.headerFileName.trim().toLowerCase();
	const wantedUsage = layout.usageFileName.trim().toLowerCase();
	const headers: string[] = [];
	const usages: string[] = [];
	let header: HeaderRecord | undefined;
	let usage: { value: Usage } | undefined;
	const names = await readZipStream(
		body,
		what,
		{ ...DEFAULT_ZIP_LIMITS, maxCompressionRatio: layout.maxCompressionRatio },
		async ({ name, content }) => {
			const fileName = baseName(name);
			// The same rule as ever: the header is the one file named like it, the usage file the
			// one other file named like a usage file.
			if (fileName.toLowerCase().includes(wantedHeader)) {
				headers.push(name);
				if (headers.length === 1) header = await readHeader(content, layout.delimiter);
			} else if (fileName.toLowerCase().includes(wantedUsage)) {
				usages.push(name);
				if (usages.length === 1) {
					const file = await delimiterOf(content, layout.delimiter);
					usage = { value: await readUsage(file.content, { fileName, delimiter: file.delimiter }) };
				}
			}
		},
	);
	checkOneFile(headers, names, layout.headerFileName, what, 'Header File Name Contains');
	checkOneFile(usages, names, layout.usageFileName, what, 'Usage File Name Contains');
	if (!header || !usage) throw new ZipFormatError(`${what} ended before its files were read`);
	if (header.records !== 1) {
		throw new ZipFormatError(
			`The Invoice Header file of ${what} has ${header.records} records; one was expected`,
		);
	}
	return { header: header.first ?? {}, usage: usage.value, usageFileName: baseName(usages[0]) };
}

/** Fails when the header's `column` announces another number of usage lines than the file has. */
export function checkLineCount(
	{ header }: { header: IDataObject },
	rowCount: number,
	column: string,
	what: string,
): void {
	const wanted = fieldNameKey(column.trim());
	if (!wanted) return;
	const key = Object.keys(header).find((name) => fieldNameKey(name) === wanted);
	if (key === undefined) return;
	const announced = Number(String(header[key]).trim());
	if (Number.isInteger(announced) && announced !== rowCount) {
		throw new ZipFormatError(
			`The invoice header of ${what} announces ${announced} usage lines, but its usage file has ${rowCount}`,
		);
	}
}

/** Fails unless exactly one file's name contains `namePart`, listing the files the ZIP holds. */
function checkOneFile(
	matches: string[],
	names: string[],
	namePart: string,
	what: string,
	optionName: string,
): void {
	if (matches.length !== 1) {
		const holds = names.join(', ') || 'no files';
		throw new ZipFormatError(
			`${what} has ${matches.length === 0 ? 'no' : matches.length} file${matches.length === 1 ? '' : 's'} whose name contains '${namePart}' (option '${optionName}'); it holds: ${holds}`,
		);
	}
}

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;

/** The header file's first record, and how many it has (one is expected; no more are kept). */
interface HeaderRecord {
	first?: IDataObject;
	records: number;
}

async function readHeader(content: Readable, delimiter: string): Promise<HeaderRecord> {
	const sink = new FirstRecord();
	const file = await delimiterOf(content, delimiter);
	await readCsv(file.content, sink, { delimiter: file.delimiter });
	return { first: sink.first, records: sink.records };
}

class FirstRecord implements CsvRecordConsumer {
	first?: IDataObject;
	records = 0;
	private fields: string[] = [];

	header(fields: string[]): void {
		this.fields = fields;
	}

	row(values: string[]): void {
		if (this.records++ > 0) return;
		this.first = Object.fromEntries(this.fields.map((field, index) => [field, values[index]]));
	}
}

/** The file's delimiter, and the file to read from (all of it, whatever was looked at to find the delimiter). */
async function delimiterOf(
	content: Readable,
	option: string,
): Promise<{ delimiter: string; content: Readable }> {
	if (option !== 'auto') return { delimiter: option, content };
	const { line, rest } = await firstLine(content);
	return { delimiter: detectDelimiter(line), content: rest };
}

/**
 * The first line of a file, to detect its delimiter. The bytes looked at go back into the
 * stream, or, when they were all of it, make a new one.
 */
function firstLine(content: Readable): Promise<{ line: string; rest: Readable }> {
	return new Promise((resolve, reject) => {
		const seen: Buffer[] = [];
		let length = 0;
		const settle = (outcome: () => void) => {
			content.off('readable', onReadable);
			content.off('end', onEnd);
			content.off('error', onError);
			outcome();
		};
		const line = () => {
			const text = Buffer.concat(seen).toString('utf8');
			const end = text.indexOf('\n');
			return end >= 0 ? text.slice(0, end) : text;
		};
		const onReadable = () => {
			for (
				let chunk = content.read() as Buffer | null;
				chunk !== null;
				chunk = content.read() as Buffer | null
			) {
				seen.push(chunk);
				length += chunk.length;
				if (chunk.includes(0x0a) || length > 65_536) {
					settle(() => {
						content.unshift(Buffer.concat(seen));
						resolve({ line: line(), rest: content });
					});
					return;
				}
			}
		};
		const onEnd = () => settle(() => resolve({ line: line(), rest: Readable.from(seen) }));
		const onError = (error: Error) => settle(() => reject(error));
		content.on('readable', onReadable);
		content.on('end', onEnd);
		content.on('error', onError);
	});
}
