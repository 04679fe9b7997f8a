/**
 * Engine-level specs of the Billing Reconcile node: the built package loaded the way n8n
 * loads it, run through n8n-core's WorkflowExecute with A and B pinned on two source nodes.
 */
import { parse } from 'csv-parse/sync';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { htmlTables, htmlText, pairs, useReconcile, type ReconcileRun } from './setup';

const reconcile = useReconcile();

const byCustomerAndSku = {
	matchFields: pairs({ fieldA: 'customerId', fieldB: '' }, { fieldA: 'sku', fieldB: '' }),
	compareFields: pairs(
		{ fieldA: 'quantity', fieldB: '', absoluteTolerance: 0, relativeTolerancePercent: 0 },
		{ fieldA: 'amount', fieldB: '', absoluteTolerance: 0, relativeTolerancePercent: 0 },
	),
};
const byId = (compare: IDataObject = {}) => ({
	matchFields: pairs({ fieldA: 'id', fieldB: '' }),
	compareFields: pairs({
		fieldA: 'amount',
		fieldB: '',
		absoluteTolerance: 0,
		relativeTolerancePercent: 0,
		...compare,
	}),
});
const keysOf = (rows: IDataObject[]) => rows.map((row) => row.key);

const vendor = [
	{ customerId: 'C1', sku: 'PRO', quantity: 10, amount: 125 },
	{ customerId: 'C1', sku: 'STD', quantity: 4, amount: 35 },
	{ customerId: 'C2', sku: 'PRO', quantity: 3, amount: 37.5 },
	{ customerId: 'C3', sku: 'PRO', quantity: 1, amount: 12.5 },
];
const erp = [
	{ customerId: 'C1', sku: 'PRO', quantity: 10, amount: 125 },
	{ customerId: 'C1', sku: 'STD', quantity: 5, amount: 43.75 },
	{ customerId: 'C4', sku: 'STD', quantity: 2, amount: 17.5 },
	{ customerId: 'C2', sku: 'PRO', quantity: 3, amount: 37.5 },
];

