import type { IDataObject } from 'n8n-workflow';

import {
	absDecimal,
	decimalToNumber,
	formatDecimal,
	percentOf,
	subtractDecimals,
	type DecimalValue,
} from '../shared/numbers/decimal';
import { parseIsoDate } from '../shared/numbers/dates';
import { isSummable, type CompareField, type FieldPair } from './compare';
import type { Discrepancy, FieldTotal, ReconcileResult, ReconcileRow, Status } from './join';
import { currencyCode } from './format';
import { isBlank, readAmount } from './numbers';
import { calendarDay, textOf } from './values';

/** How the report shows one compare field's numbers. */
export interface FieldFormat {
	/** decimals shown; null: chosen from the data */
	decimals: number | null;
	/** the currency of every row, or of rows whose currency field is empty */
	currencyCode: string | null;
	/** the field holding each row's currency code, read from A's record, else B's */
	currencyField: FieldPair | null;
}

export interface SummarySettings {
	title: string;
	maxRows: number;
	generatedAt: string;
	matchFields: FieldPair[];
	compareFields: CompareField[];
	/** fields shown beside the key: A's value, or B's when A has none */
	displayFields: FieldPair[];
	/** what the report calls each side */
	nameA: string;
	nameB: string;
	/** per compare field, in the same order */
	formats: FieldFormat[];
	/** the locale numbers are written in (en-US: 1,234.50) */
	locale: string;
}

/** Per compare field compared as a number or auto (A's name): the exact totals of each side as numbers, and B − A. */
export function totalsJson(totals: FieldTotal[]): IDataObject {
	const json: IDataObject = {};
	for (const total of totals) {
		json[total.field] = {
			a: total.a.toNumber(),
			b: total.b.toNumber(),
			delta: decimalToNumber(subtractDecimals(total.b.value, total.a.value)),
			nonNumericA: total.nonNumericA,
			nonNumericB: total.nonNumericB,
		};
	}
	return json;
}

/**
 * The largest discrepancies first (size descending; rows whose size cannot be measured, at
 * Infinity, lead, because they need a look whatever their amount), ties in output order;
 * at most maxRows, chosen without sorting every row.
 */
export function largestDiscrepancies(discrepancies: Discrepancy[], maxRows: number): Discrepancy[] {
	const top: Discrepancy[] = [];
	if (maxRows <= 0) return top;
	for (const discrepancy of discrepancies) {
		if (top.length === maxRows && !(discrepancy.size > top[top.length - 1].size)) continue;
		// After every entry at least as large: ties stay in arrival order.
		let low = 0;
		let high = top.length;
		while (low < high) {
			const middle = (low + high) >> 1;
			if (top[middle].size >= discrepancy.size) low = middle + 1;
			else high = middle;
		}
		top.splice(low, 0, discrepancy);
		if (top.length > maxRows) top.pop();
	}
	return top;
}

/** The status as a person reads it, with the sides' names: "Only in Webex". */
export function statusLabel(
	status: Status,
	settings: Pick<SummarySettings, 'nameA' | 'nameB'>,
): string {
	switch (status) {
		case 'matched':
			return 'Matched';
		case 'different':
			return 'Different';
		case 'onlyInA':
			return `Only in ${settings.nameA}`;
		case 'onlyInB':
			return `Only in ${settings.nameB}`;
	}
}

/** One compare field of a row, exactly: both values, and for numbers B − A and its percentage of |A|. */
export interface RowField {
	/** what each record holds; undefined for a side the row does not have */
	rawA: unknown;
	rawB: unknown;
	/** the exact values, for fields compared as numbers or auto, when they read as numbers */
	amountA: DecimalValue | null;
	amountB: DecimalValue | null;
	delta: DecimalValue | null;
	/** delta ÷ |A| × 100, 6 decimals; null when A is 0 */
	deltaPercent: DecimalValue | null;
	/** for dates: days from A's day to B's */
	deltaDays: number | null;
}

export function rowField(row: ReconcileRow, field: CompareField): RowField {
	const rawA = row.a === null ? undefined : field.readA(row.a);
	const rawB = row.b === null ? undefined : field.readB(row.b);
	const summable = isSummable(field);
	const amountA = summable ? readAmount(rawA) : null;
	const amountB = summable ? readAmount(rawB) : null;
	const values: RowField = {
		rawA,
		rawB,
		amountA,
		amountB,
		delta: null,
		deltaPercent: null,
		deltaDays: null,
	};
	if (amountA !== null && amountB !== null) {
		values.delta = subtractDecimals(amountB, amountA);
		values.deltaPercent = percentOf(values.delta, absDecimal(amountA));
	}
	if (field.compareAs === 'date') {
		const dayA = calendarDay(rawA);
		const dayB = calendarDay(rawB);
		if (dayA !== null && dayB !== null)
			values.deltaDays = Math.round(
				(parseIsoDate(dayB)!.getTime() - parseIsoDate(dayA)!.getTime()) / 86_400_000,
			);
	}
	return values;
}

