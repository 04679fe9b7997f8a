import { stringify } from 'csv-stringify/sync';
import type { IDataObject } from 'n8n-workflow';

import { absDecimal, decimalToNumber, formatDecimal, percentOf, subtractDecimals, type DecimalValue } from '../shared/numbers/decimal';
import type { CompareField, FieldPair } from './compare';
import type { Discrepancy, FieldTotal, ReconcileResult, ReconcileRow, Status } from './join';
import { readAmount } from './numbers';

export interface SummarySettings {
	title: string;
	maxRows: number;
	generatedAt: string;
	matchFields: FieldPair[];
	compareFields: CompareField[];
}

/** Per compare field (A's name): the exact totals of each side as numbers, and B − A. */
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

const STATUS_LABELS: Record<Status, string> = {
	matched: 'Matched',
	different: 'Different',
	onlyInA: 'Only in A',
	onlyInB: 'Only in B',
};

/** One compare field of a row as text: both values, B − A and its percentage of |A|. */
interface FieldCells {
	a: string;
	b: string;
	delta: string;
	deltaPercent: string;
}

function fieldCells(row: ReconcileRow, field: CompareField): FieldCells {
	const rawA = row.a === null ? undefined : field.readA(row.a);
	const rawB = row.b === null ? undefined : field.readB(row.b);
	const amountA = readAmount(rawA);
	const amountB = readAmount(rawB);
	const cells: FieldCells = { a: cellText(rawA, amountA), b: cellText(rawB, amountB), delta: '', deltaPercent: '' };
	if (amountA !== null && amountB !== null) {
		const delta = subtractDecimals(amountB, amountA);
		const percent = percentOf(delta, absDecimal(amountA));
		cells.delta = formatDecimal(delta);
		cells.deltaPercent = percent === null ? '' : formatDecimal(percent);
	}
	return cells;
}

function cellText(raw: unknown, amount: DecimalValue | null): string {
	if (amount !== null) return formatDecimal(amount);
	if (raw === undefined || raw === null) return '';
	return typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
}

