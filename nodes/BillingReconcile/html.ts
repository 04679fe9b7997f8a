import type { INodeExecutionData } from 'n8n-workflow';

import {
	absDecimal,
	percentOf,
	subtractDecimals,
	type DecimalValue,
} from '../shared/numbers/decimal';
import { isSummable, type CompareField } from './compare';
import { MAX_REPORT_DECIMALS, ReportNumbers, currencyCode, decimalsToShow } from './format';
import type { Discrepancy, FieldTotal, ReconcileResult, Status } from './join';
import {
	cellText,
	displayValue,
	notes,
	rowCurrency,
	rowField,
	statusLabel,
	type FieldFormat,
	type RowField,
	type SummarySettings,
} from './summary';

const HTML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
};

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/** The currency of a field's totals: the one currency of every input row, or none when the rows mix several. */
export interface TotalCurrency {
	code: string | null;
	/** the codes seen, when there is more than one */
	mixed: string[];
}

/**
 * Per compare field, the currency its totals are in: with a currency field, the one code
 * every row of both inputs holds (a total over several currencies has none); otherwise the
 * field's currency code. Reads the inputs only for fields that have a currency field.
 */
export function totalCurrencies(
	settings: SummarySettings,
	itemsA: INodeExecutionData[],
	itemsB: INodeExecutionData[],
): TotalCurrency[] {
	return settings.formats.map((format) => {
		if (format.currencyField === null) return { code: format.currencyCode, mixed: [] };
		const codes = new Set<string>();
		const { readA, readB } = format.currencyField;
		for (const item of itemsA) {
			const code = currencyCode(readA(item.json));
			if (code !== null) codes.add(code);
		}
		for (const item of itemsB) {
			const code = currencyCode(readB(item.json));
			if (code !== null) codes.add(code);
		}
		if (codes.size > 1) return { code: null, mixed: [...codes].sort() };
		return { code: codes.size === 1 ? [...codes][0] : format.currencyCode, mixed: [] };
	});
}

// Tables, presentational attributes and inline styles only: Gmail and Outlook drop <style>
// blocks, classes, scripts and external resources. Outlook's Word engine does not pass a font
// down into table cells, so every cell names its own; cell padding comes from the table's
// cellpadding, which Outlook applies evenly.
const FONT = 'font-family:Arial,sans-serif';
const CELL = `${FONT};font-size:13px`;
const CELL_NUMBER = `${CELL};white-space:nowrap`;
const MUTED = '#57606a';
const HEAD = `${CELL};border-bottom:1px solid #d0d7de;white-space:nowrap`;
const HEAD_BACKGROUND = '#eaeef2';
const STRIPE = '#f6f8fa';
const BAR = '#cf222e';
const BAR_TRACK = '#eaeef2';
const BAR_WIDTH = 100;
const NO_VALUE = '—';
/** Keys and display values up to this long (a SKU, an invoice number, a short name) stay on one line; a GUID may wrap. */
const ONE_LINE_CHARACTERS = 20;
/**
 * Decimals of the Δ % the report computes: enough for two significant digits of any
 * realistic share (a $0.0001 difference on $41,533.88 is -0.00000024 %), where six decimals
 * would read as 0 % beside a Δ that is not 0.
 */
const PERCENT_DIGITS = 20;
const DATA_TABLE =
	'<table cellpadding="5" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 16px">';
const LAYOUT_TABLE = '<table role="presentation" cellpadding="0" cellspacing="0" border="0"';

/**
 * Gmail clips a message whose HTML passes 102 KB and hides the rest behind a link. The report
 * lists discrepancies only while it stays within this many bytes, leaving room for the text
 * a workflow puts around it; the CSV has every row.
 */
export const HTML_BUDGET_BYTES = 90_000;

const STATUS_COLOURS: Record<Status, { text: string; background: string }> = {
	matched: { text: '#1a7f37', background: '#dafbe1' },
	different: { text: '#a40e26', background: '#ffebe9' },
	onlyInA: { text: '#7d4e00', background: '#fff8c5' },
	onlyInB: { text: '#7d4e00', background: '#fff8c5' },
};

