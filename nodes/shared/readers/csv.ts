import { CsvError, parse } from 'csv-parse';
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
	const parser = parse({ bom: true, delimiter, skip_empty_lines: true });
	let rowCount = -1;
	const sink = new Writable({
		objectMode: true,
		highWaterMark: 256,
		write(record: string[], _encoding, callback) {
			try {
				if (rowCount < 0) {
					consumer.header(normaliseHeader(record));
				} else {
					consumer.row(record, rowCount + 1);
				}
				rowCount++;
				callback();
			} catch (error) {
				callback(error as Error);
			}
		},
	});
	try {
		await pipeline(source, parser, sink);
	} catch (error) {
		// By class, not by code: csv-parse's codes mostly start with CSV_, but not all
		// (INVALID_OPENING_QUOTE does not).
		if (error instanceof CsvError)
			throw new CsvFormatError(`The CSV file is malformed: ${error.message}`);
		throw error;
	}
	if (rowCount < 0) throw new CsvFormatError('The CSV file is empty: it has no header row');
	return { rowCount };
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
