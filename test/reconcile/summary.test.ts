import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import type { CompareField, FieldPair } from '../../nodes/BillingReconcile/compare';
import { reconcile, type Discrepancy, type ReconcileRow, type ReconcileSpec } from '../../nodes/BillingReconcile/join';
import { fieldReader } from '../../nodes/BillingReconcile/keys';
import { parse } from 'csv-parse/sync';

import {
	discrepancyCsvChunks,
	discrepancyCsvRecords,
	escapeHtml,
	largestDiscrepancies,
	neutraliseFormula,
	summaryHtml,
	totalsJson,
	type SummarySettings,
} from '../../nodes/BillingReconcile/summary';

const pair = (fieldA: string, fieldB = fieldA): FieldPair => ({ fieldA, fieldB, readA: fieldReader(fieldA), readB: fieldReader(fieldB) });
const compared = (fieldA: string): CompareField => ({ ...pair(fieldA), absoluteTolerance: parseDecimal('0')!, relativeTolerancePercent: parseDecimal('0')! });
const items = (...records: IDataObject[]): INodeExecutionData[] => records.map((json) => ({ json }));

const spec: ReconcileSpec = {
	matchFields: [pair('id')],
	compareFields: [compared('amount'), compared('quantity')],
	aggregateA: false,
	aggregateB: false,
	normalisation: { trim: false, caseInsensitive: false, ignoreLeadingZeros: false },
	onDuplicateKeys: 'error',
	includeMatched: true,
};
const settings = (overrides: Partial<SummarySettings> = {}): SummarySettings => ({
	title: 'October',
	maxRows: 50,
	generatedAt: '2026-11-03T06:00:00.000Z',
	matchFields: spec.matchFields,
	compareFields: spec.compareFields,
	...overrides,
});

const discrepancy = (id: string, size: number): Discrepancy => ({
	row: { key: { id }, status: 'different', differences: [], a: null, b: null } as ReconcileRow,
	size,
});
const ids = (list: Discrepancy[]) => list.map(({ row }) => row.key.id);

describe('largestDiscrepancies', () => {
	it('puts the largest first and keeps output order among equals', () => {
		const list = [discrepancy('a', 1), discrepancy('b', 5), discrepancy('c', 1), discrepancy('d', 3), discrepancy('e', 5)];
		expect(ids(largestDiscrepancies(list, 10))).toEqual(['b', 'e', 'd', 'a', 'c']);
	});

	it('puts rows whose size cannot be measured first', () => {
		expect(ids(largestDiscrepancies([discrepancy('a', 100), discrepancy('b', Infinity)], 10))).toEqual(['b', 'a']);
	});

	it('keeps at most maxRows, the largest of all', () => {
		const list = Array.from({ length: 1000 }, (_, index) => discrepancy(String(index), (index * 7919) % 1000));
		expect(largestDiscrepancies(list, 3).map(({ size }) => size)).toEqual([999, 998, 997]);
		expect(largestDiscrepancies(list, 0)).toEqual([]);
	});
});

describe('totalsJson', () => {
	it('gives each compare field’s totals as numbers with B − A', () => {
		const result = reconcile(items({ id: 1, amount: '0.1', quantity: 1 }, { id: 2, amount: '0.2', quantity: 'x' }), items({ id: 1, amount: 1, quantity: 2 }), spec);
		expect(totalsJson(result.totals)).toEqual({
			amount: { a: 0.3, b: 1, delta: 0.7, nonNumericA: 0, nonNumericB: 0 },
			quantity: { a: 1, b: 2, delta: 1, nonNumericA: 1, nonNumericB: 0 },
		});
	});
});

