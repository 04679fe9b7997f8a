/**
 * The "CDN" that serves report files: `GET /cdn/webex/<uuid>/WHOLESALE/<uuid>.csv?Expires&Signature&Key-Pair-Id`.
 *
 * Spec: tempDownloadURL is a signed CDN URL (`...csv?Expires=<epoch>&Signature=...&Key-Pair-Id=...`)
 * fetched WITHOUT the Webex bearer token; `Expires` is the deadline; anyone holding it can read.
 * Sandbox choices: HMAC-SHA256 over `<path>?Expires=<n>` (base64url) with a per-process secret
 * and key pair id SANDBOXKEYPAIR; CloudFront/S3-style XML errors: 403 AccessDenied for a bad or
 * missing signature, 403 "Request has expired", 400 InvalidArgument when an Authorization header
 * is sent (and a violation is recorded), 404 NoSuchKey once the report is deleted. The body is
 * streamed with backpressure; single byte ranges are served (206/416), with ETag/If-Range.
 */

import { createHmac, createHash, randomBytes, timingSafeEqual } from 'crypto';
import { pipeline } from 'stream';
import { createGzip } from 'zlib';
import { sendText } from '../server';
import { createCsvStream, csvByteLength } from './csv';
import type { ReportRecord, ReportStore } from './store';
import type { RequestContext, SandboxServer } from '../server';
import type { ServerResponse } from 'http';

const KEY_PAIR_ID = 'SANDBOXKEYPAIR';
const PATH_RE = /^\/cdn\/webex\/([0-9a-f-]{36})\/WHOLESALE\/([0-9a-f-]{36})\.csv$/;
/** Above this many rows the full-body size is not computed up front (the bench report streams chunked). */
const SIZE_UP_FRONT_MAX_ROWS = 200000;