interface Cell {
	/** HTML, already escaped */
	html: string;
	numeric?: boolean;
	background?: string;
	/** extra inline style */
	style?: string;
	/** no inline style: the cell has no text */
	plain?: boolean;
}

const text = (value: string): string => escapeHtml(value);

function th(html: string, { numeric = false, colspan = 1, rowspan = 1 } = {}): string {
	const span =
		(colspan > 1 ? ` colspan="${colspan}"` : '') + (rowspan > 1 ? ` rowspan="${rowspan}"` : '');
	return `<th${span} align="${numeric ? 'right' : 'left'}" bgcolor="${HEAD_BACKGROUND}" style="${HEAD}">${html}</th>`;
}

/** A cell; one without text (a bar, an empty note) needs no font, which saves bytes on every row. */
function td({ html, numeric = false, background, style = '', plain = html === '' }: Cell): string {
	const attributes =
		(numeric ? ' align="right"' : '') + (background ? ` bgcolor="${background}"` : '');
	return plain
		? `<td${attributes}>${html}</td>`
		: `<td${attributes} style="${numeric ? CELL_NUMBER : CELL}${style}">${html}</td>`;
}

const muted = (html: string) => `<span style="color:${MUTED}">${html}</span>`;

/** Δ as a share of |A|, for people: see PERCENT_DIGITS. */
const shareOf = (delta: DecimalValue, a: DecimalValue) =>
	percentOf(delta, absDecimal(a), PERCENT_DIGITS);

/** A Δ %, or nothing when A is 0. */
const percentHtml = (percent: DecimalValue | null, numbers: ReportNumbers) =>
	percent === null ? '' : text(numbers.percent(percent));

/** A key or display value's cell: short ones on one line. */
function codeCell(value: string, background: string | undefined): Cell {
	return {
		html: text(value),
		background,
		style: value.length <= ONE_LINE_CHARACTERS ? ';white-space:nowrap' : '',
	};
}

/**
 * How one compare field's numbers are shown: a fixed number of decimals per field (set, or
 * chosen from the data), in each row's currency.
 */
class FieldNumbers {
	/** decimals of a plain number: the most any value of the field has (at most 6), or as set */
	private readonly plainDecimals: number;
	/** per currency: the decimals its differences need not to read as zero */
	private readonly deltaDecimals = new Map<string, number>();

	constructor(
		private readonly numbers: ReportNumbers,
		private readonly format: FieldFormat,
		values: DecimalValue[],
		deltas: Array<{ delta: DecimalValue; currency: string | null }>,
	) {
		const most = values.reduce((max, value) => Math.max(max, value.scale), 0);
		this.plainDecimals = format.decimals ?? Math.min(MAX_REPORT_DECIMALS, most);
		for (const { delta, currency } of deltas) {
			if (currency === null) continue;
			const needed = Math.min(MAX_REPORT_DECIMALS, decimalsToShow(delta));
			this.deltaDecimals.set(currency, Math.max(this.deltaDecimals.get(currency) ?? 0, needed));
		}
	}

	/**
	 * Money keeps its currency's decimals (2 for USD, 0 for JPY), with more when one of its
	 * differences would otherwise read as 0.00; a plain number has the decimals of the data.
	 */
	decimals(currency: string | null): number {
		if (this.format.decimals !== null) return this.format.decimals;
		if (currency === null) return this.plainDecimals;
		return Math.max(this.numbers.currencyDecimals(currency), this.deltaDecimals.get(currency) ?? 0);
	}

	amount(value: DecimalValue, currency: string | null, signed = false): string {
		return this.numbers.amount(value, this.decimals(currency), currency, signed);
	}
}

/** Each listed row's fields, read once. */
interface ListedRow {
	discrepancy: Discrepancy;
	fields: RowField[];
	currencies: Array<string | null>;
}

/**
 * An email-ready summary: counts, totals and the largest discrepancies, with numbers written
 * for people (grouped, fixed decimals per field, currency), B − A and its percentage of A,
 * and a bar per row showing its share of the largest discrepancy. The sides are called by
 * their names. Every value is escaped. `currencies` are the totals' (see totalCurrencies).
 */
