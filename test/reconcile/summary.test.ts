import {
	reconcile,
	type Discrepancy,
	type ReconcileResult,
	type ReconcileRow,
} from '../../nodes/BillingReconcile/join';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import {
	csvCell,
	discrepancyCsvChunks,
	discrepancyCsvRecords,
	largestDiscrepancies,
	neutraliseFormula,
	totalsJson,
	type SummarySettings,
} from '../../nodes/BillingReconcile/summary';

import { compared, items, pair, plainFormat, reconcileSpec, summarySettings } from './fixtures';

const spec = reconcileSpec({ compareFields: [compared('amount'), compared('quantity')] });
const settings = (overrides: Partial<SummarySettings> = {}): SummarySettings =>
	summarySettings(spec, overrides);

/** Rows with deltas, a non-number, a row on each side only and a matched one. */
const deltaRows = () =>
	reconcile(
		items(
			{ id: 'k1', amount: '1,000.50', quantity: 2 },
			{ id: 'k2', amount: 5, quantity: 1 },
			{ id: 'same', amount: 1, quantity: 1 },
		),
		items(
			{ id: 'k1', amount: 1000, quantity: 2 },
			{ id: 'k3', amount: 'N/A', quantity: 1 },
			{ id: 'same', amount: 1, quantity: 1 },
		),
		spec,
	);
const discrepancy = (id: string, size: number): Discrepancy => ({
	row: { key: { id }, status: 'different', differences: [], a: null, b: null } as ReconcileRow,
	size,
});
const ids = (list: Discrepancy[]) => list.map(({ row }) => row.key.id);

describe('largestDiscrepancies', () => {
	it('puts the largest first and keeps output order among equals', () => {
		const list = [
			discrepancy('a', 1),
			discrepancy('b', 5),
			discrepancy('c', 1),
			discrepancy('d', 3),
			discrepancy('e', 5),
		];
		expect(ids(largestDiscrepancies(list, 10))).toEqual(['b', 'e', 'd', 'a', 'c']);
	});

	it('puts rows whose size cannot be measured first', () => {
		expect(
			ids(largestDiscrepancies([discrepancy('a', 100), discrepancy('b', Infinity)], 10)),
		).toEqual(['b', 'a']);
	});

	it('keeps at most maxRows, the largest of all', () => {
		const list = Array.from({ length: 1000 }, (_, index) =>
			discrepancy(String(index), (index * 7919) % 1000),
		);
		expect(largestDiscrepancies(list, 3).map(({ size }) => size)).toEqual([999, 998, 997]);
		expect(largestDiscrepancies(list, 0)).toEqual([]);
	});
});

describe('totalsJson', () => {
	it('gives each compare field’s totals as numbers with B − A', () => {
		const result = reconcile(
			items({ id: 1, amount: '0.1', quantity: 1 }, { id: 2, amount: '0.2', quantity: 'x' }),
			items({ id: 1, amount: 1, quantity: 2 }),
			spec,
		);
		expect(totalsJson(result.totals)).toEqual({
			amount: { a: 0.3, b: 1, delta: 0.7, nonNumericA: 0, nonNumericB: 0 },
			quantity: { a: 1, b: 2, delta: 1, nonNumericA: 1, nonNumericB: 0 },
		});
	});
});

describe('neutraliseFormula', () => {
	it('prefixes a quote to cells a spreadsheet would run as formulas', () => {
		for (const cell of [
			'=1+1',
			'+cmd|/C calc!A0',
			'-2+3',
			'@SUM(A1:A9)',
			'\t=1',
			'\r=1',
			'=HYPERLINK("http://x")',
			'-',
		]) {
			expect(neutraliseFormula(cell)).toBe(`'${cell}`);
		}
	});

	it('leaves numbers as numbers, negative ones included, and other text as it is', () => {
		for (const cell of ['-12.5', '+3', '-0.001', '-1e5', '42', 'ACME = 1', 'C-1', ''])
			expect(neutraliseFormula(cell)).toBe(cell);
	});
});