function xmlError(code: string, message: string) {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

interface DownloadOptions {
	downloadUrlTtlSeconds: number;
	userReportRows?: number;
	csvBom?: boolean;
	downloadGzip?: boolean;
}

export class WebexDownloads {
	server: SandboxServer;
	store: ReportStore;
	options: DownloadOptions;
	seed: number;
	secret: Buffer;
	/** every signed URL handed out since the last reset, oldest first */
	issued: string[];

	/** @param options live options */
	constructor(server: SandboxServer, store: ReportStore, options: DownloadOptions, seed: number) {
		this.server = server;
		this.store = store;
		this.options = options;
		this.seed = seed;
		this.secret = randomBytes(32);
		this.issued = [];
	}

	sign(path: string, expires: string | number) {
		return createHmac('sha256', this.secret)
			.update(`${path}?Expires=${expires}`)
			.digest('base64url');
	}

	pathFor(record: ReportRecord) {
		return `/cdn/webex/${record.folderUuid}/WHOLESALE/${record.fileUuid}.csv`;
	}

	/** A freshly signed URL, valid `downloadUrlTtlSeconds` from now (spec: 30 minutes). */
	urlFor(record: ReportRecord) {
		const path = this.pathFor(record);
		const expires = Math.floor(Date.now() / 1000) + this.options.downloadUrlTtlSeconds;
		const url = `${this.server.url}${path}?Expires=${expires}&Signature=${this.sign(path, expires)}&Key-Pair-Id=${KEY_PAIR_ID}`;
		this.issued.push(url);
		return url;
	}

	/** What the file depends on (for the size cache and the ETag). */
	contentKey(record: ReportRecord) {
		return JSON.stringify([
			this.seed,
			record.billingStartDate,
			record.billingEndDate,
			record.type,
			record.subPartnerOrgId || '',
			record.internal,
			record.type === 'USER' ? (this.options.userReportRows ?? null) : null,
			this.options.csvBom === true,
		]);
	}

	csvOptions(record: ReportRecord) {
		return {
			seed: this.seed,
			userReportRows: record.type === 'USER' ? this.options.userReportRows : undefined,
			csvBom: this.options.csvBom === true,
		};
	}

	/** @param force compute even for the bench-sized report */
	sizeOf(record: ReportRecord, force: boolean): number | undefined {
		const key = this.contentKey(record);
		if (record.csvSize && record.csvSize.key === key) return record.csvSize.bytes;
		const rows = record.type === 'USER' ? this.options.userReportRows : undefined;
		if (!force && rows !== undefined && rows > SIZE_UP_FRONT_MAX_ROWS) return undefined;
		const bytes = csvByteLength(record, this.csvOptions(record));
		record.csvSize = { key, bytes };
		return bytes;
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

		if (req.headers.authorization !== undefined) {
			// The real CDN refuses a second auth mechanism; sending the Webex token there leaks it.
			this.server.violation(
				`Authorization header sent to the download host: ${method} ${ctx.path}`,
			);
			fail(
				400,
				'InvalidArgument',
				'Only one auth mechanism allowed; only the Signature query string parameter or the Authorization header should be specified',
			);
			return;
		}
		if (method !== 'GET' && method !== 'HEAD') {
			fail(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
				allow: 'GET, HEAD',
			});
			return;
		}
		const expires = url.searchParams.get('Expires');
		const signature = url.searchParams.get('Signature');
		const keyPairId = url.searchParams.get('Key-Pair-Id');
		if (!keyPairId) {
			fail(403, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
			return;
		}
		if (!expires || !signature || !/^\d+$/.test(expires) || keyPairId !== KEY_PAIR_ID) {
			fail(403, 'AccessDenied', 'Access denied');
			return;
		}
		const expected = Buffer.from(this.sign(url.pathname, expires));
		const given = Buffer.from(signature);
		if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
			fail(403, 'AccessDenied', 'Access denied');
			return;
		}
		if (Number(expires) * 1000 <= Date.now()) {
			fail(403, 'AccessDenied', 'Request has expired');
			return;
		}
		const m = PATH_RE.exec(url.pathname);
		const record = m ? this.store.findByFile(m[2]) : undefined;
		if (!record || record.folderUuid !== (m && m[1]) || record.status !== 'COMPLETED') {
			fail(404, 'NoSuchKey', 'The specified key does not exist.');
			return;
		}

		const etag = `"${createHash('sha1').update(this.contentKey(record)).digest('hex')}"`;
		const headers: Record<string, string> = {
			'content-type': 'text/csv',
			'content-disposition': `attachment; filename="${record.fileUuid}.csv"`,
			'accept-ranges': 'bytes',
			etag,
			'last-modified': new Date(record.createdMs).toUTCString(),
			'cache-control': 'private, max-age=0',
		};

		// Range: a single `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else is served in full.
		const rangeHeader = req.headers.range;
		const ifRange = req.headers['if-range'];
		const rm =
			typeof rangeHeader === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim()) : null;
		if (rm && (rm[1] !== '' || rm[2] !== '') && (ifRange === undefined || ifRange === etag)) {
			const total = this.sizeOf(record, true) as number;
			let start;
			let end;
			if (rm[1] === '') {
				const suffix = Number(rm[2]);
				start = Math.max(0, total - suffix);
				end = total - 1;
			} else {
				start = Number(rm[1]);
				end = rm[2] === '' ? total - 1 : Math.min(Number(rm[2]), total - 1);
			}
			if (start >= total || end < start || total === 0) {
				fail(416, 'InvalidRange', 'The requested range is not satisfiable', {
					'content-range': `bytes */${total}`,
				});
				return;
			}
			res.writeHead(206, {
				...headers,
				'content-range': `bytes ${start}-${end}/${total}`,
				'content-length': String(end - start + 1),
			});
			if (method === 'HEAD') {
				res.end();
				return;
			}
			this.stream(record, res, start, end);
			return;
		}

		// [sandbox] option downloadGzip: compress like a CDN with automatic compression does when
		// the client accepts gzip (never for ranges).
		const acceptEncoding = String(req.headers['accept-encoding'] || '');
		if (this.options.downloadGzip === true && /\bgzip\b/i.test(acceptEncoding)) {
			res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
			if (method === 'HEAD') {
				res.end();
				return;
			}
			const source = createCsvStream(record, this.csvOptions(record));
			pipeline(source, createGzip(), res, () => {});
			return;
		}
		const size = this.sizeOf(record, false);
		if (size !== undefined) headers['content-length'] = String(size);
		res.writeHead(200, headers);
		if (method === 'HEAD') {
			res.end();
			return;
		}
		this.stream(record, res, undefined, undefined);
	}

	stream(
		record: ReportRecord,
		res: ServerResponse,
		start: number | undefined,
		end: number | undefined,
	) {
		const source = createCsvStream(record, { ...this.csvOptions(record), start, end });
		// pipeline destroys the generator stream when the client goes away or a reset fault cuts it.
		pipeline(source, res, () => {});
	}
}
