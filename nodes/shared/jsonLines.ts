import type { IDataObject } from 'n8n-workflow';
import { StringDecoder } from 'node:string_decoder';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Receives JSON Lines one record at a time. */
export interface JsonRecordConsumer {
	/** `lineNumber` counts lines from 1 (blank lines included), for error messages. */
	record(item: IDataObject, lineNumber: number): void;
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
	let lineNumber = 0;
	let recordCount = 0;
	const handleLine = (line: string) => {
		lineNumber++;
		if (line.trim() === '') return;
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
				const text = pending + decoder.write(chunk);
				let start = 0;
				for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
					handleLine(text.slice(start, end));
					start = end + 1;
				}
				pending = text.slice(start);
				callback(null, copyTo ? takeCopied() || undefined : undefined);
			} catch (error) {
				callback(error as Error);
			}
		},
		flush(callback) {
			try {
				handleLine(pending + decoder.end());
				callback(null, copyTo ? takeCopied() || undefined : undefined);
			} catch (error) {
				callback(error as Error);
			}
		},
	});
	const sink = copyTo ?? new Writable({ objectMode: true, write: (_chunk, _encoding, callback) => callback() });
	try {
		const stages = gzip ? [source, createGunzip(), splitter] : [source, splitter];
		// `end: false` leaves copyTo open for the next file of a multi-file export.
		const run = pipeline as unknown as (streams: unknown[], options: { end: boolean }) => Promise<void>;
		await run([...stages, sink], { end: copyTo === undefined });
	} catch (error) {
		const code = (error as { code?: string }).code;
		if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') {
			throw new JsonLinesFormatError(`${sourceName} is not complete gzip data (${(error as Error).message})`);
		}
		throw error;
	}
	return { recordCount };
}