describe('summaryHtml', () => {
	const hostile = '<script>alert("x")</script> & \'quoted\'';
	const result = reconcile(
		items({ id: hostile, amount: 1, quantity: 1 }, { id: 'ok', amount: 1, quantity: 1 }),
		items({ id: hostile, amount: 2, quantity: 1 }, { id: 'ok', amount: 1, quantity: 1 }),
		spec,
	);

	it('escapes every value: a key, a title, a field name', () => {
		const html = summaryHtml(result, settings({ title: `Report ${hostile}` }), largestDiscrepancies(result.discrepancies, 50));
		expect(html).not.toContain('<script>');
		expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
		expect(html).toContain('<h2 style="margin:0 0 8px;font-size:18px">Report &lt;script&gt;');
	});

	it('styles inline only, with no style sheet, script or external resource', () => {
		const html = summaryHtml(result, settings(), largestDiscrepancies(result.discrepancies, 50));
		expect(html).not.toMatch(/<style|<link|<script|src=|href=|class=/);
		expect(html).toMatch(/^<div style="[^"]+">.*<\/div>$/s);
	});

	it('lists at most maxRows discrepancies and says how many more the CSV has', () => {
		const many = reconcile(
			items(...Array.from({ length: 5 }, (_, id) => ({ id, amount: id, quantity: 0 }))),
			items(...Array.from({ length: 5 }, (_, id) => ({ id, amount: id * 2 + 1, quantity: 0 }))),
			spec,
		);
		const html = summaryHtml(many, settings({ maxRows: 2 }), largestDiscrepancies(many.discrepancies, 2));
		expect(html.match(/<tr><td[^>]*>Different<\/td>/g)).toHaveLength(2);
		expect(html).toContain('… and 3 more discrepancies: every one is in the attached CSV.');
	});

	it('says there are no discrepancies when there are none', () => {
		const same = reconcile(items({ id: 1, amount: 1, quantity: 1 }), items({ id: 1, amount: 1, quantity: 1 }), spec);
		expect(summaryHtml(same, settings(), [])).toContain('No discrepancies.');
	});
});

describe('escapeHtml', () => {
	it('escapes the five HTML-special characters', () => {
		expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
	});
});

describe('neutraliseFormula', () => {
	it('prefixes a quote to cells a spreadsheet would run as formulas', () => {
		for (const cell of ['=1+1', '+cmd|/C calc!A0', '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1', '=HYPERLINK("http://x")', '-']) {
			expect(neutraliseFormula(cell)).toBe(`'${cell}`);
		}
	});

	it('leaves numbers as numbers, negative ones included, and other text as it is', () => {
		for (const cell of ['-12.5', '+3', '-0.001', '-1e5', '42', 'ACME = 1', 'C-1', '']) expect(neutraliseFormula(cell)).toBe(cell);
	});
});

describe('discrepancyCsvRecords', () => {
	it('has a header, then every non-matched row with both values, B − A and its percentage per field', () => {
		const result = reconcile(
			items({ id: 'k1', amount: '1,000.50', quantity: 2 }, { id: 'k2', amount: 5, quantity: 1 }, { id: 'same', amount: 1, quantity: 1 }),
			items({ id: 'k1', amount: 1000, quantity: 2 }, { id: 'k3', amount: 'N/A', quantity: 1 }, { id: 'same', amount: 1, quantity: 1 }),
			spec,
		);
		expect([...discrepancyCsvRecords(result, settings())]).toEqual([
			['status', 'id', 'amount A', 'amount B', 'amount delta', 'amount delta %', 'quantity A', 'quantity B', 'quantity delta', 'quantity delta %', 'note'],
			['different', 'k1', '1000.5', '1000', '-0.5', '-0.049975', '2', '2', '0', '0', ''],
			['onlyInA', 'k2', '5', '', '', '', '1', '', '', '', ''],
			['onlyInB', 'k3', '', 'N/A', '', '', '', '1', '', '', ''],
		]);
	});

	it('neutralises formulas in keys, values and field names, and keeps negative numbers', () => {
		const formulaSpec = { ...spec, matchFields: [pair('=id')], compareFields: [compared('amount')] };
		const result = reconcile(items({ '=id': '=2+5', amount: -12.5 }), items({ '=id': '=2+5', amount: '@risk' }), formulaSpec);
		const [header, row] = [...discrepancyCsvRecords(result, settings({ matchFields: formulaSpec.matchFields, compareFields: formulaSpec.compareFields }))];
		expect(header.slice(0, 2)).toEqual(['status', "'=id"]);
		expect(row).toEqual(['different', "'=2+5", '-12.5', "'@risk", '', '', 'amount: B is not a number']);
	});
});

describe('discrepancyCsvChunks', () => {
	it('writes 4,500 discrepancies in chunks that join into one CSV with one BOM and one header', () => {
		const result = reconcile(items(...Array.from({ length: 4500 }, (_, id) => ({ id, amount: id, quantity: 1 }))), items(), spec);
		const chunks = [...discrepancyCsvChunks(result, settings())];
		expect(chunks).toHaveLength(3);
		const csv = chunks.join('');
		expect(csv.match(/\uFEFF/g)).toHaveLength(1);
		const rows = parse(csv, { bom: true }) as string[][];
		expect(rows).toHaveLength(4501);
		expect(rows[0][0]).toBe('status');
		expect(rows[4500].slice(0, 3)).toEqual(['onlyInA', '4499', '4499']);
		expect(csv.endsWith('\r\n')).toBe(true);
	});
});
