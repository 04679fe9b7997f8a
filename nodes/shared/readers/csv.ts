import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { fieldNameKey } from './fieldNames';

/** Receives a CSV file one record at a time: the header row first, then every data row. */
export interface CsvRecordConsumer {
	header(fields: string[]): void;
	/**
	 * The columns `row` reads, by index, asked once after `header`: the reader decodes only
	 * those, and the others hold ''. Every column when absent.
	 */
	columnsRead?(): readonly number[];
	/**
	 * `rowNumber` counts data rows from 1, for error messages. `values` is the reader's own
	 * array, refilled for the next row: copy what you keep. A value may be a slice of its
	 * record's text and keep all of it alive: what is kept for long (a group's key) goes
	 * through `detachedText`.
	 */
	row(values: string[], rowNumber: number): void;
}

/**
 * The text of a value as a string of its own. V8 makes a substring of 13 or more characters
 * a view into its parent string: a kept field cut from its record would keep the record's
 * whole text (about 1 KB a group for a wide usage file).
 */
export function detachedText(value: string): string {
	return JSON.parse(JSON.stringify(value)) as string;
}

export class CsvFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CsvFormatError';
	}
}

export interface CsvReadOptions {
	delimiter?: string;
}

/**
 * Streams a CSV (RFC 4180: quoted fields, CRLF, LF or CR line ends, optional UTF-8 BOM) into
 * a consumer without holding the file. Every row must have as many fields as the header; a
 * file that ends inside a quoted field is an error, never a silently shorter result.
 */
export async function readCsv(
	source: Readable,
	consumer: CsvRecordConsumer,
	{ delimiter = ',' }: CsvReadOptions = {},
): Promise<{ rowCount: number }> {
	const parser = new CsvParser(consumer, delimiterByte(delimiter));
	await pipeline(
		source,
		new Writable({
			write(chunk: Buffer, _, done) {
				try {
					parser.write(chunk);
					done();
				} catch (error) {
					done(error as Error);
				}
			},
			final(done) {
				try {
					parser.end();
					done();
				} catch (error) {
					done(error as Error);
				}
			},
		}),
	);
	if (parser.rowCount < 0) throw new CsvFormatError('The CSV file is empty: it has no header row');
	return { rowCount: parser.rowCount };
}