export function summaryHtml(
	result: ReconcileResult,
	settings: SummarySettings,
	largest: Discrepancy[],
	currencies: TotalCurrency[],
): string {
	const numbers = new ReportNumbers(settings.locale);
	const listed: ListedRow[] = largest.map((discrepancy) => ({
		discrepancy,
		fields: settings.compareFields.map((field) => rowField(discrepancy.row, field)),
		currencies: settings.formats.map((format) => rowCurrency(discrepancy.row, format)),
	}));
	const fieldNumbers = settings.compareFields.map((field, index) => {
		const values: DecimalValue[] = [];
		const deltas: Array<{ delta: DecimalValue; currency: string | null }> = [];
		for (const row of listed) {
			const { amountA, amountB, delta } = row.fields[index];
			if (amountA !== null) values.push(amountA);
			if (amountB !== null) values.push(amountB);
			if (delta !== null) deltas.push({ delta, currency: row.currencies[index] });
		}
		const total = result.totals.find((candidate) => candidate.index === index);
		if (total) {
			values.push(total.a.value, total.b.value);
			deltas.push({
				delta: subtractDecimals(total.b.value, total.a.value),
				currency: currencies[index].code,
			});
		}
		return new FieldNumbers(numbers, settings.formats[index], values, deltas);
	});

	const parts: string[] = [
		`${LAYOUT_TABLE} style="border-collapse:collapse"><tr><td style="${FONT};font-size:14px;color:#1f2328">`,
		`<h2 style="${FONT};margin:0 0 4px;font-size:20px;color:#1f2328">${text(settings.title)}</h2>`,
		`<p style="${FONT};margin:0 0 12px;font-size:14px;color:${MUTED}">${text(
			`${settings.nameA}: ${numbers.count(result.rowsA)} rows · ${settings.nameB}: ${numbers.count(result.rowsB)} rows · generated ${readableTime(settings.generatedAt)}`,
		)}</p>`,
		countsHtml(result, settings, numbers),
		totalsHtml(result, settings, numbers, fieldNumbers, currencies),
	];
	const end = '</td></tr></table>';

	const { counts } = result;
	const discrepancyCount = counts.different + counts.onlyInA + counts.onlyInB;
	let shown = 0;
	if (discrepancyCount === 0) {
		parts.push(`<p style="${FONT};margin:0;font-size:14px">No discrepancies.</p>`);
	} else if (listed.length > 0) {
		const table = discrepanciesHtml(result, listed, settings, numbers, fieldNumbers);
		// Rows while the whole stays within the budget, with room for the closing line.
		let bytes = byteLength(parts) + byteLength([table.head, table.tail, end]) + 300;
		const rows: string[] = [];
		for (const row of table.rows) {
			bytes += Buffer.byteLength(row);
			if (bytes > HTML_BUDGET_BYTES) break;
			rows.push(row);
		}
		shown = rows.length;
		if (shown > 0) parts.push(table.head, ...rows, table.tail);
	}
	const unlisted = discrepancyCount - shown;
	if (unlisted > 0) {
		parts.push(
			`<p style="${FONT};margin:0;font-size:14px;color:${MUTED}">${text(
				`… and ${unlisted} more ${unlisted === 1 ? 'discrepancy' : 'discrepancies'}: every one is in the attached CSV.`,
			)}</p>`,
		);
	}
	parts.push(end);
	return parts.join('');
}

const byteLength = (parts: string[]) =>
	parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);

/** "2026-11-03T06:00:00.000Z" → "2026-11-03 06:00 UTC" */
function readableTime(iso: string): string {
	return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)
		? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
		: iso;
}

/** The four counts side by side, large, over their labels; the ones that need a look in colour. */
function countsHtml(
	result: ReconcileResult,
	settings: SummarySettings,
	numbers: ReportNumbers,
): string {
	const statuses = ['matched', 'different', 'onlyInA', 'onlyInB'] as const;
	const cell = `${FONT};padding:0 24px 0 0`;
	const values = statuses.map((status) => {
		const value = result.counts[status];
		const colour = value === 0 ? MUTED : STATUS_COLOURS[status].text;
		return `<td style="${cell};font-size:24px;font-weight:bold;color:${colour}">${text(numbers.count(value))}</td>`;
	});
	const labels = statuses.map(
		(status) =>
			`<td style="${cell};font-size:12px;color:${MUTED};white-space:nowrap">${text(statusLabel(status, settings))}</td>`,
	);
	return `${LAYOUT_TABLE} style="border-collapse:collapse;margin:0 0 16px"><tr>${values.join('')}</tr><tr>${labels.join('')}</tr></table>`;
}

