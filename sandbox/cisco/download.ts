/**
 * The usage-file host: `GET http://<fileHost>:PORT/cisco-files/<opaque id>.zip?sig=<random>`,
 * one ZIP per invoice holding its Invoice Header CSV and its Consolidated Usage CSV.
 *
 * [spec] one .zip per invoice with exactly one header and one usage file (.csv); links are valid
 * for 24 hours and are secrets; whether the download needs the bearer token is [unconfirmed].
 * [sandbox] every link the API hands out is new (random id and sig) and expires
 * `linkTtlSeconds` after it was issued; an unknown, tampered or expired link is a 403 with a
 * CDN-style XML body, never a ZIP. `fileHost` defaults to `localhost`, a different host from the
 * API's 127.0.0.1, so a client that sends its bearer token to every host is caught. Option
 * fileAuth 'bearer' makes the host demand the API's bearer token (401 without it). The ZIP is
 * built in memory (adm-zip), cached per invoice and rebuilt when an option it depends on changes;
 * entries are dated with the invoice date, so the bytes depend only on seed and options.
 */

import { randomBytes, timingSafeEqual } from 'crypto';
import fs from 'fs';
import AdmZip from 'adm-zip';
import { sendText } from '../server';
import { DAY_MS } from '../webex/dates';
import { HEADER_COLUMNS, USAGE_COLUMNS, invoiceOf, usageRecords, headerRecord } from './data';
import { csvFile } from './csv';
import type { RequestContext, SandboxServer } from '../server';
import type { Dataset } from './data';
import type { CiscoAuth } from './auth';

export const FILES_PREFIX = '/cisco-files';
const PATH_RE = /^\/cisco-files\/([0-9a-f]{32})\.zip$/;

/** The live options the file host reads (see CiscoOptions). */
export interface FileOptions {
	/** host name in usage URLs (default 'localhost': not the API's host) */
	fileHost: string;
	/** a usage URL works this long after it was issued (default 86400 = 24 h) */
	linkTtlSeconds: number;
	/** 'bearer': the file host demands the API's bearer token (default 'none') */
	fileAuth: 'none' | 'bearer';
	/** every invoice has exactly this many usage lines (default: 20..200, seeded) */
	usageLinesPerInvoice: number | undefined;
	/** ZIP entry name; `{invoiceNumber}` is replaced (default 'Invoice_Header_{invoiceNumber}.csv') */
	headerFileName: string;
	/** (default 'Consolidated_Usage_{invoiceNumber}.csv') */
	usageFileName: string;
	/** ',' (default) or ';' */
	csvDelimiter: string;
	/** UTF-8 BOM at the start of both CSV files (default false) */
	csvBom: boolean;
	/** '\r\n' (default) or '\n' */
	lineEnding: string;
}

interface Link {
	invoiceNumber: string;
	sig: string;
	expiresAt: number;
}

