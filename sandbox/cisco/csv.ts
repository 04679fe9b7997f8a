/**
 * CSV writer for the Cisco usage files. The dialect is a sandbox option because the spec leaves
 * it open ("detect the CSV delimiter"): delimiter ',' or ';', optional UTF-8 BOM, CRLF or LF.
 * RFC 4180 quoting (../csv.ts).
 */

import { csvField } from '../csv';

const BOM = '\ufeff';

export interface CsvDialect {
	delimiter: string;
	bom: boolean;
	lineEnding: string;
}

/** One line, ended by the line ending. */
export function csvLine(fields: readonly string[], dialect: CsvDialect) {
	return (
		fields.map((f) => csvField(f, dialect.delimiter)).join(dialect.delimiter) + dialect.lineEnding
	);
}

/** A whole file: the header line, then one line per record, each ended by the line ending. */
export function csvFile(
	columns: readonly string[],
	records: Iterable<readonly string[]>,
	dialect: CsvDialect,
) {
	const line = (fields: readonly string[]) => csvLine(fields, dialect);
	const lines = [line(columns)];
	for (const r of records) lines.push(line(r));
	return (dialect.bom ? BOM : '') + lines.join('');
}