function totalsHtml(
	result: ReconcileResult,
	settings: SummarySettings,
	numbers: ReportNumbers,
	fieldNumbers: FieldNumbers[],
	currencies: TotalCurrency[],
): string {
	// An auto field where no row of either side holds a number (a currency code, a plan) has no total to show.
	const shown = result.totals.filter(
		(total) => total.nonNumericA < result.rowsA || total.nonNumericB < result.rowsB,
	);
	if (shown.length === 0) return '';
	const rows = shown.map((total) =>
		totalRow(total, settings, numbers, fieldNumbers[total.index], currencies[total.index]),
	);
	return (
		`${DATA_TABLE}<tr>${th('Total')}${th(text(settings.nameA), { numeric: true })}${th(text(settings.nameB), { numeric: true })}` +
		`${th('Δ', { numeric: true })}${th('Δ %', { numeric: true })}</tr>${rows.join('')}</table>`
	);
}

function totalRow(
	total: FieldTotal,
	settings: SummarySettings,
	numbers: ReportNumbers,
	format: FieldNumbers,
	currency: TotalCurrency,
): string {
	const a = total.a.value;
	const b = total.b.value;
	const delta = subtractDecimals(b, a);
	const percent = shareOf(delta, a);
	const caveats = [
		total.nonNumericA
			? `${numbers.count(total.nonNumericA)} ${settings.nameA} rows without a number`
			: '',
		total.nonNumericB
			? `${numbers.count(total.nonNumericB)} ${settings.nameB} rows without a number`
			: '',
		currency.mixed.length ? `mixed currencies: ${currency.mixed.join(', ')}` : '',
	].filter(Boolean);
	const label =
		text(total.field) + (caveats.length ? ` ${muted(text(`(${caveats.join('; ')})`))}` : '');
	return (
		`<tr>${td({ html: label })}${td({ html: text(format.amount(a, currency.code)), numeric: true })}` +
		`${td({ html: text(format.amount(b, currency.code)), numeric: true })}${td({ html: text(format.amount(delta, currency.code, true)), numeric: true })}` +
		`${td({ html: percentHtml(percent, numbers), numeric: true })}</tr>`
	);
}

/** Columns per compare field: the two values, and for numbers Δ and Δ %; dates get Δ in days. */
function columnsOf(field: CompareField): number {
	if (isSummable(field)) return 4;
	return field.compareAs === 'date' ? 3 : 2;
}