describe('Billing Reconcile: outputs', () => {
	it('routes each key to Matched, Different, Only in A or Only in B, in the contract’s shape', async () => {
		const run = await reconcile.run(byCustomerAndSku, { a: vendor, b: erp });
		expect(run.error).toBeUndefined();
		expect(run.matched).toEqual([
			{
				key: { customerId: 'C1', sku: 'PRO' },
				status: 'matched',
				differences: [],
				a: vendor[0],
				b: erp[0],
			},
			{
				key: { customerId: 'C2', sku: 'PRO' },
				status: 'matched',
				differences: [],
				a: vendor[2],
				b: erp[3],
			},
		]);
		expect(run.different).toEqual([
			{
				key: { customerId: 'C1', sku: 'STD' },
				status: 'different',
				differences: [
					{ field: 'quantity', a: 4, b: 5, delta: 1, deltaPercent: 25 },
					{ field: 'amount', a: 35, b: 43.75, delta: 8.75, deltaPercent: 25 },
				],
				a: vendor[1],
				b: erp[1],
			},
		]);
		expect(run.onlyInA).toEqual([
			{
				key: { customerId: 'C3', sku: 'PRO' },
				status: 'onlyInA',
				differences: [],
				a: vendor[3],
				b: null,
			},
		]);
		expect(run.onlyInB).toEqual([
			{
				key: { customerId: 'C4', sku: 'STD' },
				status: 'onlyInB',
				differences: [],
				a: null,
				b: erp[2],
			},
		]);
	});

	it('emits exactly one Summary item with counts, totals per compare field and B − A', async () => {
		const run = await reconcile.run(byCustomerAndSku, { a: vendor, b: erp });
		expect(run.outputs[4]).toHaveLength(1);
		expect(run.summary.json).toMatchObject({
			title: 'Billing reconciliation',
			counts: { matched: 2, different: 1, onlyInA: 1, onlyInB: 1 },
			totals: {
				quantity: { a: 18, b: 20, delta: 2, nonNumericA: 0, nonNumericB: 0 },
				amount: { a: 210, b: 223.75, delta: 13.75, nonNumericA: 0, nonNumericB: 0 },
			},
			rowsA: 4,
			rowsB: 4,
		});
		expect(new Date(run.summary.json.generatedAt as string).toISOString()).toBe(
			run.summary.json.generatedAt,
		);
	});

	it('lists the largest discrepancies first in the summary', async () => {
		const run = await reconcile.run(byCustomerAndSku, { a: vendor, b: erp });
		// quantity is the first compare field: C3 only in A (1), C4 only in B (2), C1/STD off by 1
		expect(keysOf(run.summary.json.largestDiscrepancies as IDataObject[])).toEqual([
			{ customerId: 'C4', sku: 'STD' },
			{ customerId: 'C1', sku: 'STD' },
			{ customerId: 'C3', sku: 'PRO' },
		]);
	});

	it('attaches every discrepancy as a CSV file in the binary field discrepancies', async () => {
		const run = await reconcile.run(byCustomerAndSku, { a: vendor, b: erp });
		expect(run.summary.binary?.discrepancies).toMatchObject({
			fileName: 'discrepancies.csv',
			mimeType: 'text/csv',
			fileExtension: 'csv',
		});
		const csv = await run.result.binary(run.summary, 'discrepancies');
		expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
		expect(parse(csv, { bom: true, columns: true })).toEqual([
			expect.objectContaining({
				status: 'Different',
				customerId: 'C1',
				sku: 'STD',
				'quantity A': '4',
				'quantity B': '5',
				'amount delta': '8.75',
			}),
			expect.objectContaining({
				status: 'Only in A',
				customerId: 'C3',
				'amount A': '12.5',
				'amount B': '',
			}),
			expect.objectContaining({
				status: 'Only in B',
				customerId: 'C4',
				'amount A': '',
				'amount B': '17.5',
			}),
		]);
	});

	it('writes a CSV of more than a megabyte whole, every row once', async () => {
		const rows = 25_000;
		const a = Array.from({ length: rows }, (_, index) => ({
			json: { customerId: `CUSTOMER-${index}`, sku: 'STD', quantity: 1, amount: 10 },
		}));
		const b = a.map(({ json }) => ({ json: { ...json, amount: 10.5 } }));
		const run = await reconcile.run(byCustomerAndSku, { a, b });
		const csv = await run.result.binary(run.summary, 'discrepancies');
		expect(csv.length).toBeGreaterThan(1024 * 1024);
		const records = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
		expect(records).toHaveLength(rows);
		expect(new Set(records.map((record) => record.customerId)).size).toBe(rows);
	});

	it('pairs every row with its source items of both inputs, and the summary with all of them', async () => {
		const run = await reconcile.run(byCustomerAndSku, { a: vendor, b: erp });
		const [matched, different, onlyInA, onlyInB, [summary]] = run.outputs;
		expect(matched[0].pairedItem).toEqual([{ item: 0 }, { item: 0, input: 1 }]);
		expect(different[0].pairedItem).toEqual([{ item: 1 }, { item: 1, input: 1 }]);
		expect(onlyInA[0].pairedItem).toEqual([{ item: 3 }]);
		expect(onlyInB[0].pairedItem).toEqual([{ item: 2, input: 1 }]);
		expect(summary.pairedItem).toEqual(
			[0, 1, 2, 3]
				.map((item) => ({ item }))
				.concat([0, 1, 2, 3].map((item) => ({ item, input: 1 }))),
		);
	});

	it('lets a following node resolve paired items back to either input', async () => {
		const result = await reconcile.pack.runWorkflow({
			workflow: {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{ name: 'Vendor', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
					{ name: 'ERP', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
					{
						name: 'Reconcile',
						type: reconcile.pack.nodeType('billingReconcile'),
						typeVersion: 1,
						parameters: byCustomerAndSku,
					},
					{
						name: 'Trace',
						type: 'n8n-nodes-base.set',
						typeVersion: 3.4,
						parameters: {
							mode: 'manual',
							assignments: {
								assignments: [
									{
										id: 'v',
										name: 'vendorAmount',
										value: "={{ $('Vendor').item.json.amount }}",
										type: 'number',
									},
									{
										id: 'e',
										name: 'erpAmount',
										value: "={{ $('ERP').item.json.amount }}",
										type: 'number',
									},
								],
							},
							options: {},
						},
					},
				],
				connections: {
					Start: {
						main: [
							[
								{ node: 'Vendor', type: 'main', index: 0 },
								{ node: 'ERP', type: 'main', index: 0 },
							],
						],
					},
					Vendor: { main: [[{ node: 'Reconcile', type: 'main', index: 0 }]] },
					ERP: { main: [[{ node: 'Reconcile', type: 'main', index: 1 }]] },
					Reconcile: { main: [[], [{ node: 'Trace', type: 'main', index: 0 }]] },
				},
				pinData: { Vendor: vendor, ERP: erp },
			},
		});
		expect(result.json('Trace')).toEqual([{ vendorAmount: 35, erpAmount: 43.75 }]);
	});

	it('never changes its input items', async () => {
		const a = [
			{ id: 'x', amount: '1,000.50', nested: { tags: ['a'] } },
			{ id: 'y', amount: 2 },
			{ id: 'y', amount: 3 },
		];
		const b = [
			{ id: 'x', amount: 1000.5 },
			{ id: 'z', amount: null },
		];
		const before = structuredClone({ a, b });
		const deepFreeze = (value: unknown) => {
			if (typeof value === 'object' && value !== null)
				Object.values(Object.freeze(value)).forEach(deepFreeze);
		};
		deepFreeze({ a, b });
		const run = await reconcile.run(
			{ ...byId(), options: { onDuplicateKeys: 'aggregate' } },
			{ a, b },
		);
		expect(run.error).toBeUndefined();
		expect({ a, b }).toEqual(before);
		expect(run.summary.json.counts).toEqual({ matched: 1, different: 0, onlyInA: 1, onlyInB: 1 });
	});
});

describe('Billing Reconcile: comparison', () => {
	it('matches within the absolute tolerance, both bounds inclusive', async () => {
		const run = await reconcile.run(byId({ absoluteTolerance: 0.01 }), {
			a: [
				{ id: 1, amount: 10 },
				{ id: 2, amount: 10 },
			],
			b: [
				{ id: 1, amount: 10.01 },
				{ id: 2, amount: 10.011 },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 1 }]);
		expect(keysOf(run.different)).toEqual([{ id: 2 }]);
	});

	it('matches within the relative tolerance, measured against |A|', async () => {
		const run = await reconcile.run(byId({ relativeTolerancePercent: 2 }), {
			a: [
				{ id: 1, amount: -50 },
				{ id: 2, amount: 50 },
			],
			b: [
				{ id: 1, amount: -51 },
				{ id: 2, amount: 51.01 },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 1 }]);
		expect(run.different[0].differences).toEqual([
			{ field: 'amount', a: 50, b: 51.01, delta: 1.01, deltaPercent: 2.02 },
		]);
	});

	it('matches a value within either tolerance', async () => {
		const run = await reconcile.run(byId({ absoluteTolerance: 1, relativeTolerancePercent: 1 }), {
			a: [
				{ id: 'small', amount: 5 },
				{ id: 'large', amount: 1000 },
				{ id: 'off', amount: 5 },
			],
			b: [
				{ id: 'small', amount: 6 },
				{ id: 'large', amount: 1010 },
				{ id: 'off', amount: 6.5 },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 'small' }, { id: 'large' }]);
		expect(keysOf(run.different)).toEqual([{ id: 'off' }]);
	});

	it('reads numbers written as text exactly: thousands separators, exponents, spaces', async () => {
		const run = await reconcile.run(byId(), {
			a: [
				{ id: 1, amount: '1,234.50' },
				{ id: 2, amount: '1e3' },
				{ id: 3, amount: ' -0.10 ' },
			],
			b: [
				{ id: 1, amount: 1234.5 },
				{ id: 2, amount: '1,000' },
				{ id: 3, amount: -0.1 },
			],
		});
		expect(run.summary.json.counts).toEqual({ matched: 3, different: 0, onlyInA: 0, onlyInB: 0 });
	});

	it('reports a value that is not a number as a difference instead of reading it as 0', async () => {
		const run = await reconcile.run(byId(), {
			a: [
				{ id: 1, amount: 0 },
				{ id: 2, amount: '' },
			],
			b: [
				{ id: 1, amount: 'N/A' },
				{ id: 2, amount: 0 },
			],
		});
		expect(run.different.map((row) => row.differences)).toEqual([
			[
				{
					field: 'amount',
					a: 0,
					b: 'N/A',
					delta: null,
					deltaPercent: null,
					error: 'B is not a number',
				},
			],
			[{ field: 'amount', a: '', b: 0, delta: null, deltaPercent: null, error: 'A has no value' }],
		]);
	});

	it('treats 0, "" and false as key values, distinct from each other', async () => {
		const run = await reconcile.run(byId(), {
			a: [
				{ id: 0, amount: 1 },
				{ id: '', amount: 2 },
				{ id: false, amount: 3 },
			],
			b: [
				{ id: false, amount: 3 },
				{ id: 0, amount: 1 },
				{ id: '', amount: 2 },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 0 }, { id: '' }, { id: false }]);
	});

	it('reads fields of nested JSON through dot paths, and B fields named differently', async () => {
		const run = await reconcile.run(
			{
				matchFields: pairs({ fieldA: 'customer.id', fieldB: 'CUSTOMER_ID' }),
				compareFields: pairs({
					fieldA: 'totals.net',
					fieldB: 'NET',
					absoluteTolerance: 0,
					relativeTolerancePercent: 0,
				}),
			},
			{
				a: [{ customer: { id: 'C1' }, totals: { net: 9.5 } }],
				b: [{ CUSTOMER_ID: 'C1', NET: '9.50' }],
			},
		);
		expect(keysOf(run.matched)).toEqual([{ 'customer.id': 'C1' }]);
	});

	it('compares keys only with no compare fields', async () => {
		const run = await reconcile.run(
			{ matchFields: pairs({ fieldA: 'id', fieldB: '' }) },
			{ a: [{ id: 1, x: 1 }], b: [{ id: 1, x: 2 }] },
		);
		expect(run.summary.json.counts).toEqual({ matched: 1, different: 0, onlyInA: 0, onlyInB: 0 });
		expect(run.summary.json.totals).toEqual({});
	});
});

describe('Billing Reconcile: options', () => {
	const keyRun = async (options: IDataObject, a: IDataObject[], b: IDataObject[]) =>
		await reconcile.run({ matchFields: pairs({ fieldA: 'id', fieldB: '' }), options }, { a, b });

	it('compares keys exactly without options: spaces, case and leading zeros count', async () => {
		const run = await keyRun(
			{},
			[{ id: ' ab' }, { id: 'AB' }, { id: '007' }],
			[{ id: 'ab' }, { id: '7' }],
		);
		expect(run.summary.json.counts).toEqual({ matched: 0, different: 0, onlyInA: 3, onlyInB: 2 });
	});

	it('trim: ignores spaces around key values', async () => {
		const run = await keyRun({ trim: true }, [{ id: ' C-1 ' }], [{ id: 'C-1' }]);
		expect(keysOf(run.matched)).toEqual([{ id: ' C-1 ' }]);
	});

	it('caseInsensitive: ignores the case of key values', async () => {
		const run = await keyRun({ caseInsensitive: true }, [{ id: 'ACME-01' }], [{ id: 'acme-01' }]);
		expect(run.matched).toHaveLength(1);
	});

	it('ignoreLeadingZeros: "00123" is the key 123, and "000" stays "0"', async () => {
		const run = await keyRun(
			{ ignoreLeadingZeros: true },
			[{ id: '00123' }, { id: '000' }],
			[{ id: 123 }, { id: '0' }],
		);
		expect(run.matched).toHaveLength(2);
	});

	it('onDuplicateKeys error (the default): stops, naming the input and the repeated keys', async () => {
		const run = await keyRun({}, [{ id: 1 }], [{ id: 'k' }, { id: 2 }, { id: 'k' }]);
		expect(run.result.status).toBe('error');
		expect(run.error).toMatchObject({
			message: 'Input B has 1 key that occur more than once: {"id":"k"} (items 0, 2)',
			description:
				"Set 'On Duplicate Keys' to Aggregate (sum the rows of each key) or Keep First, or turn on 'Sum B Rows per Key'.",
		});
	});

	it('onDuplicateKeys aggregate: rolls up the rows of a repeated key exactly', async () => {
		const run = await reconcile.run(
			{ ...byId(), options: { onDuplicateKeys: 'aggregate' } },
			{
				a: [
					{ id: 1, amount: 0.1 },
					{ id: 1, amount: 0.2 },
				],
				b: [{ id: 1, amount: 0.3 }],
			},
		);
		expect(run.matched[0].a).toEqual({ id: 1, amount: 0.3, rowCount: 2 });
	});

	it('onDuplicateKeys first: compares the first row of a key and counts the ignored ones', async () => {
		const run = await reconcile.run(
			{ ...byId(), options: { onDuplicateKeys: 'first' } },
			{
				a: [
					{ id: 1, amount: 5 },
					{ id: 1, amount: 7 },
				],
				b: [{ id: 1, amount: 5 }],
			},
		);
		expect(run.matched[0].a).toEqual({ id: 1, amount: 5 });
		expect(run.summary.json.ignoredDuplicates).toEqual({ a: 1, b: 0 });
	});

	it('aggregateA: sums A per key before comparing, e.g. usage lines against an invoice line', async () => {
		const run = await reconcile.run(
			{ ...byId(), aggregateA: true },
			{
				a: [
					{ id: 'C1', amount: '10.10' },
					{ id: 'C1', amount: '9.90' },
					{ id: 'C2', amount: 1 },
				],
				b: [
					{ id: 'C1', amount: 20 },
					{ id: 'C2', amount: 1 },
				],
			},
		);
		expect(run.matched.map((row) => row.a)).toEqual([
			{ id: 'C1', amount: 20, rowCount: 2 },
			{ id: 'C2', amount: 1, rowCount: 1 },
		]);
	});

	it('aggregateB: sums B per key before comparing', async () => {
		const run = await reconcile.run(
			{ ...byId(), aggregateB: true },
			{
				a: [{ id: 'C1', amount: 3 }],
				b: [
					{ id: 'C1', amount: 1 },
					{ id: 'C1', amount: 1 },
				],
			},
		);
		expect(run.different[0]).toMatchObject({
			b: { id: 'C1', amount: 2, rowCount: 2 },
			differences: [{ delta: -1 }],
		});
	});

	it('includeMatched off: no Matched items, but the summary counts them', async () => {
		const run = await reconcile.run(
			{ ...byCustomerAndSku, options: { includeMatched: false } },
			{ a: vendor, b: erp },
		);
		expect(run.matched).toEqual([]);
		expect(run.summary.json.counts).toMatchObject({ matched: 2 });
	});

	describe('a hint on many matched rows', () => {
		const sameRows = Array.from({ length: 100_000 }, (_, index) => ({
			id: `K${index}`,
			amount: 1,
		}));
		const hintsOf = (run: ReconcileRun) =>
			(run.result.run.data.resultData.runData[run.nodeName].at(-1)?.hints ?? []).map(
				(hint) => hint.message,
			);

		it('says how to save memory when 100,000 matched rows are output', async () => {
			const run = await reconcile.run(byId(), { a: sameRows, b: sameRows });
			expect(run.matched).toHaveLength(100_000);
			expect(hintsOf(run)).toEqual([
				expect.stringMatching(
					/^100,000 matched rows are output.*turn off Include Matched Rows \(in Options\)/,
				),
			]);
		});

		it('is not given with Include Matched Rows off', async () => {
			const run = await reconcile.run(
				{ ...byId(), options: { includeMatched: false } },
				{ a: sameRows, b: sameRows },
			);
			expect(run.summary.json.counts).toMatchObject({ matched: 100_000 });
			expect(hintsOf(run)).toEqual([]);
		});
	});

	it('reportTitle: heads the summary and its HTML', async () => {
		const run = await reconcile.run(
			{ ...byCustomerAndSku, options: { reportTitle: 'Webex October' } },
			{ a: vendor, b: erp },
		);
		expect(run.summary.json.title).toBe('Webex October');
		expect(run.summary.json.html).toContain('>Webex October</h2>');
	});

	it('summaryMaxRows: caps the listed discrepancies and says how many more the CSV has', async () => {
		const run = await reconcile.run(
			{ ...byCustomerAndSku, options: { summaryMaxRows: 1 } },
			{ a: vendor, b: erp },
		);
		expect(run.summary.json.largestDiscrepancies).toHaveLength(1);
		expect(run.summary.json.html).toContain(
			'… and 2 more discrepancies: every one is in the attached CSV.',
		);
	});
});

describe('Billing Reconcile: compare as', () => {
	const field = (fieldA: string, compare: INodeParameters = {}): INodeParameters => ({
		fieldA,
		fieldB: '',
		absoluteTolerance: 0,
		relativeTolerancePercent: 0,
		...compare,
	});
	const byIdComparing = (...fields: INodeParameters[]) => ({
		matchFields: pairs({ fieldA: 'id', fieldB: '' }),
		compareFields: pairs(...fields),
	});

	it('auto (the default, what saved workflows without Compare As get): texts compare as text, so "USD" matches "USD" and false matches false', async () => {
		const run = await reconcile.run(
			byIdComparing(field('currency'), field('active'), field('amount')),
			{
				a: [
					{ id: 1, currency: 'USD', active: false, amount: '1,000.00' },
					{ id: 2, currency: 'USD', active: true, amount: 5 },
				],
				b: [
					{ id: 1, currency: 'USD', active: false, amount: 1000 },
					{ id: 2, currency: 'EUR', active: true, amount: 5 },
				],
			},
		);
		expect(keysOf(run.matched)).toEqual([{ id: 1 }]);
		expect(run.different[0].differences).toEqual([
			{ field: 'currency', a: 'USD', b: 'EUR', delta: null, deltaPercent: null },
		]);
	});

	it('auto: numbers keep the tolerances, and text against a number is a difference that says so', async () => {
		const run = await reconcile.run(byIdComparing(field('amount', { absoluteTolerance: 0.01 })), {
			a: [
				{ id: 1, amount: 10 },
				{ id: 2, amount: 10 },
			],
			b: [
				{ id: 1, amount: '10.01' },
				{ id: 2, amount: 'N/A' },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 1 }]);
		expect(run.different[0].differences).toEqual([
			{
				field: 'amount',
				a: 10,
				b: 'N/A',
				delta: null,
				deltaPercent: null,
				error: 'B is not a number',
			},
		]);
	});

	it('number: a value that is not a number is a difference, even against the same text', async () => {
		const run = await reconcile.run(byIdComparing(field('currency', { compareAs: 'number' })), {
			a: [{ id: 1, currency: 'USD' }],
			b: [{ id: 1, currency: 'USD' }],
		});
		expect(run.different[0].differences).toEqual([
			{
				field: 'currency',
				a: 'USD',
				b: 'USD',
				delta: null,
				deltaPercent: null,
				error: 'A is not a number; B is not a number',
			},
		]);
	});

	it('text: compares exactly, numbers included, or after Trim Keys and Case-Insensitive Keys', async () => {
		const inputs = {
			a: [
				{ id: 1, plan: 'Azure Plan' },
				{ id: 2, plan: '007' },
			],
			b: [
				{ id: 1, plan: ' azure plan' },
				{ id: 2, plan: 7 },
			],
		};
		const exact = await reconcile.run(byIdComparing(field('plan', { compareAs: 'text' })), inputs);
		expect(keysOf(exact.different)).toEqual([{ id: 1 }, { id: 2 }]);
		const relaxed = await reconcile.run(
			{
				...byIdComparing(field('plan', { compareAs: 'text' })),
				options: { trim: true, caseInsensitive: true },
			},
			inputs,
		);
		expect(keysOf(relaxed.matched)).toEqual([{ id: 1 }]);
		expect(relaxed.different[0].differences).toEqual([
			{ field: 'plan', a: '007', b: 7, delta: null, deltaPercent: null },
		]);
	});

	it('date: the same calendar day matches whatever the spelling; a value that is not a date is a difference that says so', async () => {
		const run = await reconcile.run(byIdComparing(field('start', { compareAs: 'date' })), {
			a: [
				{ id: 1, start: '2026-11-01' },
				{ id: 2, start: '2026-11-01' },
				{ id: 3, start: '2026-11-01' },
			],
			b: [
				{ id: 1, start: '2026-11-01T00:00:00Z' },
				{ id: 2, start: '2026-11-02' },
				{ id: 3, start: '11/01/2026' },
			],
		});
		expect(keysOf(run.matched)).toEqual([{ id: 1 }]);
		expect(run.different.map((row) => row.differences)).toEqual([
			[{ field: 'start', a: '2026-11-01', b: '2026-11-02', delta: null, deltaPercent: null }],
			[
				{
					field: 'start',
					a: '2026-11-01',
					b: '11/01/2026',
					delta: null,
					deltaPercent: null,
					error: 'B is not a date',
				},
			],
		]);
	});

	it('roll-ups sum numbers, keep the text all rows of a key agree on, and report a key whose rows disagree', async () => {
		const run = await reconcile.run(
			{ ...byIdComparing(field('amount'), field('currency')), aggregateA: true },
			{
				a: [
					{ id: 'C1', amount: 1.5, currency: 'USD' },
					{ id: 'C1', amount: 2, currency: 'USD' },
					{ id: 'C2', amount: 1, currency: 'USD' },
					{ id: 'C2', amount: 1, currency: 'EUR' },
				],
				b: [
					{ id: 'C1', amount: 3.5, currency: 'USD' },
					{ id: 'C2', amount: 2, currency: 'USD' },
				],
			},
		);
		expect(run.matched.map((row) => row.a)).toEqual([
			{ id: 'C1', amount: 3.5, currency: 'USD', rowCount: 2 },
		]);
		expect(run.different[0].differences).toEqual([
			{
				field: 'currency',
				a: null,
				b: 'USD',
				delta: null,
				deltaPercent: null,
				error: 'A has 2 different values in 2 rows',
			},
		]);
	});

	it('totals only the fields compared as numbers or auto', async () => {
		const run = await reconcile.run(
			byIdComparing(
				field('amount'),
				field('plan', { compareAs: 'text' }),
				field('start', { compareAs: 'date' }),
			),
			{
				a: [{ id: 1, amount: 2, plan: 'x', start: '2026-11-01' }],
				b: [{ id: 1, amount: 2, plan: 'x', start: '2026-11-01' }],
			},
		);
		expect(Object.keys(run.summary.json.totals as IDataObject)).toEqual(['amount']);
	});

	it('refuses a Compare As it does not know, naming the entry', async () => {
		const run = await reconcile.run(
			byIdComparing(field('amount'), field('plan', { compareAs: 'fuzzy' })),
			{ a: [{ id: 1 }], b: [] },
		);
		expect(run.error?.message).toBe(
			"'Compare As' of 'Compare Fields' entry 2 must be Auto, Number, Text or Date",
		);
	});
});

describe('Billing Reconcile: the report for people', () => {
	const sides = { nameA: 'Webex', nameB: 'our billing' };

	it('nameA / nameB: name the sides in the HTML and in the CSV headers and status words; row items keep their status values', async () => {
		const run = await reconcile.run({ ...byCustomerAndSku, options: sides }, { a: vendor, b: erp });
		const text = htmlText(run.summary.json.html as string);
		expect(text).toContain('Webex: 4 rows · our billing: 4 rows');
		expect(text).toContain('Matched | Different | Only in Webex | Only in our billing |');
		expect(text).toContain('Only in Webex | C3 | PRO |');
		expect(text).toContain('Only in our billing | C4 | STD |');
		expect(text).not.toMatch(/\bOnly in [AB]\b/);
		const [header, ...records] = parse(await run.result.binary(run.summary, 'discrepancies'), {
			bom: true,
		}) as string[][];
		expect(header).toEqual([
			'status',
			'customerId',
			'sku',
			'quantity Webex',
			'quantity our billing',
			'quantity delta',
			'quantity delta %',
			'amount Webex',
			'amount our billing',
			'amount delta',
			'amount delta %',
			'note',
		]);
		expect(records.map((record) => record[0])).toEqual([
			'Different',
			'Only in Webex',
			'Only in our billing',
		]);
		expect([run.onlyInA[0].status, run.onlyInB[0].status]).toEqual(['onlyInA', 'onlyInB']);
	});

	it('displayFields: a column beside the key in the HTML and the CSV, with A’s value or B’s, through a roll-up', async () => {
		const run = await reconcile.run(
			{
				...byId(),
				aggregateA: true,
				options: { displayFields: pairs({ fieldA: 'CustomerName', fieldB: 'Customer Name' }) },
			},
			{
				a: [
					{ id: 'C1', CustomerName: 'Acme', amount: 1 },
					{ id: 'C1', CustomerName: 'Acme', amount: 2 },
				],
				b: [
					{ id: 'C1', 'Customer Name': 'ACME Corp', amount: 4 },
					{ id: 'C2', 'Customer Name': 'Beta GmbH', amount: 5 },
				],
			},
		);
		expect(run.different[0].a).toEqual({ id: 'C1', CustomerName: 'Acme', amount: 3, rowCount: 2 });
		const [head, , ...rows] = htmlTables(run.summary.json.html as string).at(-1)!;
		expect(head.slice(0, 3)).toEqual(['Status', 'id', 'CustomerName']);
		expect(rows.map((row) => row.slice(0, 3))).toEqual([
			['Only in B', 'C2', 'Beta GmbH'],
			['Different', 'C1', 'Acme'],
		]);
		const records = parse(await run.result.binary(run.summary, 'discrepancies'), {
			bom: true,
			columns: true,
		}) as Array<Record<string, string>>;
		expect(records.map((record) => [record.id, record.CustomerName])).toEqual([
			['C1', 'Acme'],
			['C2', 'Beta GmbH'],
		]);
	});

	it('formats money in its currency in the HTML, while the CSV and the JSON keep the exact values', async () => {
		const run = await reconcile.run(
			{ ...byId({ currencyCode: 'usd' }), options: sides },
			{
				a: [
					{ id: 'S1', amount: 6052.037938 },
					{ id: 'S2', amount: 12 },
				],
				b: [
					{ id: 'S1', amount: '5577.179114' },
					{ id: 'S2', amount: 12 },
				],
			},
		);
		const [, subHead, row] = htmlTables(run.summary.json.html as string).at(-1)!;
		expect(subHead).toEqual(['Webex', 'our billing', 'Δ', 'Δ %', 'Share of largest']);
		expect(row).toEqual([
			'Different',
			'S1',
			'$6,052.04',
			'$5,577.18',
			'-$474.86',
			'-7.8%',
			'bar:100/100',
			'',
		]);
		expect(run.different[0].differences).toEqual([
			{
				field: 'amount',
				a: 6052.037938,
				b: 5577.179114,
				delta: -474.858824,
				deltaPercent: -7.846263,
			},
		]);
		expect(run.summary.json.totals).toMatchObject({
			amount: { a: 6064.037938, b: 5589.179114, delta: -474.858824 },
		});
		const [record] = parse(await run.result.binary(run.summary, 'discrepancies'), {
			bom: true,
			columns: true,
		}) as Array<Record<string, string>>;
		expect(record).toMatchObject({
			'amount Webex': '6052.037938',
			'amount our billing': '5577.179114',
			'amount delta': '-474.858824',
			'amount delta %': '-7.846263',
		});
	});

	it('currencyField: each row in its own currency; decimals: as set for the field', async () => {
		const run = await reconcile.run(
			{
				matchFields: pairs({ fieldA: 'id', fieldB: '' }),
				compareFields: pairs(
					{ fieldA: 'total', fieldB: '', currencyField: 'currencyCode' },
					{ fieldA: 'quantity', fieldB: '', decimals: '2' },
				),
			},
			{
				a: [
					{ id: 1, total: 1500, quantity: 3, currencyCode: 'EUR' },
					{ id: 2, total: 200000, quantity: 1, currencyCode: 'JPY' },
				],
				b: [
					{ id: 1, total: 1499.5, quantity: 3 },
					{ id: 2, total: 210000, quantity: 2 },
				],
			},
		);
		const rows = htmlTables(run.summary.json.html as string)
			.at(-1)!
			.slice(2);
		expect(rows.map((row) => row.slice(1, 5).concat(row.slice(7, 9)))).toEqual([
			['2', '¥200,000', '¥210,000', '+¥10,000', '1.00', '2.00'],
			['1', '€1,500.00', '€1,499.50', '-€0.50', '3.00', '3.00'],
		]);
	});

	it('reportLocale: writes numbers as the locale does', async () => {
		const run = await reconcile.run(
			{ ...byId({ currencyCode: 'EUR' }), options: { reportLocale: 'de-DE' } },
			{ a: [{ id: 1, amount: 1234.5 }], b: [{ id: 1, amount: 1000 }] },
		);
		expect(
			htmlTables(run.summary.json.html as string)
				.at(-1)![2]
				.slice(2, 6),
		).toEqual(
			['1.234,50 €', '1.000,00 €', '-234,50 €', '-19,0 %'].map((cell) =>
				cell.replace(/ /g, '\u00a0'),
			),
		);
	});

	it('refuses a currency code that is not three letters, decimals outside 0–6 and a locale Intl does not know', async () => {
		const currency = await reconcile.run(byId({ currencyCode: 'dollars' }), {
			a: [{ id: 1 }],
			b: [],
		});
		expect(currency.error?.message).toBe(
			"'Currency Code' of 'Compare Fields' entry 1 must be a three-letter currency code such as USD or EUR",
		);
		const decimals = await reconcile.run(byId({ decimals: 7 }), { a: [{ id: 1 }], b: [] });
		expect(decimals.error?.message).toBe(
			"'Decimals in Report' of 'Compare Fields' entry 1 must be From the Data or a whole number from 0 to 6",
		);
		const locale = await reconcile.run(
			{ ...byId(), options: { reportLocale: 'Klingon' } },
			{ a: [{ id: 1 }], b: [] },
		);
		expect(locale.error?.message).toBe(
			"'Number Locale' must be a locale such as en-US, en-GB, de-DE or fr-FR",
		);
	});
});

describe('Billing Reconcile: summary safety', () => {
	const hostile = `<script>alert('pwned')</script> & "Co"`;

	it('escapes every value in the HTML', async () => {
		const run = await reconcile.run(
			{ ...byId(), options: { reportTitle: `<b>${hostile}</b>` } },
			{
				a: [{ id: hostile, amount: 1 }],
				b: [{ id: hostile, amount: `<img src=x onerror=alert(1)>` }],
			},
		);
		const html = run.summary.json.html as string;
		expect(html).not.toMatch(/<script|<img|<b>/);
		expect(html).toContain(
			'&lt;b&gt;&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; &quot;Co&quot;&lt;/b&gt;',
		);
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
	});

	it('writes a CSV whose cells cannot run as spreadsheet formulas, negative numbers kept', async () => {
		const run = await reconcile.run(byId(), {
			a: [
				{ id: '=HYPERLINK("http://evil.example","x")', amount: -12.5 },
				{ id: '+1+2', amount: 1 },
			],
			b: [
				{ id: '=HYPERLINK("http://evil.example","x")', amount: '@SUM(A1)' },
				{ id: '-3', amount: '-7' },
			],
		});
		const rows = parse(await run.result.binary(run.summary, 'discrepancies'), {
			bom: true,
		}) as string[][];
		expect(rows).toEqual([
			['status', 'id', 'amount A', 'amount B', 'amount delta', 'amount delta %', 'note'],
			[
				'Different',
				`'=HYPERLINK("http://evil.example","x")`,
				'-12.5',
				"'@SUM(A1)",
				'',
				'',
				'amount: B is not a number',
			],
			['Only in A', "'+1+2", '1', '', '', '', ''],
			['Only in B', '-3', '', '-7', '', '', ''],
		]);
	});
});

describe('Billing Reconcile: empty inputs', () => {
	it('gives every B row as only in B, and a summary, when A is empty', async () => {
		const run = await reconcile.run(byId(), { a: [], b: [{ id: 1, amount: 5 }] });
		expect(run.onlyInB).toHaveLength(1);
		expect(run.summary.json).toMatchObject({
			counts: { matched: 0, different: 0, onlyInA: 0, onlyInB: 1 },
			totals: { amount: { a: 0, b: 5, delta: 5 } },
		});
	});

	it('gives a summary of nothing when both sources output no items and Always Output Data is on', async () => {
		const source = (name: string) => ({
			name,
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			parameters: {},
			alwaysOutputData: true,
		});
		const result = await reconcile.pack.runWorkflow({
			workflow: {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					source('Vendor'),
					source('ERP'),
					{
						name: 'Reconcile',
						type: reconcile.pack.nodeType('billingReconcile'),
						typeVersion: 1,
						parameters: byId(),
					},
				],
				connections: {
					Start: {
						main: [
							[
								{ node: 'Vendor', type: 'main', index: 0 },
								{ node: 'ERP', type: 'main', index: 0 },
							],
						],
					},
					Vendor: { main: [[{ node: 'Reconcile', type: 'main', index: 0 }]] },
					ERP: { main: [[{ node: 'Reconcile', type: 'main', index: 1 }]] },
				},
				pinData: { Vendor: [], ERP: [] },
			},
		});
		const [summary] = result.outputs('Reconcile', 4);
		expect(summary.json).toMatchObject({
			counts: { matched: 0, different: 0, onlyInA: 0, onlyInB: 0 },
			rowsA: 0,
			rowsB: 0,
		});
		expect(summary.json.html).toContain('No discrepancies.');
	});
});

