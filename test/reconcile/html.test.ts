import type { IDataObject } from 'n8n-workflow';

import type { CompareField } from '../../nodes/BillingReconcile/compare';
import {
	HTML_BUDGET_BYTES,
	escapeHtml,
	summaryHtml,
	totalCurrencies,
} from '../../nodes/BillingReconcile/html';
import { reconcile, type ReconcileSpec } from '../../nodes/BillingReconcile/join';
import {
	largestDiscrepancies,
	type FieldFormat,
	type SummarySettings,
} from '../../nodes/BillingReconcile/summary';
import { compared, items, pair, plainFormat, reconcileSpec, summarySettings } from './fixtures';
import { htmlTables, htmlText } from './setup';

interface Report {
	compareFields?: CompareField[];
	formats?: FieldFormat[];
	settings?: Partial<SummarySettings>;
	spec?: Partial<ReconcileSpec>;
}

/** Reconciles A and B by id and renders the summary's HTML. */
function report(
	a: IDataObject[],
	b: IDataObject[],
	{ compareFields = [compared('amount')], formats, settings = {}, spec = {} }: Report = {},
): string {
	const fullSpec = reconcileSpec({ compareFields, ...spec });
	const fullSettings = summarySettings(fullSpec, formats ? { formats, ...settings } : settings);
	const itemsA = items(...a);
	const itemsB = items(...b);
	const result = reconcile(itemsA, itemsB, fullSpec);
	return summaryHtml(
		result,
		fullSettings,
		largestDiscrepancies(result.discrepancies, fullSettings.maxRows),
		totalCurrencies(fullSettings, itemsA, itemsB),
	);
}

/** The discrepancy table: header rows, then one row per listed discrepancy. */
const discrepancyTable = (html: string) => htmlTables(html).at(-1)!;
const totalsTable = (html: string) => htmlTables(html)[0];

describe('summaryHtml: the sides’ names', () => {
	const html = report(
		[
			{ id: 'k1', amount: 1 },
			{ id: 'k2', amount: 2 },
		],
		[
			{ id: 'k1', amount: 3 },
			{ id: 'k3', amount: 4 },
		],
		{
			settings: { nameA: 'Webex', nameB: 'our billing' },
		},
	);

	it('names the sides in the counts and the row counts', () => {
		expect(htmlText(html)).toContain(
			'Webex: 2 rows · our billing: 2 rows · generated 2026-11-03 06:00 UTC',
		);
		expect(htmlText(html)).toContain(
			'0 | 1 | 1 | 1 |\nMatched | Different | Only in Webex | Only in our billing |',
		);
	});

	it('names the sides in the totals, the status words and the column headers, and says what Δ is', () => {
		expect(totalsTable(html)[0]).toEqual(['Total', 'Webex', 'our billing', 'Δ', 'Δ %']);
		const [head, subHead, ...rows] = discrepancyTable(html);
		expect(head).toEqual(['Status', 'id', 'amount', 'Note']);
		expect(subHead).toEqual(['Webex', 'our billing', 'Δ', 'Δ %', 'Share of largest']);
		expect(rows.map((row) => row[0])).toEqual([
			'Only in our billing',
			'Different',
			'Only in Webex',
		]);
		expect(htmlText(html)).toContain(
			'Δ = our billing − Webex and Δ % = Δ as a share of Webex, from the exact amounts (the values shown are rounded).',
		);
	});
});