/** The discrepancy table: its head, one row per listed discrepancy, and its end. */
function discrepanciesHtml(
	result: ReconcileResult,
	listed: ListedRow[],
	settings: SummarySettings,
	numbers: ReportNumbers,
	fieldNumbers: FieldNumbers[],
): { head: string; rows: string[]; tail: string } {
	const { nameA, nameB, compareFields } = settings;
	const rank = result.rankField;
	const largestSize = listed.reduce(
		(max, { discrepancy }) =>
			Number.isFinite(discrepancy.size) ? Math.max(max, discrepancy.size) : max,
		0,
	);
	const twoRows = compareFields.length > 0;
	const fixed = { rowspan: twoRows ? 2 : 1 };

	const head = [th('Status', fixed)];
	for (const field of settings.matchFields) head.push(th(text(field.fieldA), fixed));
	for (const field of settings.displayFields) head.push(th(text(field.fieldA), fixed));
	const subHead: string[] = [];
	compareFields.forEach((field, index) => {
		const withBar = index === rank;
		head.push(th(text(field.fieldA), { colspan: columnsOf(field) + (withBar ? 1 : 0) }));
		const numeric = isSummable(field);
		subHead.push(th(text(nameA), { numeric }), th(text(nameB), { numeric }));
		if (numeric) subHead.push(th('Δ', { numeric: true }), th('Δ %', { numeric: true }));
		else if (field.compareAs === 'date') subHead.push(th('Δ days', { numeric: true }));
		if (withBar) subHead.push(th('Share of largest'));
	});
	head.push(th('Note', fixed));

	const rows = listed.map(({ discrepancy, fields, currencies }, position) => {
		const { row } = discrepancy;
		const background = position % 2 === 1 ? STRIPE : undefined;
		const status = STATUS_COLOURS[row.status];
		const cells: Cell[] = [
			{
				html: text(statusLabel(row.status, settings)),
				background: status.background,
				style: `;color:${status.text};white-space:nowrap`,
			},
		];
		for (const field of settings.matchFields)
			cells.push(codeCell(cellText(row.key[field.fieldA]), background));
		for (const field of settings.displayFields)
			cells.push(codeCell(cellText(displayValue(row, field)), background));
		compareFields.forEach((field, index) => {
			const values = fields[index];
			const currency = currencies[index];
			const format = fieldNumbers[index];
			const numeric = isSummable(field);
			cells.push(
				{
					html: valueHtml(row.a, values.rawA, values.amountA, format, currency),
					numeric,
					background,
				},
				{
					html: valueHtml(row.b, values.rawB, values.amountB, format, currency),
					numeric,
					background,
				},
			);
			if (numeric) {
				cells.push(
					{
						html: values.delta === null ? '' : text(format.amount(values.delta, currency, true)),
						numeric: true,
						background,
					},
					{
						html:
							values.delta === null || values.amountA === null
								? ''
								: percentHtml(shareOf(values.delta, values.amountA), numbers),
						numeric: true,
						background,
					},
				);
			} else if (field.compareAs === 'date') {
				const days = values.deltaDays;
				cells.push({
					html: days === null || days === 0 ? '' : text(`${days > 0 ? '+' : '−'}${Math.abs(days)}`),
					numeric: true,
					background,
				});
			}
			if (index === rank)
				cells.push({ html: barHtml(discrepancy.size, largestSize), background, plain: true });
		});
		cells.push({ html: text(notes(row)), background });
		return `<tr>${cells.map(td).join('')}</tr>`;
	});

	return {
		head:
			`<h3 style="${FONT};margin:0 0 4px;font-size:16px;color:#1f2328">Largest discrepancies</h3>` +
			`<p style="${FONT};margin:0 0 8px;font-size:12px;color:${MUTED}">${text(`Δ = ${nameB} − ${nameA} and Δ % = Δ as a share of ${nameA}, from the exact amounts (the values shown are rounded).`)}</p>` +
			`${DATA_TABLE}<tr>${head.join('')}</tr>${twoRows ? `<tr>${subHead.join('')}</tr>` : ''}`,
		rows,
		tail: '</table>',
	};
}

/** One side's value: formatted when it is a number; as written otherwise; a dash when the side has no value. */
function valueHtml(
	record: object | null,
	raw: unknown,
	amount: DecimalValue | null,
	format: FieldNumbers,
	currency: string | null,
): string {
	if (amount !== null) return text(format.amount(amount, currency));
	const written = cellText(raw);
	if (record === null || written === '') return muted(NO_VALUE);
	return text(written);
}

/**
 * A horizontal bar, BAR_WIDTH pixels at the largest listed discrepancy: two table cells with
 * background colours, which every mail client draws (no image, no CSS width on a div). A row
 * whose size cannot be measured (a value that is not a number) gets none.
 */
function barHtml(size: number, largest: number): string {
	if (!Number.isFinite(size)) return '';
	const filled =
		largest > 0 && size > 0 ? Math.max(1, Math.round((size / largest) * BAR_WIDTH)) : 0;
	const cell = (width: number, colour: string) =>
		`<td width="${width}" height="8" bgcolor="${colour}" style="font-size:1px;line-height:8px">&nbsp;</td>`;
	const cells =
		(filled > 0 ? cell(filled, BAR) : '') +
		(filled < BAR_WIDTH ? cell(BAR_WIDTH - filled, BAR_TRACK) : '');
	return `${LAYOUT_TABLE} width="${BAR_WIDTH}"><tr>${cells}</tr></table>`;
}