describe('discrepancyCsvRecords', () => {
	it('has a header, then every non-matched row with both values, B − A and its percentage per field', () => {
		const result = deltaRows();
		expect([...discrepancyCsvRecords(result, settings())]).toEqual([
			[
				'status',
				'id',
				'amount A',
				'amount B',
				'amount delta',
				'amount delta %',
				'quantity A',
				'quantity B',
				'quantity delta',
				'quantity delta %',
				'note',
			],
			['Different', 'k1', '1000.5', '1000', '-0.5', '-0.049975', '2', '2', '0', '0', ''],
			['Only in A', 'k2', '5', '', '', '', '1', '', '', '', ''],
			['Only in B', 'k3', '', 'N/A', '', '', '', '1', '', '', ''],
		]);
	});

	it('neutralises formulas in keys, values and field names, and keeps negative numbers', () => {
		const formulaSpec = {
			...spec,
			matchFields: [pair('=id')],
			compareFields: [compared('amount', 'number')],
		};
		const result = reconcile(
			items({ '=id': '=2+5', amount: -12.5 }),
			items({ '=id': '=2+5', amount: '@risk' }),
			formulaSpec,
		);
		const [header, row] = [
			...discrepancyCsvRecords(
				result,
				settings({
					matchFields: formulaSpec.matchFields,
					compareFields: formulaSpec.compareFields,
				}),
			),
		];
		expect(header.slice(0, 2)).toEqual(['status', "'=id"]);
		expect(row).toEqual([
			'Different',
			"'=2+5",
			'-12.5',
			"'@risk",
			'',
			'',
			'amount: B is not a number',
		]);
	});
});

describe('discrepancyCsvRecords: names, display fields and kinds', () => {
	it('names the sides in the headers and in the status words a person reads', () => {
		const result = reconcile(
			items({ id: 'k1', amount: 1, quantity: 1 }, { id: 'k3', amount: 1, quantity: 1 }),
			items({ id: 'k2', amount: 2, quantity: 1 }, { id: 'k3', amount: 3, quantity: 1 }),
			spec,
		);
		const [header, ...rows] = [
			...discrepancyCsvRecords(result, settings({ nameA: 'Webex', nameB: 'our billing' })),
		];
		expect(header).toEqual([
			'status',
			'id',
			'amount Webex',
			'amount our billing',
			'amount delta',
			'amount delta %',
			'quantity Webex',
			'quantity our billing',
			'quantity delta',
			'quantity delta %',
			'note',
		]);
		expect(rows.map((row) => row[0])).toEqual([
			'Different',
			'Only in Webex',
			'Only in our billing',
		]);
	});

	it('adds display fields beside the key: A’s value, or B’s for a row only in B', () => {
		const displaySpec = { ...spec, compareFields: [compared('amount')] };
		const result = reconcile(
			items({ id: 'k1', name: 'Acme', amount: 1 }, { id: 'k2', name: '', amount: 1 }),
			items(
				{ id: 'k1', name: 'ACME Corp', amount: 2 },
				{ id: 'k2', name: 'Beta', amount: 3 },
				{ id: 'k3', name: '=Gamma', amount: 4 },
			),
			displaySpec,
		);
		const records = [
			...discrepancyCsvRecords(
				result,
				settings({
					compareFields: displaySpec.compareFields,
					displayFields: [pair('name')],
					formats: [{ decimals: null, currencyCode: null, currencyField: null }],
				}),
			),
		];
		expect(records.map((record) => record.slice(0, 3))).toEqual([
			['status', 'id', 'name'],
			['Different', 'k1', 'Acme'],
			['Different', 'k2', 'Beta'],
			['Only in B', 'k3', "'=Gamma"],
		]);
	});

	it('gives text and date fields both values and no delta columns', () => {
		const kindSpec = {
			...spec,
			compareFields: [compared('plan', 'text'), compared('start', 'date')],
		};
		const result = reconcile(
			items({ id: 1, plan: 'Azure', start: '2026-11-01' }),
			items({ id: 1, plan: 'M365', start: '2026-11-02T00:00:00Z' }),
			kindSpec,
		);
		const formats = kindSpec.compareFields.map(() => ({
			decimals: null,
			currencyCode: null,
			currencyField: null,
		}));
		expect([
			...discrepancyCsvRecords(
				result,
				settings({ compareFields: kindSpec.compareFields, formats }),
			),
		]).toEqual([
			['status', 'id', 'plan A', 'plan B', 'start A', 'start B', 'note'],
			['Different', '1', 'Azure', 'M365', '2026-11-01', '2026-11-02T00:00:00Z', ''],
		]);
	});

	it('keeps exact values whatever the report’s decimals and currency', () => {
		const result = reconcile(
			items({ id: 1, amount: '6052.037938', quantity: 1 }),
			items({ id: 1, amount: 5577.179114, quantity: 1 }),
			spec,
		);
		const formats = [
			{ decimals: 2, currencyCode: 'USD', currencyField: null },
			{ decimals: 0, currencyCode: null, currencyField: null },
		];
		expect([...discrepancyCsvRecords(result, settings({ formats }))][1].slice(2, 6)).toEqual([
			'6052.037938',
			'5577.179114',
			'-474.858824',
			'-7.846263',
		]);
	});
});

