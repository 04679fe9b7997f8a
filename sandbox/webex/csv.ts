/**
 * CSV writer for Webex billing reports: RFC 4180 quoting, CRLF line endings, optional UTF-8 BOM
 * (sandbox option `csvBom`, off by default), streamed with backpressure from the shared row
 * generator in data.ts (never the whole file in memory), optional byte range for `Range`.
 */

import { Readable } from 'stream';
import { csvField } from '../csv';
import { reportRows, reportColumns } from './data';
import type { ReportParams } from './data';

const BOM = '\ufeff';
/** Target size of one pushed chunk. */
const CHUNK_CHARS = 64 * 1024;

function csvLine(fields: readonly string[]) {
	let s = csvField(fields[0]);
	for (let i = 1; i < fields.length; i++) s += ',' + csvField(fields[i]);
	return s + '\r\n';
}

interface CsvOptions {
	seed?: number;
	userReportRows?: number;
	csvBom?: boolean;
}

/** Iterates the CSV text in chunks of about CHUNK_CHARS characters. */
function* csvChunks(params: ReportParams, opts: CsvOptions): Generator<string, void, undefined> {
	let buf = (opts.csvBom ? BOM : '') + csvLine(reportColumns(params.type || 'PARTNER'));
	for (const row of reportRows(params, { seed: opts.seed, userReportRows: opts.userReportRows })) {
		buf += csvLine(row);
		if (buf.length >= CHUNK_CHARS) {
			yield buf;
			buf = '';
		}
	}
	if (buf) yield buf;
}

/** A readable byte stream of the report CSV; `start`/`end` (inclusive) select a byte range. */
export function createCsvStream(
	params: ReportParams,
	opts: CsvOptions & { start?: number; end?: number } = {},
): Readable {
	const chunks = csvChunks(params, opts);
	const start = opts.start ?? 0;
	const end = opts.end ?? Infinity;
	let pos = 0;
	return new Readable({
		highWaterMark: 64 * 1024,
		read() {
			// One chunk per read() call: Readable calls read() again only while it wants more,
			// which is what gives the generator backpressure.
			for (;;) {
				const next = chunks.next();
				if (next.done) {
					this.push(null);
					return;
				}
				const bytes = Buffer.from(next.value, 'utf8');
				const from = pos;
				pos += bytes.length;
				if (pos <= start) continue; // wholly before the range
				const sliceStart = Math.max(start - from, 0);
				const sliceEnd = Math.min(end + 1 - from, bytes.length);
				if (sliceEnd > sliceStart)
					this.push(
						sliceStart === 0 && sliceEnd === bytes.length
							? bytes
							: bytes.subarray(sliceStart, sliceEnd),
					);
				if (pos > end) {
					chunks.return();
					this.push(null);
				}
				return;
			}
		},
		destroy(err, cb) {
			chunks.return();
			cb(err);
		},
	});
}

/** Size in bytes of the report CSV (a dry run through the generator; nothing is kept). */
export function csvByteLength(params: ReportParams, opts: CsvOptions = {}) {
	let n = 0;
	for (const chunk of csvChunks(params, opts)) n += Buffer.byteLength(chunk, 'utf8');
	return n;
}