function xmlError(code: string, message: string) {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

/** @param template e.g. 'Invoice_Header_{invoiceNumber}.csv' */
function fileName(template: string, invoiceNumber: string) {
	return template.split('{invoiceNumber}').join(invoiceNumber);
}

export class CiscoFiles {
	server: SandboxServer;
	dataset: Dataset;
	options: FileOptions;
	auth: CiscoAuth;
	/** opaque id -> link */
	links: Map<string, Link>;
	/** invoice number -> built ZIP */
	zips: Map<string, { key: string; buffer: Buffer }>;
	/** invoice number -> ZIP a test put in place */
	replaced: Map<string, Buffer<ArrayBufferLike>>;
	/** invoice number -> file of a ZIP a test or benchmark put in place, streamed from disk */
	replacedFiles: Map<string, string>;
	/** every usage URL issued since the last reset, oldest first */
	issued: string[];

	/** @param deps.options live options */
	constructor(deps: {
		server: SandboxServer;
		dataset: Dataset;
		options: FileOptions;
		auth: CiscoAuth;
	}) {
		this.server = deps.server;
		this.dataset = deps.dataset;
		this.options = deps.options;
		this.auth = deps.auth;
		this.links = new Map();
		this.zips = new Map();
		this.replaced = new Map();
		this.replacedFiles = new Map();
		this.issued = [];
	}

	/** A new download link for an invoice, valid `linkTtlSeconds` from now. */
	issueLink(invoiceNumber: string) {
		const id = randomBytes(16).toString('hex');
		const sig = randomBytes(24).toString('base64url');
		this.links.set(id, {
			invoiceNumber,
			sig,
			expiresAt: Date.now() + this.options.linkTtlSeconds * 1000,
		});
		const url = `http://${this.options.fileHost}:${this.server.port}${FILES_PREFIX}/${id}.zip?sig=${sig}`;
		this.issued.push(url);
		return url;
	}

	/** Every link issued so far answers 403 "Request has expired" from now on. */
	expireLinks() {
		for (const link of this.links.values()) link.expiresAt = 0;
	}

	/** Serve this ZIP for the invoice instead of the seeded one (until reset). */
	replaceZip(invoiceNumber: string, buffer: Buffer) {
		invoiceOf(this.dataset, invoiceNumber);
		this.replaced.set(invoiceNumber, Buffer.from(buffer));
	}

	/** Serve the ZIP in this file for the invoice (until reset), read from disk as it is sent: for ZIPs too large to hold. */
	replaceZipFile(invoiceNumber: string, file: string) {
		invoiceOf(this.dataset, invoiceNumber);
		this.replacedFiles.set(invoiceNumber, file);
	}

	/** Forget links and replaced ZIPs (built ZIPs stay cached: they depend on options only). */
	reset() {
		this.links.clear();
		this.issued.length = 0;
		this.replaced.clear();
		this.replacedFiles.clear();
	}

	/** The ZIP served for an invoice. */
	zipFor(invoiceNumber: string) {
		const replaced = this.replaced.get(invoiceNumber);
		if (replaced) return replaced;
		const o = this.options;
		const key = JSON.stringify([
			o.usageLinesPerInvoice ?? null,
			o.headerFileName,
			o.usageFileName,
			o.csvDelimiter,
			o.csvBom,
			o.lineEnding,
		]);
		const cached = this.zips.get(invoiceNumber);
		if (cached && cached.key === key) return cached.buffer;
		const buffer = this.buildZip(invoiceNumber);
		this.zips.set(invoiceNumber, { key, buffer });
		return buffer;
	}

	buildZip(invoiceNumber: string) {
		const o = this.options;
		const invoice = invoiceOf(this.dataset, invoiceNumber);
		const usageOptions = { usageLinesPerInvoice: o.usageLinesPerInvoice };
		const dialect = { delimiter: o.csvDelimiter, bom: o.csvBom, lineEnding: o.lineEnding };
		// noSort: keep the header first, as written (adm-zip sorts entries by name otherwise).
		const zip = new AdmZip(undefined, { noSort: true });
		const files = [
			[
				fileName(o.headerFileName, invoiceNumber),
				csvFile(HEADER_COLUMNS, [headerRecord(this.dataset, invoice, usageOptions)], dialect),
			],
			[
				fileName(o.usageFileName, invoiceNumber),
				csvFile(USAGE_COLUMNS, usageRecords(this.dataset, invoice, usageOptions), dialect),
			],
		];
		for (const [name, text] of files) {
			const entry = zip.addFile(name, Buffer.from(text, 'utf8'));
			entry.header.time = new Date(invoice.invoiceDay * DAY_MS);
		}
		return zip.toBuffer();
	}

	/** Checks that must see every download, faulted ones too (called before faults apply). */
	observe(ctx: RequestContext) {
		if (this.options.fileAuth === 'none' && ctx.req.headers.authorization !== undefined) {
			this.server.violation(
				`bearer token sent to the usage file host: ${ctx.entry.method} ${ctx.path}`,
			);
		}
	}

	handle(ctx: RequestContext) {
		const { req, res, url } = ctx;
		const method = ctx.entry.method;
		const fail = (
			status: number,
			code: string,
			message: string,
			headers: Record<string, string> = {},
		) => sendText(res, status, xmlError(code, message), 'application/xml', headers);

		if (method !== 'GET' && method !== 'HEAD') {
			fail(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
				allow: 'GET, HEAD',
			});
			return;
		}
		if (this.options.fileAuth === 'bearer') {
			const auth = this.auth.authenticate(req.headers);
			if (!auth.ok) {
				fail(401, 'Unauthorized', auth.message, { 'www-authenticate': 'Bearer' });
				return;
			}
		}
		const m = PATH_RE.exec(url.pathname);
		const link = m ? this.links.get(m[1]) : undefined;
		const sig = Buffer.from(url.searchParams.get('sig') || '');
		if (
			!link ||
			sig.length !== Buffer.byteLength(link.sig) ||
			!timingSafeEqual(sig, Buffer.from(link.sig))
		) {
			fail(403, 'AccessDenied', 'Access Denied');
			return;
		}
		if (link.expiresAt <= Date.now()) {
			fail(403, 'AccessDenied', 'Request has expired');
			return;
		}
		const file = this.replacedFiles.get(link.invoiceNumber);
		const zip = file === undefined ? this.zipFor(link.invoiceNumber) : undefined;
		res.writeHead(200, {
			'content-type': 'application/zip',
			'content-length': String(zip ? zip.length : fs.statSync(file as string).size),
			'content-disposition': `attachment; filename="Usage_${link.invoiceNumber}.zip"`,
			'cache-control': 'private, max-age=0',
		});
		if (method === 'HEAD') res.end();
		else if (zip) res.end(zip);
		else fs.createReadStream(file as string).pipe(res);
	}
}