describe('Billing Reconcile: errors', () => {
	it('needs at least one match field', async () => {
		const run = await reconcile.run({ matchFields: { values: [] } }, { a: [{ id: 1 }], b: [] });
		expect(run.error?.message).toBe("'Match Fields' needs at least one pair of fields");
	});

	it('needs an A field in every match pair', async () => {
		const run = await reconcile.run(
			{ matchFields: pairs({ fieldA: ' ', fieldB: 'id' }) },
			{ a: [{ id: 1 }], b: [] },
		);
		expect(run.error?.message).toBe("'Match Fields' entry 1 has no A Field");
	});

	it('refuses a compare field listed twice', async () => {
		const run = await reconcile.run(
			{
				matchFields: pairs({ fieldA: 'id' }),
				compareFields: pairs({ fieldA: 'amount', fieldB: 'x' }, { fieldA: 'amount', fieldB: 'y' }),
			},
			{ a: [{ id: 1 }], b: [] },
		);
		expect(run.error?.message).toBe("'Compare Fields' lists the A field 'amount' twice");
	});

	it('refuses a negative tolerance', async () => {
		const run = await reconcile.run(byId({ absoluteTolerance: -1 }), { a: [{ id: 1 }], b: [] });
		expect(run.error?.message).toBe(
			"'Absolute Tolerance' of 'Compare Fields' entry 1 must be a number of 0 or more",
		);
	});

	it('names the input, item and field of a row without a key, and the fields it has', async () => {
		const run = await reconcile.run(byId(), {
			a: [
				{ id: 1, amount: 1 },
				{ ID: 2, amount: 2 },
			],
			b: [],
		});
		expect(run.error).toMatchObject({
			message: "Item 1 of input A has no field 'id'",
			description:
				"Its fields are: ID, amount. Check the A Field names in 'Match Fields', or filter out items without a key before this node.",
		});
	});

	it('refuses an object as a key value', async () => {
		const run = await reconcile.run(byId(), { a: [], b: [{ id: { nested: 1 } }] });
		expect(run.error?.message).toBe(
			"Item 0 of input B holds an object or list in 'id', which cannot be a key",
		);
	});

	it('with Continue (using error output): one error item on the error output, paired with the items it is about', async () => {
		const run = await reconcile.run(
			byId(),
			{ a: [{ id: 'k' }, { id: 'k' }], b: [] },
			{ onError: 'continueErrorOutput' },
		);
		expect(run.result.status).toBe('success');
		expect(run.outputs.slice(0, 5)).toEqual([[], [], [], [], []]);
		expect(run.outputs[5]).toEqual([
			{
				json: {
					id: 'k',
					error: 'Input A has 1 key that occur more than once: {"id":"k"} (items 0, 1)',
					message:
						"Set 'On Duplicate Keys' to Aggregate (sum the rows of each key) or Keep First, or turn on 'Sum A Rows per Key'.",
				},
				pairedItem: [{ item: 0 }, { item: 1 }],
			},
		]);
	});

	it('with Continue (regular output): the error item on the first output, nothing else', async () => {
		const run = await reconcile.run(
			{ matchFields: { values: [] } },
			{ a: [{ id: 1 }], b: [{ id: 1 }] },
			{ onError: 'continueRegularOutput' },
		);
		expect(run.outputs).toEqual([
			[
				{
					json: {
						error: "'Match Fields' needs at least one pair of fields",
						message: expect.any(String),
					},
					pairedItem: expect.anything(),
				},
			],
			[],
			[],
			[],
			[],
		]);
	});

	it('with Continue: an error about no item in particular is paired with every item of both inputs', async () => {
		const run = await reconcile.run(
			{ matchFields: { values: [] } },
			{ a: [{ id: 1 }, { id: 2 }], b: [{ id: 1 }] },
			{ onError: 'continueErrorOutput' },
		);
		expect(run.outputs[5]).toHaveLength(1);
		expect(run.outputs[5][0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 0, input: 1 }]);
	});
});
