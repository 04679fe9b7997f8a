import type { IDataObject } from 'n8n-workflow';
import { StringDecoder } from 'node:string_decoder';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import { isFreeOfControlBytes } from './controlBytes';
import { looksLikeMarkup } from '../transport/http';

/** Receives JSON Lines one record at a time. */
export interface JsonRecordConsumer {
	/** `lineNumber` counts lines from 1 (blank lines included), for error messages. */
	record(item: IDataObject, lineNumber: number): void;
	/**
	 * Optional fast path: takes the line (`text` from `start` to `end`, in place within a larger
	 * chunk) before it is parsed, and returns true when it consumed it (the line must then be a
	 * well-formed JSON object). False: the line is parsed and given to `record`.
	 * `controlFree`: `text` holds no control character but line feeds.
	 */
	line?(
		text: string,
		start: number,
		end: number,
		lineNumber: number,
		controlFree: boolean,
	): boolean;
}

export class JsonLinesFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'JsonLinesFormatError';
	}
}

export interface JsonLinesReadOptions {
	/** the bytes are gzip-compressed (Graph's compressedJSON blobs) */
	gzip?: boolean;
	/** names the source in errors, e.g. the blob name */
	sourceName?: string;
	/**
	 * Also write every record, as one line of uncompressed JSON Lines, to this stream (left
	 * open for the next file), with backpressure: reading waits while it is full.
	 */
	copyTo?: Writable;
}

/**
 * Streams JSON Lines (optionally gzip-compressed) into a consumer without holding the file.
 * Each non-blank line must be one JSON object; a truncated gzip stream or a malformed line is
 * an error naming the line, never a silently shorter result.
 */
export async function readJsonLines(
	source: Readable,
	consumer: JsonRecordConsumer,
	{ gzip = false, sourceName = 'the file', copyTo }: JsonLinesReadOptions = {},
): Promise<{ recordCount: number }> {
	const decoder = new StringDecoder('utf8');
	let pending = '';
	/** whether the bytes `pending` came from hold no control character */
	let pendingControlFree = true;
	let lineNumber = 0;
	let recordCount = 0;
	const handleLine = (text: string, start: number, end: number, controlFree: boolean) => {
		lineNumber++;
		if (isBlank(text, start, end)) return;
		if (consumer.line?.(text, start, end, lineNumber, controlFree)) {
			recordCount++;
			if (copyTo) copied.push(text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end));
			return;
		}
		const line = text.slice(start, end);
		let item: unknown;
		try {
			item = JSON.parse(line);
		} catch (error) {
			throw new JsonLinesFormatError(
				`Line ${lineNumber} of ${sourceName} is not valid JSON (${(error as Error).message})`,
			);
		}
		if (typeof item !== 'object' || item === null || Array.isArray(item)) {
			throw new JsonLinesFormatError(`Line ${lineNumber} of ${sourceName} is not a JSON object`);
		}
		consumer.record(item as IDataObject, lineNumber);
		recordCount++;
		if (copyTo) copied.push(line.endsWith('\r') ? line.slice(0, -1) : line);
	};
	let copied: string[] = [];
	const takeCopied = () => {
		const text = copied.length ? `${copied.join('\n')}\n` : '';
		copied = [];
		return text;
	};
	const splitter = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			try {
				// Only the fast path needs to know; JSON.parse finds control characters itself.
				const controlFree = consumer.line !== undefined && isFreeOfControlBytes(chunk);
				// Lines are read in place in the decoded chunk; only the line that spans two chunks
				// is joined.
				const text = decoder.write(chunk);
				let end = text.indexOf('\n');
				if (end === -1) {
					pending += text;
					pendingControlFree &&= controlFree;
					return callback();
				}
				const joined = pending + text.slice(0, end);
				handleLine(joined, 0, joined.length, pendingControlFree && controlFree);
				let start = end + 1;
				for (end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
					handleLine(text, start, end, controlFree);
					start = end + 1;
				}
				pending = text.slice(start);
				pendingControlFree = controlFree;
				callback(null, copyTo ? takeCopied() || undefined : undefined);
			} catch (error) {
				callback(error as Error);
			}
		},
		flush(callback) {
			try {
				// What the decoder still holds is an incomplete character, never a control byte.
				const last = pending + decoder.end();
				handleLine(last, 0, last.length, pendingControlFree);
				callback(null, copyTo ? takeCopied() || undefined : undefined);
			} catch (error) {
				callback(error as Error);
			}
		},
	});
	const sink =
		copyTo ??
		new Writable({ objectMode: true, write: (_chunk, _encoding, callback) => callback() });
	// What came in before gunzip, to say why it could not be inflated.
	let compressedBytes = 0;
	let head = Buffer.alloc(0);
	const measure = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			if (head.length < 64) head = Buffer.concat([head, chunk.subarray(0, 64 - head.length)]);
			compressedBytes += chunk.length;
			callback(null, chunk);
		},
	});
	try {
		// 64 KiB pieces: with zlib's default 16 KiB, handing each piece between the thread pool
		// and the main thread costs more than inflating it.
		const stages = gzip
			? [source, measure, createGunzip({ chunkSize: 64 * 1024 }), splitter]
			: [source, splitter];
		// `end: false` leaves copyTo open for the next file of a multi-file export.
		const run = pipeline as unknown as (
			streams: unknown[],
			options: { end: boolean },
		) => Promise<void>;
		await run([...stages, sink], { end: copyTo === undefined });
	} catch (error) {
		const code = (error as { code?: string }).code;
		if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR')
			throw gzipError(sourceName, error as Error, compressedBytes, head);
		throw error;
	}
	return { recordCount };
}

/** Why gzip data could not be inflated, named: nothing came, it ends early, or it is no gzip at all. */
function gzipError(
	sourceName: string,
	error: Error & { code?: string },
	compressedBytes: number,
	head: Buffer,
): JsonLinesFormatError {
	if (compressedBytes === 0)
		return new JsonLinesFormatError(`${sourceName} is empty: it holds no gzip data`);
	if (error.code === 'Z_BUF_ERROR') {
		return new JsonLinesFormatError(
			`${sourceName} is truncated: its gzip data ends early after ${compressedBytes} bytes (${error.message})`,
		);
	}
	if (looksLikeMarkup(head.toString('utf8'))) {
		return new JsonLinesFormatError(
			`${sourceName} is an HTML or XML page, not gzip data: a proxy, firewall or sign-in page may be in the way`,
		);
	}
	return new JsonLinesFormatError(`${sourceName} is not valid gzip data (${error.message})`);
}

/** Only JSON whitespace (blank lines are allowed between records). */
function isBlank(text: string, start: number, end: number): boolean {
	for (let index = start; index < end; index++) {
		const code = text.charCodeAt(index);
		if (code !== 32 && code !== 9 && code !== 13) return false;
	}
	return true;
}