describe('summaryHtml: numbers for people', () => {
	it('groups thousands and gives every value of a field the decimals its data has', () => {
		const html = report(
			[
				{ id: 1, amount: '1234.5', quantity: 1000 },
				{ id: 2, amount: 2, quantity: 3 },
			],
			[
				{ id: 1, amount: 1200.25, quantity: 1500 },
				{ id: 2, amount: 2, quantity: 3 },
			],
			{
				compareFields: [compared('amount'), compared('quantity')],
			},
		);
		expect(discrepancyTable(html)[2]).toEqual([
			'Different',
			'1',
			'1,234.50',
			'1,200.25',
			'-34.25',
			'-2.8%',
			'bar:100/100',
			'1,000',
			'1,500',
			'+500',
			'+50.0%',
			'',
		]);
		expect(totalsTable(html).slice(1)).toEqual([
			['amount', '1,236.50', '1,202.25', '-34.25', '-2.8%'],
			['quantity', '1,003', '1,503', '+500', '+49.9%'],
		]);
	});

	it('shows the decimals set for a field', () => {
		const html = report([{ id: 1, amount: '6052.037938' }], [{ id: 1, amount: '5577.179114' }], {
			formats: [{ decimals: 1, currencyCode: null, currencyField: null }],
		});
		expect(discrepancyTable(html)[2].slice(2, 6)).toEqual([
			'6,052.0',
			'5,577.2',
			'-474.9',
			'-7.8%',
		]);
	});

	it('writes amounts in the field’s currency with its decimals, and more when a difference would read as 0.00', () => {
		const usd: FieldFormat = { decimals: null, currencyCode: 'USD', currencyField: null };
		const html = report(
			[
				{ id: 1, amount: '6052.037938' },
				{ id: 2, amount: 10 },
			],
			[
				{ id: 1, amount: '5577.179114' },
				{ id: 2, amount: 10.004 },
			],
			{ formats: [usd] },
		);
		expect(
			discrepancyTable(html)
				.slice(2)
				.map((row) => row.slice(2, 5)),
		).toEqual([
			['$6,052.038', '$5,577.179', '-$474.859'],
			['$10.000', '$10.004', '+$0.004'],
		]);
		const roundOnly = report(
			[{ id: 1, amount: '6052.037938' }],
			[{ id: 1, amount: '5577.179114' }],
			{ formats: [usd] },
		);
		expect(discrepancyTable(roundOnly)[2].slice(2, 5)).toEqual([
			'$6,052.04',
			'$5,577.18',
			'-$474.86',
		]);
	});

	it('writes each row in the currency its currency field names, and the totals in the one currency of every row', () => {
		const byRow: FieldFormat = {
			decimals: null,
			currencyCode: null,
			currencyField: pair('currency'),
		};
		const html = report(
			[
				{ id: 1, amount: 1000, currency: 'EUR' },
				{ id: 2, amount: 5, currency: 'EUR' },
			],
			[
				{ id: 1, amount: 1100, currency: 'EUR' },
				{ id: 3, amount: 7, currency: 'eur' },
			],
			{ formats: [byRow] },
		);
		expect(
			discrepancyTable(html)
				.slice(2)
				.map((row) => row.slice(2, 5)),
		).toEqual([
			['€1,000.00', '€1,100.00', '+€100.00'],
			['—', '€7.00', ''],
			['€5.00', '—', ''],
		]);
		expect(totalsTable(html)[1]).toEqual([
			'amount',
			'€1,005.00',
			'€1,107.00',
			'+€102.00',
			'+10.1%',
		]);
	});

	it('writes totals over several currencies as plain numbers, saying which currencies they mix', () => {
		const byRow: FieldFormat = {
			decimals: null,
			currencyCode: 'USD',
			currencyField: pair('currency'),
		};
		const html = report(
			[{ id: 1, amount: 1000, currency: 'EUR' }],
			[
				{ id: 1, amount: 1000, currency: 'EUR' },
				{ id: 2, amount: 7, currency: 'GBP' },
			],
			{ formats: [byRow] },
		);
		expect(totalsTable(html)[1]).toEqual([
			'amount (mixed currencies: EUR, GBP)',
			'1,000',
			'1,007',
			'+7',
			'+0.7%',
		]);
		expect(discrepancyTable(html)[2].slice(2, 4)).toEqual(['—', '£7.00']);
	});

	it('writes numbers the way the locale does', () => {
		const html = report([{ id: 1, amount: '1234.5' }], [{ id: 1, amount: '1000' }], {
			formats: [{ decimals: 2, currencyCode: 'EUR', currencyField: null }],
			settings: { locale: 'de-DE' },
		});
		expect(discrepancyTable(html)[2].slice(2, 6)).toEqual(
			['1.234,50 €', '1.000,00 €', '-234,50 €', '-19,0 %'].map((cell) =>
				cell.replace(/ /g, '\u00a0'),
			),
		);
	});
});