describe('discrepancyCsvChunks', () => {
	it('writes 4,500 discrepancies in chunks that join into one CSV with one BOM and one header', () => {
		const result = reconcile(
			items(...Array.from({ length: 4500 }, (_, id) => ({ id, amount: id, quantity: 1 }))),
			items(),
			spec,
		);
		const chunks = [...discrepancyCsvChunks(result, settings())];
		expect(chunks).toHaveLength(3);
		const csv = chunks.join('');
		expect(csv.match(/\uFEFF/g)).toHaveLength(1);
		const rows = parse(csv, { bom: true }) as string[][];
		expect(rows).toHaveLength(4501);
		expect(rows[0][0]).toBe('status');
		expect(rows[4500].slice(0, 3)).toEqual(['Only in A', '4499', '4499']);
		expect(csv.endsWith('\r\n')).toBe(true);
	});
});

/**
 * The chunks as csv-stringify 6 writes them, 2,000 records each: the node's writer before its
 * own, except that it quotes a lone CR or LF too (csv-stringify's default with CRLF record
 * ends quotes only CRLF).
 */
function csvStringifyChunks(result: ReconcileResult, csvSettings: SummarySettings): string[] {
	const records = [...discrepancyCsvRecords(result, csvSettings)];
	const chunks: string[] = [];
	for (let start = 0; start < records.length; start += 2000) {
		const batch = records.slice(start, start + 2000);
		chunks.push(
			stringify(batch, {
				bom: start === 0,
				record_delimiter: 'windows',
				quote_record_delimiter: true,
			}),
		);
	}
	return chunks;
}

describe('csvCell', () => {
	it('quotes a cell with a comma, a quote or a line break of any kind, and doubles its quotes', () => {
		expect(['a,b', 'say "hi"', 'a\r\nb', 'a\nb', 'a\rb', '"'].map(csvCell)).toEqual([
			'"a,b"',
			'"say ""hi"""',
			'"a\r\nb"',
			'"a\nb"',
			'"a\rb"',
			'""""',
		]);
	});

	it('leaves other cells as they are: empty, spaces, formulas made safe, unicode', () => {
		expect(['', ' a ', 'Only in A', "'=2+5", 'é€😀'].map(csvCell)).toEqual([
			'',
			' a ',
			'Only in A',
			"'=2+5",
			'é€😀',
		]);
	});
});