function keyText(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function notes(row: ReconcileRow): string {
	return row.differences
		.map((difference) => (typeof difference.error === 'string' ? `${difference.field}: ${difference.error}` : ''))
		.filter(Boolean)
		.join('; ');
}

// ---- HTML ----

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

// Inline styles only: mail clients drop <style> blocks and external sheets.
const TABLE = 'border-collapse:collapse;margin:0 0 16px;font-size:13px';
const TH = 'border:1px solid #d0d7de;background:#f6f8fa;padding:4px 8px;text-align:left';
const TD = 'border:1px solid #d0d7de;padding:4px 8px';
const TD_NUMBER = `${TD};text-align:right;white-space:nowrap`;

const th = (text: string) => `<th style="${TH}">${escapeHtml(text)}</th>`;
const td = (text: string, numeric = false) => `<td style="${numeric ? TD_NUMBER : TD}">${escapeHtml(text)}</td>`;

/** An email-ready summary: counts, totals and the largest discrepancies, every value escaped. */
export function summaryHtml(result: ReconcileResult, settings: SummarySettings, largest: Discrepancy[]): string {
	const { counts } = result;
	const discrepancyCount = counts.different + counts.onlyInA + counts.onlyInB;
	const parts: string[] = [
		'<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2328">',
		`<h2 style="margin:0 0 8px;font-size:18px">${escapeHtml(settings.title)}</h2>`,
		`<p style="margin:0 0 12px;color:#57606a">${escapeHtml(
			`${result.rowsA} rows in A, ${result.rowsB} rows in B. Generated ${settings.generatedAt}.`,
		)}</p>`,
		`<table style="${TABLE}"><tr>${(['matched', 'different', 'onlyInA', 'onlyInB'] as const)
			.map((status) => th(STATUS_LABELS[status]))
			.join('')}</tr><tr>${(['matched', 'different', 'onlyInA', 'onlyInB'] as const)
			.map((status) => td(String(counts[status]), true))
			.join('')}</tr></table>`,
	];

	if (result.totals.length > 0) {
		parts.push(`<table style="${TABLE}"><tr>${th('Total')}${th('A')}${th('B')}${th('B − A')}</tr>`);
		for (const total of result.totals) {
			const skipped = [
				total.nonNumericA ? `${total.nonNumericA} A rows without a number` : '',
				total.nonNumericB ? `${total.nonNumericB} B rows without a number` : '',
			]
				.filter(Boolean)
				.join(', ');
			parts.push(
				`<tr>${td(skipped ? `${total.field} (${skipped})` : total.field)}${td(total.a.toString(), true)}${td(
					total.b.toString(),
					true,
				)}${td(formatDecimal(subtractDecimals(total.b.value, total.a.value)), true)}</tr>`,
			);
		}
		parts.push('</table>');
	}

	if (discrepancyCount === 0) {
		parts.push('<p style="margin:0">No discrepancies.</p>');
	} else if (largest.length > 0) {
		parts.push(`<h3 style="margin:0 0 8px;font-size:15px">Largest discrepancies</h3><table style="${TABLE}"><tr>${th('Status')}`);
		for (const field of settings.matchFields) parts.push(th(field.fieldA));
		for (const field of settings.compareFields) {
			parts.push(th(`${field.fieldA} A`), th(`${field.fieldA} B`), th(`${field.fieldA} B − A`));
		}
		parts.push(`${th('Note')}</tr>`);
		for (const { row } of largest) {
			parts.push(`<tr>${td(STATUS_LABELS[row.status])}`);
			for (const field of settings.matchFields) parts.push(td(keyText(row.key[field.fieldA])));
			for (const field of settings.compareFields) {
				const cells = fieldCells(row, field);
				parts.push(td(cells.a, true), td(cells.b, true), td(cells.delta, true));
			}
			parts.push(`${td(notes(row))}</tr>`);
		}
		parts.push('</table>');
	}
	const unlisted = discrepancyCount - largest.length;
	if (unlisted > 0) {
		parts.push(
			`<p style="margin:0;color:#57606a">${escapeHtml(
				`… and ${unlisted} more ${unlisted === 1 ? 'discrepancy' : 'discrepancies'}: every one is in the attached CSV.`,
			)}</p>`,
		);
	}
	parts.push('</div>');
	return parts.join('');
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

/** The discrepancy CSV's records: a header, then every non-matched row; cells neutralised. */
export function* discrepancyCsvRecords(result: ReconcileResult, settings: SummarySettings): Generator<string[]> {
	const header = ['status', ...settings.matchFields.map((field) => field.fieldA)];
	for (const field of settings.compareFields) {
		header.push(`${field.fieldA} A`, `${field.fieldA} B`, `${field.fieldA} delta`, `${field.fieldA} delta %`);
	}
	header.push('note');
	yield header.map(neutraliseFormula);
	for (const { row } of result.discrepancies) {
		const record = [row.status, ...settings.matchFields.map((field) => keyText(row.key[field.fieldA]))];
		for (const field of settings.compareFields) {
			const cells = fieldCells(row, field);
			record.push(cells.a, cells.b, cells.delta, cells.deltaPercent);
		}
		record.push(notes(row));
		yield record.map(neutraliseFormula);
	}
}

const CSV_ROWS_PER_CHUNK = 2000;

/**
 * The discrepancy CSV as text chunks of a few thousand rows: few, large writes to n8n's
 * binary data service however many rows there are, and never the whole file on the heap.
 * UTF-8 with a byte order mark and CRLF line ends, as Excel expects.
 */
export function* discrepancyCsvChunks(result: ReconcileResult, settings: SummarySettings): Generator<string> {
	let batch: string[][] = [];
	let first = true;
	for (const record of discrepancyCsvRecords(result, settings)) {
		batch.push(record);
		if (batch.length === CSV_ROWS_PER_CHUNK) {
			yield stringify(batch, { bom: first, record_delimiter: 'windows' });
			batch = [];
			first = false;
		}
	}
	if (batch.length > 0) yield stringify(batch, { bom: first, record_delimiter: 'windows' });
}