describe('summaryHtml: Δ, Δ % and bars', () => {
	it('gives no Δ % when A is 0, and no Δ for a side that is not a number', () => {
		const html = report(
			[
				{ id: 1, amount: 0 },
				{ id: 2, amount: 'N/A' },
			],
			[
				{ id: 1, amount: 5 },
				{ id: 2, amount: 1 },
			],
		);
		expect(
			discrepancyTable(html)
				.slice(2)
				.map((row) => row.slice(1, 6)),
		).toEqual([
			['2', 'N/A', '1', '', ''],
			['1', '0', '5', '+5', ''],
		]);
	});

	it('gives Δ % two significant digits however small the difference: never 0 % beside a Δ that is not 0', () => {
		const usd: FieldFormat = { decimals: null, currencyCode: 'USD', currencyField: null };
		const html = report([{ id: 1, amount: '41533.88' }], [{ id: 1, amount: '41533.8799' }], {
			formats: [usd],
		});
		expect(discrepancyTable(html)[2].slice(2, 6)).toEqual([
			'$41,533.8800',
			'$41,533.8799',
			'-$0.0001',
			'-0.00000024%',
		]);
		expect(totalsTable(html)[1].slice(3)).toEqual(['-$0.0001', '-0.00000024%']);
	});

	it('draws each row’s share of the largest discrepancy as a bar, and none where it cannot be measured', () => {
		const html = report(
			[
				{ id: 1, amount: 100 },
				{ id: 2, amount: 100 },
				{ id: 3, amount: 100 },
				{ id: 4, amount: 'x' },
				{ id: 5, amount: 100 },
			],
			[
				{ id: 1, amount: 300 },
				{ id: 2, amount: 150 },
				{ id: 3, amount: 100.5 },
				{ id: 4, amount: 1 },
				{ id: 5, amount: 100 },
			],
		);
		expect(
			discrepancyTable(html)
				.slice(2)
				.map((row) => [row[1], row[6]]),
		).toEqual([
			['4', ''],
			['1', 'bar:100/100'],
			['2', 'bar:25/100'],
			['3', 'bar:1/100'],
		]);
	});

	it('draws bars for the first field compared as a number, after text fields', () => {
		const html = report([{ id: 1, plan: 'A', amount: 1 }], [{ id: 1, plan: 'B', amount: 2 }], {
			compareFields: [compared('plan', 'text'), compared('amount')],
		});
		const [head, subHead, row] = discrepancyTable(html);
		expect(head).toEqual(['Status', 'id', 'plan', 'amount', 'Note']);
		expect(subHead).toEqual(['A', 'B', 'A', 'B', 'Δ', 'Δ %', 'Share of largest']);
		expect(row).toEqual(['Different', '1', 'A', 'B', '1', '2', '+1', '+100.0%', 'bar:100/100', '']);
	});
});

describe('summaryHtml: what each row shows', () => {
	it('shows display fields beside the key: A’s value, or B’s for a row only in B', () => {
		const html = report(
			[{ id: 'C1', name: 'Acme', amount: 1 }],
			[
				{ id: 'C1', name: 'ACME Corp', amount: 2 },
				{ id: 'C2', customer: { name: 'Beta' }, amount: 3 },
			],
			{
				settings: { displayFields: [pair('name', 'customer.name')] },
			},
		);
		const [head, , ...rows] = discrepancyTable(html);
		expect(head.slice(0, 3)).toEqual(['Status', 'id', 'name']);
		expect(rows.map((row) => row.slice(0, 3))).toEqual([
			['Only in B', 'C2', 'Beta'],
			['Different', 'C1', 'Acme'],
		]);
	});

	it('keeps a short key or display value on one line (a SKU, an invoice number), and lets a GUID wrap', () => {
		const guid = '0b1e0001-2f3d-4e5f-9a8b-7c6d5e4f3a21';
		const html = report(
			[{ id: guid, sku: 'WX-CALL-PRO', amount: 1 }],
			[{ id: guid, sku: 'WX-CALL-PRO', amount: 2 }],
			{
				settings: { matchFields: [pair('id'), pair('sku')], displayFields: [pair('name')] },
				spec: { matchFields: [pair('id'), pair('sku')] },
			},
		);
		const cellStyle = (value: string) =>
			new RegExp(`<td[^>]*style="([^"]*)">${value}</td>`).exec(html)?.[1];
		expect(cellStyle('WX-CALL-PRO')).toContain('white-space:nowrap');
		expect(cellStyle(guid)).not.toContain('white-space:nowrap');
	});

	it('shows text and date fields as written, with the days between two dates', () => {
		const html = report(
			[{ id: 1, plan: 'Azure', start: '2026-11-01' }],
			[{ id: 1, plan: 'M365', start: '2026-10-29T00:00:00Z' }],
			{
				compareFields: [compared('plan', 'text'), compared('start', 'date')],
			},
		);
		const [, subHead, row] = discrepancyTable(html);
		expect(subHead).toEqual(['A', 'B', 'A', 'B', 'Δ days']);
		expect(row).toEqual([
			'Different',
			'1',
			'Azure',
			'M365',
			'2026-11-01',
			'2026-10-29T00:00:00Z',
			'−3',
			'',
		]);
	});

	it('notes why a value could not be compared', () => {
		const html = report([{ id: 1, start: '2026-11-01' }], [{ id: 1, start: '01/11/2026' }], {
			compareFields: [compared('start', 'date')],
		});
		expect(discrepancyTable(html)[2].at(-1)).toBe('start: B is not a date');
	});

	it('leaves out the total of an auto field where no row holds a number, such as a currency code', () => {
		const html = report(
			[{ id: 1, currency: 'USD', amount: 1 }],
			[{ id: 1, currency: 'EUR', amount: 1 }],
			{ compareFields: [compared('currency'), compared('amount')] },
		);
		expect(totalsTable(html).map((row) => row[0])).toEqual(['Total', 'amount']);
	});
});

