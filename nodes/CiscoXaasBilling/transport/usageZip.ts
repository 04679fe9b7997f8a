import type { IDataObject } from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { RowsSink } from '../../shared/output/csvOutput';
import { detectDelimiter, readCsv } from '../../shared/readers/csv';
import { fieldNameKey } from '../../shared/readers/fieldNames';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, openZip, type ZipFile } from '../../shared/readers/zip';
import { DownloadError, downloadSignedFile, type Refusal } from '../../shared/transport/signedDownload';
import { CREDENTIAL_TYPE, type CiscoClient } from './index';

/** One invoice's usage link, as Get Download Links outputs it. */
export interface UsageLink {
	usageUrl: string;
	/** the ZIP in messages: "the usage ZIP of invoice 537602854" */
	what: string;
	expiresAt?: string;
}

/**
 * Downloads an invoice's usage ZIP, at most `maxBytes` of it. The link is signed: no token
 * goes with it, unless the file host refuses it without one and is the API's host or one
 * the user authorised (`*.cisco.com` by default). A link refused for good says why.
 */
export async function downloadUsageZip(client: CiscoClient, link: UsageLink, { authorizedFileHosts, maxBytes }: { authorizedFileHosts: string[]; maxBytes: number }): Promise<Buffer> {
	const tokenHosts = [new URL(client.baseUrl).hostname, ...authorizedFileHosts];
	return await downloadSignedFile(client.context, {
		what: link.what,
		policy: client.policy,
		getUrl: async (refusal) => {
			if (refusal) throw linkRefusedError(refusal, link, hostAllowed(link.usageUrl, tokenHosts));
			return link.usageUrl;
		},
		consume: async (body) => await readAll(body, maxBytes, link.what),
		credentialFallback: { credentialType: CREDENTIAL_TYPE, allowed: (url) => hostAllowed(url, tokenHosts) },
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

function linkRefusedError(refusal: Refusal, { what, expiresAt }: UsageLink, tokenAllowed: boolean): LinkRefusedError {
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

/** Whether a URL's host is one of `hosts` (`*.domain`: any of its subdomains). */
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

export interface UsageZipLayout {
	/** parts of the two files' names, matched ignoring case */
	headerFileName: string;
	usageFileName: string;
	/** a delimiter, or 'auto' to detect each file's from its header line */
	delimiter: string;
	maxCompressionRatio: number;
}

/** The invoice header's one record, and the Consolidated Usage CSV with its delimiter. */
export interface UsageZip {
	header: IDataObject;
	usage: ZipFile;
	/** the usage file's name without its folder */
	usageFileName: string;
	delimiter: string;
}

export async function openUsageZip(zip: Buffer, what: string, layout: UsageZipLayout): Promise<UsageZip> {
	const files = openZip(zip, what, { ...DEFAULT_ZIP_LIMITS, maxCompressionRatio: layout.maxCompressionRatio });
	const headerFile = findFile(files, layout.headerFileName, what, 'Header File Name Contains');
	const usage = findFile(files, layout.usageFileName, what, 'Usage File Name Contains', headerFile);
	const sink = new RowsSink();
	await readCsv(headerFile.open(), sink, { delimiter: await delimiterOf(headerFile, layout.delimiter) });
	if (sink.rows.length !== 1) {
		throw new ZipFormatError(`The Invoice Header file of ${what} has ${sink.rows.length} records; one was expected`);
	}
	return { header: sink.rows[0], usage, usageFileName: baseName(usage.name), delimiter: await delimiterOf(usage, layout.delimiter) };
}

/** Fails when the header's `column` announces another number of usage lines than the file has. */
export function checkLineCount({ header }: UsageZip, rowCount: number, column: string, what: string): void {
	const wanted = fieldNameKey(column.trim());
	if (!wanted) return;
	const key = Object.keys(header).find((name) => fieldNameKey(name) === wanted);
	if (key === undefined) return;
	const announced = Number(String(header[key]).trim());
	if (Number.isInteger(announced) && announced !== rowCount) {
		throw new ZipFormatError(`The invoice header of ${what} announces ${announced} usage lines, but its usage file has ${rowCount}`);
	}
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

async function delimiterOf(file: ZipFile, option: string): Promise<string> {
	return option !== 'auto' ? option : detectDelimiter(await firstLine(file));
}

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