function delimiterByte(delimiter: string): number {
	const code = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
	if (code < 0 || code > 0x7f || code === QUOTE || code === LF || code === CR)
		throw new CsvFormatError(`The CSV delimiter must be one ASCII character, not '${delimiter}'`);
	return code;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** How records end; found, as csv-parse finds it, at the first line break outside quotes. */
const UNKNOWN = 0;
const ENDS_LF = 1;
const ENDS_CRLF = 2;
const ENDS_CR = 3;

/**
 * The reader proper, on bytes: each record is parsed from the chunk it is in and handed to
 * the consumer at once, in the same call; only a record cut by a chunk's end is kept, to be
 * parsed again with the next bytes. Delimiters, quotes and line breaks are ASCII, so a
 * field's bytes hold whole UTF-8 characters, and a record's fields can be found before any
 * byte is decoded.
 */
class CsvParser {
	/** data rows so far; -1 until the header row */
	rowCount = -1;
	private recordEnds = UNKNOWN;
	/** the line the next record starts on, for error messages */
	private line = 1;
	private fieldCount = -1;
	private readonly values: string[] = [];
	/** the columns the consumer reads; every one when undefined */
	private columns: readonly number[] | undefined;
	/** whether the start of the file was looked at for a byte order mark */
	private started = false;
	/** a UTF-16LE file (csv-parse read those too, by their BOM), decoded to UTF-8 first */
	private utf16: InstanceType<typeof TextDecoder> | undefined;
	/** the bytes of a record a chunk's end cut, and the chunks since */
	private carry: Buffer | undefined;
	private waiting: Buffer[] = [];
	private waitingBytes = 0;
	/** the current record's fields, as byte ranges of the chunk, and whether they hold `""` */
	private fieldStarts = new Int32Array(64);
	private fieldEnds = new Int32Array(64);
	private fieldEscaped = new Uint8Array(64);
	/** bytes the scan of an unquoted field stops at: the delimiter, a quote, CR, LF, non-ASCII */
	private readonly stops = new Uint8Array(256).fill(1, 0x80);
	/** and of a quoted field: a quote, CR, LF (to count lines), non-ASCII */
	private readonly quotedStops = new Uint8Array(256).fill(1, 0x80);

	constructor(
		private readonly consumer: CsvRecordConsumer,
		private readonly delimiter: number,
	) {
		for (const byte of [delimiter, QUOTE, CR, LF]) this.stops[byte] = 1;
		for (const byte of [QUOTE, CR, LF]) this.quotedStops[byte] = 1;
	}

	write(chunk: Buffer): void {
		this.take(this.utf16 ? Buffer.from(this.utf16.decode(chunk, { stream: true }), 'utf8') : chunk);
	}

	end(): void {
		if (this.utf16) {
			const rest = Buffer.from(this.utf16.decode(), 'utf8');
			if (rest.length) this.take(rest);
		}
		this.parse(this.carry === undefined ? Buffer.alloc(0) : this.takeCarried(), true);
	}

	/** The file's next bytes, as UTF-8. */
	private take(chunk: Buffer): void {
		if (this.carry === undefined) return this.parse(chunk, false);
		// A cut record mostly ends at the next chunk's first line break: only that far is
		// joined to it, and the rest of the chunk is parsed where it is, not copied. Not
		// before the start of the file is read: its byte order mark may say UTF-16, and then
		// the rest of this chunk is not UTF-8 yet.
		const lineEnd =
			this.started && this.waiting.length === 0
				? chunk.indexOf(this.recordEnds === ENDS_CR ? CR : LF)
				: -1;
		if (lineEnd >= 0) {
			this.carry = Buffer.concat([this.carry, chunk.subarray(0, lineEnd + 1)]);
			this.parse(this.takeCarried(), false);
			chunk = chunk.subarray(lineEnd + 1);
			// The record ended there (the usual case), or goes on past a quoted line break.
			if (this.carry === undefined) return this.parse(chunk, false);
		}
		this.waiting.push(chunk);
		this.waitingBytes += chunk.length;
		// A long record is parsed again only once its bytes have doubled: linear time whatever
		// its length.
		if (this.waitingBytes >= this.carry.length) this.parse(this.takeCarried(), false);
	}

	private takeCarried(): Buffer {
		const bytes = Buffer.concat([this.carry!, ...this.waiting]);
		this.carry = undefined;
		this.waiting = [];
		this.waitingBytes = 0;
		return bytes;
	}

	private parse(buf: Buffer, final: boolean): void {
		let position = 0;
		if (!this.started) {
			// As csv-parse: the BOM is looked for once three bytes are there (or the file ended).
			if (buf.length < 3 && !final) {
				this.carry = Buffer.from(buf);
				return;
			}
			this.started = true;
			if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) position = 3;
			else if (buf[0] === 0xff && buf[1] === 0xfe && buf.length >= 3) {
				this.utf16 = new TextDecoder('utf-16le');
				return this.parse(Buffer.from(this.utf16.decode(buf, { stream: !final }), 'utf8'), final);
			}
		}
		while (position < buf.length) {
			const next = this.record(buf, position, final);
			if (next < 0) {
				this.carry = Buffer.from(buf.subarray(position));
				return;
			}
			position = next;
		}
	}

	/**
	 * Parses the record at `start` and hands it to the consumer (an empty line is skipped):
	 * the position after its line break, or -1 when the bytes end before it does and more
	 * may come. Fields are found first, as byte ranges, and decoded once the record is whole.
	 */
	private record(buf: Buffer, start: number, final: boolean): number {
		const { delimiter, stops, quotedStops } = this;
		const end = buf.length;
		let recordEnds = this.recordEnds;
		const lineBreak = recordEnds === ENDS_CR ? CR : LF;
		/** line breaks inside the record's fields */
		let breaks = 0;
		/** CRs inside quotes before the first line end says which kind ends lines */
		let quotedCrs = 0;
		let ascii = true;
		let count = 0;
		let position = start;
		let quoted = false;
		for (;;) {
			if (count === this.fieldStarts.length) this.growFields();
			let stop = position;
			let escaped = false;
			if (position < end && buf[position] === QUOTE) {
				quoted = true;
				stop++;
				for (;;) {
					while (stop < end && !quotedStops[buf[stop]]) stop++;
					if (stop + 1 >= end && !final) return -1;
					if (stop >= end) {
						throw this.malformed(
							`Quote Not Closed: the file ends inside the quoted field ${count + 1} that starts on line ${this.line + this.breaksBefore(buf, start, position)}`,
						);
					}
					const byte = buf[stop++];
					if (byte !== QUOTE) {
						if (byte === lineBreak) breaks++;
						else if (byte === CR && recordEnds === UNKNOWN) quotedCrs++;
						else if (byte >= 0x80) ascii = false;
					} else if (buf[stop] === QUOTE) {
						escaped = true;
						stop++;
					} else break;
				}
				// the content, between the quotes
				this.fieldStarts[count] = position + 1;
				this.fieldEnds[count] = stop - 1;
				if (stop < end) {
					const byte = buf[stop];
					if (byte !== delimiter && byte !== CR && byte !== LF)
						throw this.afterClosingQuote(buf, stop, count, breaks);
				}
			} else {
				quoted = false;
				for (;;) {
					while (stop < end && !stops[buf[stop]]) stop++;
					if (stop >= end) break;
					const byte = buf[stop];
					if (byte === delimiter) break;
					if (byte >= 0x80) {
						ascii = false;
						stop++;
						continue;
					}
					if (byte === QUOTE) {
						throw this.malformed(
							`Invalid Opening Quote: field ${count + 1} on line ${this.line + breaks} has a quote after ${JSON.stringify(decode(buf, position, Math.min(stop, position + 40)))}; a field with quotes must be quoted whole, its quotes doubled`,
						);
					}
					// A line break that does not end records (say, a lone LF in a CRLF file) is
					// part of the field, as in csv-parse.
					if (byte === CR && (recordEnds === ENDS_LF || recordEnds === ENDS_CRLF)) {
						if (recordEnds === ENDS_CRLF && stop + 1 >= end && !final) return -1;
						if (recordEnds === ENDS_LF || buf[stop + 1] !== LF) {
							stop++;
							continue;
						}
					}
					if (byte === LF && (recordEnds === ENDS_CRLF || recordEnds === ENDS_CR)) {
						if (lineBreak === LF) breaks++;
						stop++;
						continue;
					}
					break;
				}
				this.fieldStarts[count] = position;
				this.fieldEnds[count] = stop;
			}
			this.fieldEscaped[count++] = escaped ? 1 : 0;
			if (stop >= end) {
				if (!final) return -1;
				return this.complete(buf, start, end, count, ascii, breaks);
			}
			const byte = buf[stop];
			if (byte === delimiter) {
				position = stop + 1;
				continue;
			}
			// A line break: which ones end records was settled by the first.
			let next: number;
			if (byte === LF) {
				if (recordEnds === UNKNOWN) recordEnds = ENDS_LF;
				else if (recordEnds !== ENDS_LF) throw this.afterClosingQuote(buf, stop, count - 1, breaks);
				next = stop + 1;
			} else if (recordEnds === ENDS_CR) {
				next = stop + 1;
			} else if (recordEnds === ENDS_LF) {
				throw this.afterClosingQuote(buf, stop, count - 1, breaks);
			} else if (stop + 1 >= end && !final) {
				return -1;
			} else if (buf[stop + 1] === LF) {
				recordEnds = ENDS_CRLF;
				next = stop + 2;
			} else if (recordEnds === UNKNOWN) {
				recordEnds = ENDS_CR;
				next = stop + 1;
			} else {
				throw this.afterClosingQuote(buf, stop, count - 1, breaks);
			}
			// In a file of CR line ends, the CRs counted the lines inside quotes, not the LFs.
			if (this.recordEnds === UNKNOWN && recordEnds === ENDS_CR) breaks = quotedCrs;
			this.recordEnds = recordEnds;
			// An empty line is skipped, as csv-parse's skip_empty_lines does; `""` is a record.
			if (count === 1 && !quoted && stop === start) {
				this.line++;
				return next;
			}
			this.complete(buf, start, stop, count, ascii, breaks + 1);
			return next;
		}
	}

	/**
	 * Decodes a whole record's fields and hands them to the consumer. An ASCII record is
	 * decoded as one string, its fields cut from it: one call into Node's decoder per record
	 * rather than per field.
	 */
	private complete(
		buf: Buffer,
		start: number,
		end: number,
		count: number,
		ascii: boolean,
		lines: number,
	): number {
		const { values, fieldStarts, fieldEnds, fieldEscaped } = this;
		if (this.rowCount >= 0 && count !== this.fieldCount) {
			throw this.malformed(
				`Invalid Record Length: the record on line ${this.line} has ${count} field${count === 1 ? '' : 's'}, the header has ${this.fieldCount}`,
			);
		}
		const { columns } = this;
		const decoded = columns === undefined ? count : columns.length;
		const text = ascii && decoded > 0 ? decode(buf, start, end) : '';
		for (let index = 0; index < decoded; index++) {
			const field = columns === undefined ? index : columns[index];
			const from = fieldStarts[field];
			const to = fieldEnds[field];
			let value =
				from === to ? '' : ascii ? text.slice(from - start, to - start) : decode(buf, from, to);
			// Inside quotes `""` is one quote, and a quote is nothing else.
			if (fieldEscaped[field]) value = value.replace(DOUBLED_QUOTES, '"');
			values[field] = value;
		}
		if (this.rowCount < 0) {
			values.length = count;
			this.consumer.header(normaliseHeader(values));
			this.fieldCount = count;
			this.columns = this.consumer.columnsRead?.();
			// Aggregate mode reads a few columns of many: the others are not handed out (nor
			// decoded, in a record that is not all ASCII).
			if (this.columns) values.fill('');
		} else {
			this.consumer.row(values, this.rowCount + 1);
		}
		this.rowCount++;
		this.line += lines;
		return end;
	}

	private growFields(): void {
		const length = this.fieldStarts.length * 2;
		const starts = new Int32Array(length);
		const stops = new Int32Array(length);
		const escaped = new Uint8Array(length);
		starts.set(this.fieldStarts);
		stops.set(this.fieldEnds);
		escaped.set(this.fieldEscaped);
		this.fieldStarts = starts;
		this.fieldEnds = stops;
		this.fieldEscaped = escaped;
	}

	private afterClosingQuote(
		buf: Buffer,
		at: number,
		field: number,
		breaks: number,
	): CsvFormatError {
		const found =
			buf[at] === CR
				? 'a carriage return'
				: JSON.stringify([...decode(buf, at, Math.min(at + 4, buf.length))][0]);
		return this.malformed(
			`Invalid Closing Quote: field ${field + 1} on line ${this.line + breaks} has ${found} after its closing quote, where a delimiter or the end of the line should be`,
		);
	}

	private breaksBefore(buf: Buffer, start: number, at: number): number {
		let breaks = 0;
		const lineBreak = this.recordEnds === ENDS_CR ? CR : LF;
		for (let index = start; index < at; index++) if (buf[index] === lineBreak) breaks++;
		return breaks;
	}

	private malformed(problem: string): CsvFormatError {
		return new CsvFormatError(`The CSV file is malformed: ${problem}`);
	}
}