describe('discrepancyCsvChunks: line breaks in values', () => {
	it('keeps a value with a lone LF or CR in its cell for readers that end a record at either', () => {
		const textSpec = { ...spec, compareFields: [compared('note', 'text')] };
		const result = reconcile(
			items({ id: 'k1', note: 'line 1\nline 2' }),
			items({ id: 'k1', note: 'old Mac\rline' }),
			textSpec,
		);
		const csv = [
			...discrepancyCsvChunks(
				result,
				settings({ compareFields: textSpec.compareFields, formats: [plainFormat] }),
			),
		].join('');
		expect(parse(csv, { bom: true, record_delimiter: ['\r\n', '\n', '\r'] })).toEqual([
			['status', 'id', 'note A', 'note B', 'note'],
			['Different', 'k1', 'line 1\nline 2', 'old Mac\rline', ''],
		]);
	});
});

describe('discrepancyCsvChunks: the same bytes as csv-stringify', () => {
	const displaySpec = { ...spec, compareFields: [compared('plan', 'text'), compared('amount')] };
	const displaySettings = settings({
		compareFields: displaySpec.compareFields,
		displayFields: [pair('name')],
		formats: displaySpec.compareFields.map(() => plainFormat),
		nameA: 'Webex, "wholesale"',
		nameB: 'our\r\nbilling',
	});

	it.each([
		['rows with deltas, a non-number and a row on each side only', deltaRows, settings()],
		[
			'no discrepancy: the header alone',
			() =>
				reconcile(
					items({ id: 1, amount: 1, quantity: 1 }),
					items({ id: 1, amount: 1, quantity: 1 }),
					spec,
				),
			settings(),
		],
		[
			'4,500 rows: three chunks, the BOM only in the first',
			() =>
				reconcile(
					items(...Array.from({ length: 4500 }, (_, id) => ({ id, amount: id, quantity: 1 }))),
					items(),
					spec,
				),
			settings(),
		],
		[
			'commas, quotes, line breaks and formulas in names, keys and values',
			() =>
				reconcile(
					items(
						{ id: 'k,1', name: 'Acme, "Inc"', plan: 'line 1\nline 2', amount: '=1+2' },
						{ id: ' k2 ', name: '', plan: 'a\r\nb', amount: '1,234.50' },
					),
					items(
						{ id: 'k,1', name: 'x', plan: 'CR\r', amount: -12.5 },
						{ id: '"k3"', name: '-@risk', plan: '', amount: 'N/A' },
					),
					displaySpec,
				),
			displaySettings,
		],
	])('%s', (_, run, csvSettings) => {
		const result = run();
		expect([...discrepancyCsvChunks(result, csvSettings)]).toEqual(
			csvStringifyChunks(result, csvSettings),
		);
	});

	it('on random text of every kind (seeded): commas, quotes, CR, LF, spaces, unicode, empty', () => {
		const special = fc.constantFrom(
			'"',
			',',
			'\r',
			'\n',
			' ',
			'\t',
			'=',
			'-',
			'a',
			'0',
			'é',
			'😀',
			'\uFEFF',
			'\u2028',
		);
		const text = fc.oneof(
			fc.string({ unit: special, maxLength: 8 }),
			fc.string({ unit: 'binary', maxLength: 8 }),
		);
		const row = fc.record({
			id: text,
			name: text,
			planA: text,
			planB: text,
			amount: fc.oneof(text, fc.double(), fc.integer()),
		});
		fc.assert(
			fc.property(fc.uniqueArray(row, { selector: (r) => r.id, maxLength: 40 }), (rows) => {
				const a: IDataObject[] = rows.map((r) => ({
					id: r.id,
					name: r.name,
					plan: r.planA,
					amount: r.amount,
				}));
				// Every third key only in A; the rest in both, most with a different plan.
				const b: IDataObject[] = rows
					.filter((_, index) => index % 3 !== 0)
					.map((r) => ({ id: r.id, name: r.name, plan: r.planB, amount: r.amount }));
				const result = reconcile(items(...a), items(...b), displaySpec);
				expect([...discrepancyCsvChunks(result, displaySettings)]).toEqual(
					csvStringifyChunks(result, displaySettings),
				);
			}),
			{ seed: 20261205, numRuns: 300 },
		);
	});
});
