import { CsvError, Parser } from 'csv-parse';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { fieldNameKey } from './fieldNames';

/** Receives a CSV file one record at a time: the header row first, then every data row. */
export interface CsvRecordConsumer {
	header(fields: string[]): void;
	/** `rowNumber` counts data rows from 1, for error messages. */
	row(values: string[], rowNumber: number): void;
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
 * Streams a CSV (RFC 4180: quoted fields, CRLF or LF, optional UTF-8 BOM) into a consumer
 * without holding the file. Every row must have as many fields as the header; a file that
 * ends inside a quoted field or a row is an error, never a silently shorter result.
 */
export async function readCsv(
	source: Readable,
	consumer: CsvRecordConsumer,
	{ delimiter = ',' }: CsvReadOptions = {},
): Promise<{ rowCount: number }> {
	const parser = new RecordParser(consumer, delimiter);
	try {
		// Nothing comes out of the parser (the records went to the consumer) but its end.
		await pipeline(
			source,
			parser,
			new Writable({ objectMode: true, write: (_, __, done) => done() }),
		);
	} catch (error) {
		// By class, not by code: csv-parse's codes mostly start with CSV_, but not all
		// (INVALID_OPENING_QUOTE does not).
		if (error instanceof CsvError)
			throw new CsvFormatError(`The CSV file is malformed: ${error.message}`);
		throw error;
	}
	if (parser.rowCount < 0) throw new CsvFormatError('The CSV file is empty: it has no header row');
	return { rowCount: parser.rowCount };
}

/**
 * csv-parse handing each record to the consumer as it is parsed, instead of pushing it as an
 * object-mode chunk through a second stream: no stream bookkeeping per row (push, 'data',
 * write, callback) and no queue of records between two streams.
 */
class RecordParser extends Parser {
	/** data rows so far; -1 until the header row */
	rowCount = -1;

	constructor(
		private readonly consumer: CsvRecordConsumer,
		delimiter: string,
	) {
		super({ bom: true, delimiter, skip_empty_lines: true });
		allocateRecordsOutsideLiteral(this);
	}

	// csv-parse pushes each record, then null at the end of the file.
	override push(record: string[] | null): boolean {
		if (record === null) return super.push(null);
		// After a consumer's error the rest of the chunk is still parsed: nothing more reaches it.
		if (this.destroyed) return false;
		try {
			if (this.rowCount < 0) this.consumer.header(normaliseHeader(record));
			else this.consumer.row(record, this.rowCount + 1);
			this.rowCount++;
		} catch (error) {
			this.destroy(error as Error);
			return false;
		}
		return true;
	}
}

/** The part of csv-parse's parser (its `api`, not in its typings) that starts each record. */
interface RecordState {
	state: { record: string[] };
	__resetRecord(): void;
}

/**
 * csv-parse starts every record with an empty array literal of its own. In a process whose
 * old generation is already filled (n8n's), V8 sometimes decides early on that the arrays
 * of that literal live long, and from then on allocates them in the old generation
 * ("pretenuring"): each record's field strings, referred to from there, then survive every
 * young-generation collection until a full one. The download then took about twice the CPU
 * time and its own memory grew by 130–151 MB, in about half the runs of the Cisco
 * benchmark. Arrays from `Array.of` have no allocation site for V8 to pretenure; the
 * literal's array is dropped at once. Should csv-parse's internals change, records are
 * read as before.
 */
function allocateRecordsOutsideLiteral(parser: Parser): void {
	const api = (parser as unknown as { api?: Partial<RecordState> }).api;
	const reset = api?.__resetRecord;
	if (!api?.state || typeof reset !== 'function') return;
	api.__resetRecord = function (this: RecordState) {
		reset.call(this);
		this.state.record = Array.of<string>();
	};
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
