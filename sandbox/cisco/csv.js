// @ts-check
'use strict';

/**
 * CSV writer for the Cisco usage files. The dialect is a sandbox option because the spec leaves
 * it open ("detect the CSV delimiter"): delimiter ',' or ';', optional UTF-8 BOM, CRLF or LF.
 * RFC 4180 quoting: a field is quoted when it holds the delimiter, a double quote, CR or LF.
 */

const BOM = '\ufeff';

/**
 * @typedef {{ delimiter: string, bom: boolean, lineEnding: string }} CsvDialect
 */

/**
 * @param {string} value
 * @param {string} delimiter
 */
function csvField(value, delimiter) {
	return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A whole file: the header line, then one line per record, each ended by the line ending.
 * @param {readonly string[]} columns
 * @param {Iterable<readonly string[]>} records
 * @param {CsvDialect} dialect
 */
function csvFile(columns, records, dialect) {
	/** @param {readonly string[]} fields */
	const line = (fields) => fields.map((f) => csvField(f, dialect.delimiter)).join(dialect.delimiter) + dialect.lineEnding;
	const lines = [line(columns)];
	for (const r of records) lines.push(line(r));
	return (dialect.bom ? BOM : '') + lines.join('');
}

module.exports = { csvFile };