const DOUBLED_QUOTES = /""/g;

function decode(buf: Buffer, start: number, end: number): string {
	return (buf as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(start, end);
}

function normaliseHeader(record: string[]): string[] {
	const fields = record.map((field) => field.trim());
	if (fields.some((field) => field === '')) {
		throw new CsvFormatError('The CSV header row has an empty column name');
	}
	return fields;
}

/**
 * Finds each wanted column in a header by fieldNameKey, ignoring surrounding spaces, and says
 * which parameter named a missing one and which columns the file does have.
 */
export function resolveColumns(
	header: string[],
	wanted: string[],
	parameterName: string,
): number[] {
	const byName = new Map<string, number>();
	header.forEach((field, index) => {
		const key = fieldNameKey(field);
		if (!byName.has(key)) byName.set(key, index);
	});
	return wanted.map((name) => {
		const index = byName.get(fieldNameKey(name.trim()));
		if (index === undefined) {
			throw new CsvFormatError(
				`Column '${name}' named in '${parameterName}' is not in the file. Its columns are: ${header.join(', ')}`,
			);
		}
		return index;
	});
}

const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];

/**
 * The delimiter a CSV's header line uses: the candidate (comma, semicolon, tab, pipe) seen
 * most often outside quotes; a comma when none is seen (a one-column file).
 */
export function detectDelimiter(headerLine: string): string {
	const counts = new Map<string, number>(DELIMITER_CANDIDATES.map((candidate) => [candidate, 0]));
	let quoted = false;
	for (const character of headerLine) {
		if (character === '"') quoted = !quoted;
		else if (!quoted && counts.has(character)) counts.set(character, counts.get(character)! + 1);
	}
	let best = ',';
	for (const [candidate, count] of counts) if (count > counts.get(best)!) best = candidate;
	return best;
}