/** A value as plain text for a cell: an exact number at its shortest, text as written, objects as JSON. */
export function cellText(raw: unknown, amount: DecimalValue | null = null): string {
	if (amount !== null) return formatDecimal(amount);
	return textOf(raw) ?? '';
}

/** A display field of a row: A's value, or B's when A has none (only in B, or blank in A). */
export function displayValue(row: ReconcileRow, field: FieldPair): unknown {
	const fromA = row.a === null ? undefined : field.readA(row.a);
	if (!isBlank(fromA) || row.b === null) return fromA;
	const fromB = field.readB(row.b);
	return isBlank(fromB) ? fromA : fromB;
}

/** Why a row's fields differ, where the difference itself does not say (a value that is not a number, …). */
export function notes(row: ReconcileRow): string {
	return row.differences
		.map((difference) =>
			typeof difference.error === 'string' ? `${difference.field}: ${difference.error}` : '',
		)
		.filter(Boolean)
		.join('; ');
}

/** The currency of one row of a field: its currency field's code (A's, else B's), else the field's code. */
export function rowCurrency(row: ReconcileRow, format: FieldFormat): string | null {
	if (format.currencyField !== null) {
		const { readA, readB } = format.currencyField;
		const code =
			currencyCode(row.a === null ? undefined : readA(row.a)) ??
			currencyCode(row.b === null ? undefined : readB(row.b));
		if (code !== null) return code;
	}
	return format.currencyCode;
}

// ---- CSV ----

/** Text a spreadsheet would run as a formula starts with one of these (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number cannot run, and must stay a number: -12.5 is a credit, not an attack. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Prefixes a quote to a cell that a spreadsheet would otherwise evaluate. */
export function neutraliseFormula(cell: string): string {
	return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/**
 * The discrepancy CSV's records: a header, then every non-matched row; cells neutralised.
 * Values are exact and unformatted (1234.5, not 1,234.50), so a spreadsheet or a script
 * reads them as numbers. People read the file too (it is the email's attachment), so the
 * status is in words with the sides' names ("Only in Webex"), as in the HTML, and the
 * headers name the sides; the row items keep the machine values.
 */
export function* discrepancyCsvRecords(
	result: ReconcileResult,
	settings: SummarySettings,
): Generator<string[]> {
	const header = [
		'status',
		...settings.matchFields.map((field) => field.fieldA),
		...settings.displayFields.map((field) => field.fieldA),
	];
	for (const field of settings.compareFields) {
		header.push(`${field.fieldA} ${settings.nameA}`, `${field.fieldA} ${settings.nameB}`);
		if (isSummable(field)) header.push(`${field.fieldA} delta`, `${field.fieldA} delta %`);
	}
	header.push('note');
	yield header.map(neutraliseFormula);
	for (const { row } of result.discrepancies) {
		const record = [
			statusLabel(row.status, settings),
			...settings.matchFields.map((field) => cellText(row.key[field.fieldA])),
		];
		for (const field of settings.displayFields) record.push(cellText(displayValue(row, field)));
		for (const field of settings.compareFields) {
			const values = rowField(row, field);
			record.push(cellText(values.rawA, values.amountA), cellText(values.rawB, values.amountB));
			if (isSummable(field)) {
				record.push(
					values.delta === null ? '' : formatDecimal(values.delta),
					values.deltaPercent === null ? '' : formatDecimal(values.deltaPercent),
				);
			}
		}
		record.push(notes(row));
		yield record.map(neutraliseFormula);
	}
}

const CSV_ROWS_PER_CHUNK = 2000;
/**
 * A comma, a quote, or any line break: Python's csv module and spreadsheets end a record at a
 * lone CR or LF as well as at CRLF (csv-stringify with CRLF record ends quoted only CRLF).
 */
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell of a CSV record, quoted, its quotes doubled, when it holds a comma, a quote or a line break. */
export function csvCell(cell: string): string {
	return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * The discrepancy CSV as text chunks of a few thousand rows: few, large writes to n8n's
 * binary data service however many rows there are, and never the whole file on the heap.
 * UTF-8 with a byte order mark and CRLF line ends, as Excel expects. Each record is one
 * join of its cells and each chunk one join of its records: a general CSV writer makes
 * several objects per cell, about 230 MB of garbage for 40,000 rows.
 */
export function* discrepancyCsvChunks(
	result: ReconcileResult,
	settings: SummarySettings,
): Generator<string> {
	let lines: string[] = [];
	let first = true;
	for (const record of discrepancyCsvRecords(result, settings)) {
		for (let index = 0; index < record.length; index++) record[index] = csvCell(record[index]);
		lines.push(record.join(','));
		if (lines.length === CSV_ROWS_PER_CHUNK) {
			yield csvChunk(lines, first);
			lines = [];
			first = false;
		}
	}
	if (lines.length > 0) yield csvChunk(lines, first);
}

function csvChunk(lines: string[], first: boolean): string {
	return (first ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