describe('summaryHtml: safe for an email', () => {
	const hostile = '<script>alert("x")</script> & \'quoted\'';

	it('escapes every value: title, names, keys, display values, field names, text values', () => {
		const html = report(
			[{ id: hostile, name: hostile, [hostile]: 'x' }],
			[{ id: hostile, name: 'n', [hostile]: `<img src=x onerror=alert(1)>` }],
			{
				compareFields: [compared(hostile, 'text')],
				settings: {
					title: `Report ${hostile}`,
					nameA: hostile,
					nameB: '<b>',
					displayFields: [pair('name')],
				},
			},
		);
		expect(html).not.toMatch(/<script|<img|<b>/);
		expect(html).toContain(
			'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;',
		);
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(htmlText(html)).toContain(`Report ${hostile}`);
	});

	it('styles inline only, in tables: no style sheet, class, script, image or link', () => {
		const html = report(
			[{ id: 1, amount: 1 }],
			[
				{ id: 1, amount: 2 },
				{ id: 2, amount: 3 },
			],
			{ formats: [{ decimals: null, currencyCode: 'USD', currencyField: null }] },
		);
		expect(html).not.toMatch(/<style|<link|<script|<img|src=|href=|class=|url\(/i);
		expect(html).toMatch(/^<table role="presentation"[^>]*>.*<\/table>$/s);
	});

	it('lists at most maxRows discrepancies and says how many more the CSV has', () => {
		const html = report(
			Array.from({ length: 5 }, (_, id) => ({ id, amount: id })),
			Array.from({ length: 5 }, (_, id) => ({ id, amount: id * 2 + 1 })),
			{ settings: { maxRows: 2 } },
		);
		expect(discrepancyTable(html)).toHaveLength(4);
		expect(htmlText(html)).toContain(
			'… and 3 more discrepancies: every one is in the attached CSV.',
		);
	});

	it('fits 50 discrepancies of a typical invoice within Gmail’s limit: two GUID keys, a name, money and a quantity', () => {
		const guid = (index: number) =>
			`0b1e${String(index).padStart(4, '0')}-2f3d-4e5f-9a8b-7c6d5e4f3a21`;
		const a = Array.from({ length: 60 }, (_, index) => ({
			id: guid(index),
			sub: guid(index + 1000),
			name: `Customer ${index} Holdings Ltd`,
			amount: index * 12.345678,
			quantity: index,
		}));
		const b = a.map((row) => ({ ...row, amount: row.amount + 1.5, quantity: row.quantity + 1 }));
		const html = report(a, b, {
			compareFields: [compared('amount'), compared('quantity')],
			formats: [{ decimals: null, currencyCode: 'USD', currencyField: null }, plainFormat],
			settings: {
				matchFields: [pair('id'), pair('sub')],
				displayFields: [pair('name')],
				nameA: 'Microsoft',
				nameB: 'our billing',
			},
			spec: { matchFields: [pair('id'), pair('sub')] },
		});
		expect(Buffer.byteLength(html)).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
		expect(discrepancyTable(html)).toHaveLength(2 + 50);
	});

	it('lists discrepancies only while the HTML stays within Gmail’s limit, and counts the rest as in the CSV', () => {
		const long = (index: number) => `${index}-${'x'.repeat(4000)}`;
		const html = report(
			Array.from({ length: 50 }, (_, index) => ({ id: long(index), amount: index })),
			Array.from({ length: 50 }, (_, index) => ({ id: long(index), amount: index + 1 })),
		);
		const listed = discrepancyTable(html).length - 2;
		expect(Buffer.byteLength(html)).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
		expect(listed).toBeGreaterThan(10);
		expect(listed).toBeLessThan(25);
		expect(htmlText(html)).toContain(
			`… and ${50 - listed} more discrepancies: every one is in the attached CSV.`,
		);
	});

	it('says there are no discrepancies when there are none', () => {
		expect(htmlText(report([{ id: 1, amount: 1 }], [{ id: 1, amount: 1 }]))).toContain(
			'No discrepancies.',
		);
	});
});

describe('escapeHtml', () => {
	it('escapes the five HTML-special characters', () => {
		expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
			'&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
		);
	});
});
