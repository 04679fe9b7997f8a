import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import { augmentObject } from 'n8n-workflow/dist/cjs/augment-object';

import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import {
	compareValues,
	isWithinTolerance,
	sideValue as readSide,
	type CompareField,
} from '../../nodes/BillingReconcile/compare';
import {
	DuplicateKeysError,
	RecordKeyError,
	reconcile,
	type ReconcileRow,
	type ReconcileSpec,
} from '../../nodes/BillingReconcile/join';
import type { CompareKind, TextRule } from '../../nodes/BillingReconcile/values';
import { compared, items, pair, reconcileSpec } from './fixtures';

/** A compared field as most join specs here want it: numbers, exact unless tolerances are given. */
const numeric = (
	fieldA: string,
	fieldB = fieldA,
	absolute = '0',
	relative = '0',
	compareAs: CompareKind = 'number',
): CompareField => compared(fieldA, compareAs, { fieldB, absolute, relative });
const spec = (overrides: Partial<ReconcileSpec> = {}): ReconcileSpec =>
	reconcileSpec({ compareFields: [numeric('amount')], ...overrides });

const jsonOf = (output: INodeExecutionData[]) => output.map((item) => item.json);

describe('tolerance', () => {
	const a = (text: string) => parseDecimal(text)!;

	it('matches at exactly the absolute tolerance, where binary floats would not (1.1 − 1 > 0.1 in floats)', () => {
		expect(isWithinTolerance(numeric('x', 'x', '0.1'), a('1'), a('0.1'))).toBe(true);
		expect(isWithinTolerance(numeric('x', 'x', '0.1'), a('1'), a('0.1000001'))).toBe(false);
	});

	it('matches at exactly the relative tolerance, where binary floats would not (0.1 → 0.4 is 300.00000000000006 % in floats)', () => {
		expect(isWithinTolerance(numeric('x', 'x', '0', '300'), a('0.1'), a('0.3'))).toBe(true);
		expect(isWithinTolerance(numeric('x', 'x', '0', '300'), a('0.1'), a('0.30001'))).toBe(false);
	});

	it('measures the relative tolerance against |A|, so a negative A works like a positive one', () => {
		expect(isWithinTolerance(numeric('x', 'x', '0', '10'), a('-50'), a('-5'))).toBe(true);
		expect(isWithinTolerance(numeric('x', 'x', '0', '10'), a('-50'), a('5.5'))).toBe(false);
	});

	it('matches within either tolerance', () => {
		const field = numeric('x', 'x', '1', '10');
		expect(isWithinTolerance(field, a('5'), a('1'))).toBe(true);
		expect(isWithinTolerance(field, a('100'), a('9'))).toBe(true);
		expect(isWithinTolerance(field, a('5'), a('1.5'))).toBe(false);
	});

	it('never applies the relative tolerance when A is 0', () => {
		expect(isWithinTolerance(numeric('x', 'x', '0', '1000000'), a('0'), a('0.01'))).toBe(false);
	});
});

const EXACT: TextRule = { trim: false, caseInsensitive: false };

describe('compareValues: number', () => {
	const field = numeric('amount');
	const sideValue = (raw: unknown, side: 'A' | 'B') => readSide(raw, side, 'number', EXACT);

	it('reports B − A and its percentage of |A|', () => {
		expect(compareValues(field, sideValue(200, 'A'), sideValue('150.5', 'B'))).toEqual({
			field: 'amount',
			a: 200,
			b: 150.5,
			delta: -49.5,
			deltaPercent: -24.75,
		});
	});

	it('gives no percentage when A is 0', () => {
		expect(compareValues(field, sideValue(0, 'A'), sideValue(3, 'B'))).toMatchObject({
			delta: 3,
			deltaPercent: null,
		});
	});

	it('reads numeric text exactly: "1,234.50" equals 1234.5', () => {
		expect(compareValues(field, sideValue('1,234.50', 'A'), sideValue(1234.5, 'B'))).toBeNull();
	});

	it('reports text that is not a number instead of reading it as 0', () => {
		expect(compareValues(field, sideValue(0, 'A'), sideValue('N/A', 'B'))).toEqual({
			field: 'amount',
			a: 0,
			b: 'N/A',
			delta: null,
			deltaPercent: null,
			error: 'B is not a number',
		});
	});

	it('reports a blank against a number: 0 is a value', () => {
		expect(compareValues(field, sideValue('', 'A'), sideValue(0, 'B'))).toMatchObject({
			a: '',
			b: 0,
			error: 'A has no value',
		});
		expect(compareValues(field, sideValue(undefined, 'A'), sideValue(0, 'B'))).toMatchObject({
			a: null,
			error: 'A has no value',
		});
	});

	it('reports both sides when neither is a number, unless both are blank', () => {
		expect(compareValues(field, sideValue(false, 'A'), sideValue(null, 'B'))).toMatchObject({
			error: 'A is not a number; B has no value',
		});
		expect(compareValues(field, sideValue('N/A', 'A'), sideValue('N/A', 'B'))).toMatchObject({
			error: 'A is not a number; B is not a number',
		});
		expect(compareValues(field, sideValue(null, 'A'), sideValue(' ', 'B'))).toBeNull();
	});
});

/** Compares a pair of raw values as a field of the given kind would; null when they match. */
function comparedAs(
	kind: CompareKind,
	a: unknown,
	b: unknown,
	rule: TextRule = EXACT,
	absolute = '0',
) {
	return compareValues(
		numeric('field', 'field', absolute, '0', kind),
		readSide(a, 'A', kind, rule),
		readSide(b, 'B', kind, rule),
	);
}

describe('compareValues: auto', () => {
	it('compares two values that read as numbers as numbers, with the tolerances', () => {
		expect(comparedAs('auto', '1,234.50', 1234.5)).toBeNull();
		expect(comparedAs('auto', 10, '10.004', EXACT, '0.005')).toBeNull();
		expect(comparedAs('auto', 200, '150.5')).toEqual({
			field: 'field',
			a: 200,
			b: 150.5,
			delta: -49.5,
			deltaPercent: -24.75,
		});
	});

	it('compares as text when either value is not a number: "USD" matches "USD", false matches false', () => {
		expect(comparedAs('auto', 'USD', 'USD')).toBeNull();
		expect(comparedAs('auto', false, false)).toBeNull();
		expect(comparedAs('auto', true, 'true')).toBeNull();
	});

	it('reports two different texts as a difference with the values and no error', () => {
		expect(comparedAs('auto', 'USD', 'EUR')).toEqual({
			field: 'field',
			a: 'USD',
			b: 'EUR',
			delta: null,
			deltaPercent: null,
		});
		expect(comparedAs('auto', false, true)).toEqual({
			field: 'field',
			a: false,
			b: true,
			delta: null,
			deltaPercent: null,
		});
	});

	it('says which side is not a number when the other one is', () => {
		expect(comparedAs('auto', 12.5, 'N/A')).toEqual({
			field: 'field',
			a: 12.5,
			b: 'N/A',
			delta: null,
			deltaPercent: null,
			error: 'B is not a number',
		});
	});

	it('counts missing, null and blank text as no value, as before compareAs: two of them match', () => {
		expect(comparedAs('auto', '', null)).toBeNull();
		expect(comparedAs('auto', undefined, '  ')).toBeNull();
		expect(comparedAs('auto', '', 'USD')).toMatchObject({
			a: '',
			b: 'USD',
			error: 'A has no value',
		});
		expect(comparedAs('auto', 0, null)).toMatchObject({ a: 0, b: null, error: 'B has no value' });
	});

	it('compares text after Trim and Case-Insensitive when they are on', () => {
		expect(comparedAs('auto', ' usd ', 'USD')).not.toBeNull();
		expect(comparedAs('auto', ' usd ', 'USD', { trim: true, caseInsensitive: true })).toBeNull();
	});
});

describe('compareValues: text', () => {
	it('compares exactly: case and spaces count', () => {
		expect(comparedAs('text', 'Azure Plan', 'Azure Plan')).toBeNull();
		expect(comparedAs('text', 'Azure Plan', 'azure plan')).toEqual({
			field: 'field',
			a: 'Azure Plan',
			b: 'azure plan',
			delta: null,
			deltaPercent: null,
		});
		expect(comparedAs('text', 'USD ', 'USD')).not.toBeNull();
	});

	it('ignores surrounding spaces with Trim and case with Case-Insensitive', () => {
		expect(comparedAs('text', 'USD ', 'USD', { trim: true, caseInsensitive: false })).toBeNull();
		expect(
			comparedAs('text', 'Azure Plan', 'azure plan', { trim: false, caseInsensitive: true }),
		).toBeNull();
	});

	it('writes numbers and booleans as text: 12.5 is "12.5" and true is "true", but "12.50" is not 12.5', () => {
		expect(comparedAs('text', 12.5, '12.5')).toBeNull();
		expect(comparedAs('text', true, 'true')).toBeNull();
		expect(comparedAs('text', '12.50', 12.5)).toMatchObject({ a: '12.50', b: 12.5 });
	});

	it('treats "" as a value: it matches "" and differs from a missing value', () => {
		expect(comparedAs('text', '', '')).toBeNull();
		expect(comparedAs('text', null, undefined)).toBeNull();
		expect(comparedAs('text', '', undefined)).toEqual({
			field: 'field',
			a: '',
			b: null,
			delta: null,
			deltaPercent: null,
			error: 'B has no value',
		});
	});
});

describe('compareValues: date', () => {
	it('matches the same calendar day whatever the spelling', () => {
		for (const spelling of [
			'2026-11-01T00:00:00Z',
			'2026-11-01 08:30',
			'2026-11-01T23:59:59.999+05:30',
			' 2026-11-01 ',
			new Date('2026-11-01T12:00:00Z'),
		]) {
			expect(comparedAs('date', '2026-11-01', spelling)).toBeNull();
		}
	});

	it('takes the day as written: an offset does not move it to another UTC day', () => {
		expect(comparedAs('date', '2026-11-01T23:30:00-05:00', '2026-11-01')).toBeNull();
		expect(comparedAs('date', '2026-11-01T23:30:00-05:00', '2026-11-02')).not.toBeNull();
	});

	it('reports another day as a difference with both values as written', () => {
		expect(comparedAs('date', '2026-11-01', '2026-11-02T00:00:00Z')).toEqual({
			field: 'field',
			a: '2026-11-01',
			b: '2026-11-02T00:00:00Z',
			delta: null,
			deltaPercent: null,
		});
	});

	it('reports a value that is not a date, saying which side', () => {
		for (const value of ['11/01/2026', '2026-02-30', '2026-11-01T25:00', 'soon', 46327, true]) {
			expect(comparedAs('date', '2026-11-01', value)).toMatchObject({
				b: value,
				error: 'B is not a date',
			});
		}
	});

	it('matches two blanks and reports a blank against a date', () => {
		expect(comparedAs('date', '', null)).toBeNull();
		expect(comparedAs('date', undefined, '2026-11-01')).toMatchObject({ error: 'A has no value' });
	});
});

describe('reconcile', () => {
	it('sorts keys into matched, different, only in A and only in B', () => {
		const result = reconcile(
			items({ id: 1, amount: 10 }, { id: 2, amount: 20 }, { id: 3, amount: 30 }),
			items({ id: 4, amount: 40 }, { id: 2, amount: 21 }, { id: 1, amount: '10.00' }),
			spec(),
		);
		expect(jsonOf(result.matched)).toEqual([
			{
				key: { id: 1 },
				status: 'matched',
				differences: [],
				a: { id: 1, amount: 10 },
				b: { id: 1, amount: '10.00' },
			},
		]);
		expect(jsonOf(result.different)).toEqual([
			{
				key: { id: 2 },
				status: 'different',
				differences: [{ field: 'amount', a: 20, b: 21, delta: 1, deltaPercent: 5 }],
				a: { id: 2, amount: 20 },
				b: { id: 2, amount: 21 },
			},
		]);
		expect(jsonOf(result.onlyInA)).toEqual([
			{ key: { id: 3 }, status: 'onlyInA', differences: [], a: { id: 3, amount: 30 }, b: null },
		]);
		expect(jsonOf(result.onlyInB)).toEqual([
			{ key: { id: 4 }, status: 'onlyInB', differences: [], a: null, b: { id: 4, amount: 40 } },
		]);
		expect(result.counts).toEqual({ matched: 1, different: 1, onlyInA: 1, onlyInB: 1 });
	});

	it('gives a matched row a differences list that a script node downstream can add to', () => {
		// n8n's Code node, run in n8n's own process (1.x), sees items through this copy-on-write
		// view; a frozen list, shared to save memory, would make the push throw there.
		const result = reconcile(items({ id: 1, amount: 10 }), items({ id: 1, amount: 10 }), spec());
		const seenByScript = augmentObject(result.matched[0].json as ReconcileRow);
		seenByScript.differences.push({
			field: 'note',
			a: 'checked',
			b: 'checked',
			delta: null,
			deltaPercent: null,
		});
		expect(seenByScript.differences).toEqual([
			{ field: 'note', a: 'checked', b: 'checked', delta: null, deltaPercent: null },
		]);
	});

	it('gives every row a differences list of its own', () => {
		const result = reconcile(
			items({ id: 1 }, { id: 2 }, { id: 3 }),
			items({ id: 1 }, { id: 2 }, { id: 4 }),
			spec({ compareFields: [] }),
		);
		const lists = [...result.matched, ...result.onlyInA, ...result.onlyInB].map(
			(item) => item.json.differences,
		);
		expect(new Set(lists).size).toBe(4);
	});

	it('keeps a match field named __proto__ in the key', () => {
		const record = () => JSON.parse('{"__proto__": "C1", "amount": 1}') as IDataObject;
		const result = reconcile(
			items(record()),
			items(record()),
			spec({ matchFields: [pair('__proto__')] }),
		);
		expect(Object.entries((result.matched[0].json as ReconcileRow).key)).toEqual([
			['__proto__', 'C1'],
		]);
	});

	it('names key fields as A does, with B’s values for rows only in B', () => {
		const result = reconcile(
			items(),
			items({ CUSTOMER: 'C9', SKU: 'S1', TOTAL: 5 }),
			spec({
				matchFields: [pair('customerId', 'CUSTOMER'), pair('sku', 'SKU')],
				compareFields: [numeric('amount', 'TOTAL')],
			}),
		);
		expect(result.onlyInB[0].json.key).toEqual({ customerId: 'C9', sku: 'S1' });
	});

	it('lists only the fields outside tolerance among the differences', () => {
		const result = reconcile(
			items({ id: 1, quantity: 3, amount: 10 }),
			items({ id: 1, quantity: 4, amount: 10.004 }),
			spec({ compareFields: [numeric('quantity'), numeric('amount', 'amount', '0.005')] }),
		);
		expect(result.different[0].json.differences).toEqual([
			{ field: 'quantity', a: 3, b: 4, delta: 1, deltaPercent: 33.333333 },
		]);
	});

	it('keeps A’s order for A’s keys, then B’s order for keys only B has', () => {
		const result = reconcile(
			items({ id: 'z' }, { id: 'a' }),
			items({ id: 'q' }, { id: 'a' }, { id: 'b' }, { id: 'z' }),
			spec({ compareFields: [] }),
		);
		expect(result.matched.map((item) => item.json.key)).toEqual([{ id: 'z' }, { id: 'a' }]);
		expect(result.onlyInB.map((item) => item.json.key)).toEqual([{ id: 'q' }, { id: 'b' }]);
	});

	it('pairs every row with its source items of both inputs', () => {
		const result = reconcile(
			items({ id: 'x' }, { id: 'y' }),
			items({ id: 'z' }, { id: 'y' }),
			spec({ compareFields: [] }),
		);
		expect(result.matched[0].pairedItem).toEqual([{ item: 1 }, { item: 1, input: 1 }]);
		expect(result.onlyInA[0].pairedItem).toEqual([{ item: 0 }]);
		expect(result.onlyInB[0].pairedItem).toEqual([{ item: 0, input: 1 }]);
	});

	it('pairs rows with the pairedItem objects n8n already gave its input items, not copies', () => {
		// n8n 2.x hands a node each input item with pairedItem naming that item in that input.
		const lineage = (records: INodeExecutionData[], input: number) =>
			records.map((item, index) => ({
				...item,
				pairedItem: input === 0 ? { item: index, input: undefined } : { item: index, input },
			}));
		const itemsA = lineage(items({ id: 'x' }, { id: 'y' }), 0);
		const itemsB = lineage(items({ id: 'y' }), 1);
		const [fromA, fromB] = reconcile(itemsA, itemsB, spec({ compareFields: [] })).matched[0]
			.pairedItem as IPairedItemData[];
		expect(fromA).toBe(itemsA[1].pairedItem);
		expect(fromB).toBe(itemsB[0].pairedItem);
	});

	it('pairs rows with new pairedItem objects when an input item’s own names another item', () => {
		const itemsA = items({ id: 'x' }).map((item) => ({ ...item, pairedItem: { item: 7 } }));
		const itemsB = items({ id: 'x' }).map((item) => ({ ...item, pairedItem: { item: 0 } }));
		expect(reconcile(itemsA, itemsB, spec({ compareFields: [] })).matched[0].pairedItem).toEqual([
			{ item: 0 },
			{ item: 0, input: 1 },
		]);
	});

	it('outputs the input records themselves as a and b, and changes no input item', () => {
		const deepFreeze = (value: unknown): unknown => {
			if (typeof value === 'object' && value !== null)
				Object.values(Object.freeze(value)).forEach(deepFreeze);
			return value;
		};
		const itemsA = deepFreeze(
			items(
				{ id: 1, amount: '5', nested: { tag: 'x' } },
				{ id: 2, amount: 1 },
				{ id: 2, amount: 2 },
			),
		) as INodeExecutionData[];
		const itemsB = deepFreeze(
			items({ id: 1, amount: 6 }, { id: 3, amount: 'N/A' }),
		) as INodeExecutionData[];
		const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'aggregate' }));
		expect(result.different[0].json.a).toBe(itemsA[0].json);
		expect(result.different[0].json.b).toBe(itemsB[0].json);
		expect(result.counts).toEqual({ matched: 0, different: 1, onlyInA: 1, onlyInB: 1 });
	});

	it('finds keys of both sides again after keys only B has make the key table grow', () => {
		// Sized for 100 keys a side, the table grows at its 129th key, read from B under B's own
		// field name; later B rows must find A's keys and B's own again.
		const itemsA = items(...Array.from({ length: 100 }, (_, id) => ({ id })));
		const onlyB = Array.from({ length: 59 }, (_, index) => ({ code: 1000 + index }));
		const itemsB = items(...onlyB, ...Array.from({ length: 40 }, (_, id) => ({ code: id })), {
			code: 1000,
		});
		const result = reconcile(
			itemsA,
			itemsB,
			spec({ matchFields: [pair('id', 'code')], compareFields: [], onDuplicateKeys: 'first' }),
		);
		expect(result.counts).toEqual({ matched: 40, different: 0, onlyInA: 60, onlyInB: 59 });
		expect(result.ignoredDuplicates).toEqual({ a: 0, b: 1 });
		expect(result.onlyInB.map((item) => item.json.key)).toEqual(
			onlyB.map(({ code }) => ({ id: code })),
		);
	});

	it('leaves matched keys out of the output with includeMatched off, but counts them', () => {
		const result = reconcile(
			items({ id: 1, amount: 1 }, { id: 2, amount: 2 }),
			items({ id: 1, amount: 1 }, { id: 2, amount: 3 }),
			spec({ includeMatched: false }),
		);
		expect(result.matched).toEqual([]);
		expect(result.counts).toMatchObject({ matched: 1, different: 1 });
	});

	it('skips items without any field (what Always Output Data emits) instead of failing on them', () => {
		const result = reconcile(items({}), items({}, { id: 1, amount: 1 }), spec());
		expect(result.counts).toEqual({ matched: 0, different: 0, onlyInA: 0, onlyInB: 1 });
		expect([result.rowsA, result.rowsB]).toEqual([0, 1]);
	});

	it('refuses an item that carries only binary data: that is not an empty result', () => {
		const withFile: INodeExecutionData = {
			json: {},
			binary: { data: { data: '', mimeType: 'text/csv' } },
		};
		expect(() => reconcile([withFile], items(), spec())).toThrow(
			"Item 0 of input A has no field 'id'",
		);
	});

	it('refuses an item without a match field, naming input, item and field', () => {
		const call = () => reconcile(items({ id: 1 }), items({ id: 1 }, { ID: 2, amount: 3 }), spec());
		expect(call).toThrow(RecordKeyError);
		expect(call).toThrow("Item 1 of input B has no field 'id'");
	});

	describe('totals', () => {
		it('sum every row of each side exactly, and B − A', () => {
			const result = reconcile(
				items(...Array.from({ length: 10 }, (_, id) => ({ id, amount: 0.1 }))),
				items({ id: 0, amount: '1,000.01' }, { id: 99, amount: '-0.01' }),
				spec(),
			);
			expect(result.totals[0].a.toString()).toBe('1');
			expect(result.totals[0].b.toString()).toBe('1000');
		});

		it('count the rows whose value is blank or not a number instead of reading them as 0', () => {
			const result = reconcile(
				items({ id: 1, amount: '' }, { id: 2, amount: 3 }),
				items({ id: 1, amount: 'N/A' }, { id: 2 }, { id: 3, amount: false }),
				spec(),
			);
			expect(result.totals[0]).toMatchObject({ nonNumericA: 1, nonNumericB: 3 });
			expect(result.totals[0].a.toString()).toBe('3');
		});
	});

	describe('duplicate keys', () => {
		const itemsA = items(
			{ id: 'k1', amount: 1 },
			{ id: 'k2', amount: 2 },
			{ id: 'k1', amount: 3 },
			{ id: 'k3', amount: 4 },
			{ id: 'k1', amount: 5 },
		);
		const itemsB = items({ id: 'k1', amount: 9 }, { id: 'k2', amount: 2 });

		it('are an error by default, naming the input, the keys and their items', () => {
			const call = () => reconcile(itemsA, itemsB, spec());
			expect(call).toThrow(DuplicateKeysError);
			expect(call).toThrow(
				'Input A has 1 key that occur more than once: {"id":"k1"} (items 0, 2, 4)',
			);
		});

		it('name at most five keys in the error, and how many there are', () => {
			const many = items(...Array.from({ length: 14 }, (_, index) => ({ id: `k${index % 7}` })));
			expect(() => reconcile(items(), many, spec({ compareFields: [] }))).toThrow(
				/^Input B has 7 keys that occur more than once: (\{"id":"k\d"\} \(items \d+, \d+\), ){4}\{"id":"k4"\} \(items 4, 11\), …$/,
			);
		});

		it('keep the first row and ignore later ones with first; the totals keep every row', () => {
			const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'first' }));
			expect(result.different[0].json).toMatchObject({
				key: { id: 'k1' },
				a: { id: 'k1', amount: 1 },
				differences: [{ delta: 8 }],
			});
			expect(result.different[0].pairedItem).toEqual([{ item: 0 }, { item: 0, input: 1 }]);
			expect(result.ignoredDuplicates).toEqual({ a: 2, b: 0 });
			expect(result.totals[0].a.toString()).toBe('15');
		});

		it('roll up a repeated key with aggregate, and keep single rows as they are', () => {
			const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'aggregate' }));
			expect(result.matched.map((item) => item.json)).toEqual([
				{
					key: { id: 'k1' },
					status: 'matched',
					differences: [],
					a: { id: 'k1', amount: 9, rowCount: 3 },
					b: { id: 'k1', amount: 9 },
				},
				{
					key: { id: 'k2' },
					status: 'matched',
					differences: [],
					a: { id: 'k2', amount: 2 },
					b: { id: 'k2', amount: 2 },
				},
			]);
			expect(result.matched[0].pairedItem).toEqual([
				{ item: 0 },
				{ item: 2 },
				{ item: 4 },
				{ item: 0, input: 1 },
			]);
		});
	});

	describe('roll-ups (aggregateA / aggregateB)', () => {
		it('sum compare fields exactly per key, with rowCount, under each side’s field names', () => {
			const usage = items(
				...Array.from({ length: 10 }, () => ({ CUSTOMER: 'C1', QTY: '0.1', day: 'any' })),
			);
			const result = reconcile(
				items({ customerId: 'C1', seats: 1 }),
				usage,
				spec({
					matchFields: [pair('customerId', 'CUSTOMER')],
					compareFields: [numeric('seats', 'QTY')],
					aggregateB: true,
				}),
			);
			expect(result.matched[0].json).toEqual({
				key: { customerId: 'C1' },
				status: 'matched',
				differences: [],
				a: { customerId: 'C1', seats: 1 },
				b: { CUSTOMER: 'C1', QTY: 1, rowCount: 10 },
			});
			expect(result.matched[0].pairedItem).toHaveLength(11);
		});

		it('roll up keys that occur once too, so every record has a rowCount', () => {
			const result = reconcile(
				items({ id: 1, amount: 2 }),
				items({ id: 1, amount: 2 }),
				spec({ aggregateA: true }),
			);
			expect(result.matched[0].json.a).toEqual({ id: 1, amount: 2, rowCount: 1 });
		});

		it('take precedence over onDuplicateKeys error: repeated keys are expected', () => {
			const result = reconcile(
				items({ id: 1, amount: 2 }, { id: 1, amount: 3 }),
				items({ id: 1, amount: 5 }),
				spec({ aggregateA: true }),
			);
			expect(result.counts.matched).toBe(1);
		});

		it('have no sum for a field with a value that is not a number, and report how many rows', () => {
			const result = reconcile(
				items({ id: 1, amount: 2 }, { id: 1, amount: 'x' }, { id: 1, amount: '' }),
				items({ id: 1, amount: 2 }),
				spec({ aggregateA: true }),
			);
			expect(result.different[0].json).toMatchObject({
				a: { id: 1, amount: null, rowCount: 3 },
				differences: [
					{
						field: 'amount',
						a: null,
						b: 2,
						delta: null,
						error: 'A is not a number in 1 of 3 rows; A has no value in 1 of 3 rows',
					},
				],
			});
		});

		it('match a key whose rows are all blank against a blank', () => {
			const result = reconcile(
				items({ id: 1 }, { id: 1, amount: null }),
				items({ id: 1, amount: '' }),
				spec({ aggregateA: true }),
			);
			expect(result.counts.matched).toBe(1);
		});
	});

	describe('discrepancy sizes, for the summary’s ranking', () => {
		it('are |B − A| of the first compare field; the present side’s value for rows only in one input', () => {
			const result = reconcile(
				items({ id: 1, amount: 10 }, { id: 2, amount: -7 }),
				items({ id: 1, amount: 12.5 }, { id: 3, amount: 4 }),
				spec(),
			);
			expect(result.discrepancies.map(({ row, size }) => [row.status, size])).toEqual([
				['different', 2.5],
				['onlyInA', 7],
				['onlyInB', 4],
			]);
		});

		it('are Infinity when that value is not a number', () => {
			const result = reconcile(items({ id: 1, amount: 'x' }), items({ id: 1, amount: 1 }), spec());
			expect(result.discrepancies[0].size).toBe(Infinity);
		});
	});
});

describe('reconcile: compare kinds', () => {
	const currency = (kind: CompareKind = 'auto') => numeric('currency', 'currency', '0', '0', kind);

	it('compares each field as its kind says, in one row', () => {
		const result = reconcile(
			items({
				id: 1,
				amount: '10.00',
				currency: 'USD',
				plan: 'Azure',
				start: '2026-11-01',
				active: false,
			}),
			items({
				id: 1,
				amount: 10,
				currency: 'USD',
				plan: 'azure',
				start: '2026-11-01T00:00:00Z',
				active: false,
			}),
			spec({
				compareFields: [
					numeric('amount'),
					currency(),
					numeric('plan', 'plan', '0', '0', 'text'),
					numeric('start', 'start', '0', '0', 'date'),
					numeric('active', 'active', '0', '0', 'auto'),
				],
			}),
		);
		expect(result.different[0].json.differences).toEqual([
			{ field: 'plan', a: 'Azure', b: 'azure', delta: null, deltaPercent: null },
		]);
	});

	it('keeps the number kind’s rule: text is never equal, even to itself', () => {
		const result = reconcile(
			items({ id: 1, currency: 'USD' }),
			items({ id: 1, currency: 'USD' }),
			spec({ compareFields: [currency('number')] }),
		);
		expect(result.different[0].json.differences).toEqual([
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

	describe('roll-ups', () => {
		it('keep the one text the rows of a key agree on', () => {
			const usage = items(
				{ id: 'C1', amount: 1, currency: 'USD' },
				{ id: 'C1', amount: 2, currency: 'USD' },
			);
			const result = reconcile(
				usage,
				items({ id: 'C1', amount: 3, currency: 'USD' }),
				spec({ compareFields: [numeric('amount'), currency()], aggregateA: true }),
			);
			expect(result.matched[0].json.a).toEqual({
				id: 'C1',
				amount: 3,
				currency: 'USD',
				rowCount: 2,
			});
		});

		it('have no value for a text field whose rows disagree, and say how many values there are', () => {
			const usage = items(
				{ id: 'C1', currency: 'USD' },
				{ id: 'C1', currency: 'EUR' },
				{ id: 'C1', currency: 'USD' },
			);
			for (const kind of ['auto', 'text'] as const) {
				const result = reconcile(
					usage,
					items({ id: 'C1', currency: 'USD' }),
					spec({ compareFields: [currency(kind)], aggregateA: true }),
				);
				expect(result.different[0].json).toMatchObject({
					a: { currency: null, rowCount: 3 },
					differences: [
						{ field: 'currency', a: null, b: 'USD', error: 'A has 2 different values in 3 rows' },
					],
				});
			}
		});

		it('agree on text after Trim and Case-Insensitive, keeping the first row’s spelling', () => {
			const usage = items({ id: 'C1', currency: 'usd' }, { id: 'C1', currency: 'USD ' });
			const result = reconcile(usage, items({ id: 'C1', currency: 'USD' }), {
				...spec({ compareFields: [currency('text')], aggregateA: true }),
				normalisation: { trim: true, caseInsensitive: true, ignoreLeadingZeros: false },
			});
			expect(result.matched[0].json.a).toMatchObject({ currency: 'usd' });
		});

		it('keep the day the rows of a date field agree on, and report rows that are not dates', () => {
			const field = numeric('start', 'start', '0', '0', 'date');
			const agreeing = reconcile(
				items({ id: 1, start: '2026-11-01' }, { id: 1, start: '2026-11-01T00:00:00Z' }),
				items({ id: 1, start: '2026-11-01' }),
				spec({ compareFields: [field], aggregateA: true }),
			);
			expect(agreeing.counts.matched).toBe(1);
			const broken = reconcile(
				items({ id: 1, start: '2026-11-01' }, { id: 1, start: 'n/a' }),
				items({ id: 1, start: '2026-11-01' }),
				spec({ compareFields: [field], aggregateA: true }),
			);
			expect(broken.different[0].json.differences).toMatchObject([
				{ error: 'A is not a date in 1 of 2 rows' },
			]);
		});

		it('sum an auto field whose rows all hold numbers, and report a stray text among numbers as before', () => {
			const result = reconcile(
				items(
					{ id: 1, amount: '1.5' },
					{ id: 1, amount: 2 },
					{ id: 2, amount: 1 },
					{ id: 2, amount: 'N/A' },
				),
				items({ id: 1, amount: 3.5 }, { id: 2, amount: 1 }),
				spec({ compareFields: [numeric('amount', 'amount', '0', '0', 'auto')], aggregateA: true }),
			);
			expect(result.counts).toMatchObject({ matched: 1, different: 1 });
			expect(result.different[0].json.differences).toMatchObject([
				{ error: 'A is not a number in 1 of 2 rows' },
			]);
		});

		it('keep the kept fields (display and currency fields) as the key’s first row has them', () => {
			const usage = items(
				{ id: 'C1', name: 'Acme', amount: 1 },
				{ id: 'C1', name: 'Acme Inc', amount: 2 },
			);
			const result = reconcile(
				usage,
				items({ id: 'C1', amount: 3 }),
				spec({ keptFields: [pair('name')], aggregateA: true }),
			);
			expect(result.matched[0].json.a).toEqual({ id: 'C1', name: 'Acme', amount: 3, rowCount: 2 });
		});
	});

	it('totals only the fields compared as numbers or auto', () => {
		const result = reconcile(
			items({ id: 1, amount: 2, plan: '7' }),
			items({ id: 1, amount: 2, plan: '7' }),
			spec({ compareFields: [numeric('plan', 'plan', '0', '0', 'text'), numeric('amount')] }),
		);
		expect(result.totals.map(({ field, index }) => [field, index])).toEqual([['amount', 1]]);
	});

	it('ranks discrepancies by the first field compared as a number or auto', () => {
		const result = reconcile(
			items({ id: 1, plan: 'x', amount: 10 }, { id: 2, plan: 'x', amount: 10 }),
			items({ id: 1, plan: 'y', amount: 11 }, { id: 2, plan: 'y', amount: 15 }),
			spec({ compareFields: [numeric('plan', 'plan', '0', '0', 'text'), numeric('amount')] }),
		);
		expect(result.discrepancies.map(({ size }) => size)).toEqual([1, 5]);
	});

	it('passes over an auto field where no row holds a number, such as a currency code', () => {
		const result = reconcile(
			items({ id: 1, currency: 'USD', amount: 10 }, { id: 2, currency: 'USD', amount: 10 }),
			items({ id: 1, currency: 'EUR', amount: 11 }, { id: 2, currency: 'USD', amount: 15 }),
			spec({ compareFields: [currency(), numeric('amount')] }),
		);
		expect(result.rankField).toBe(1);
		expect(result.discrepancies.map(({ size }) => size)).toEqual([1, 5]);
	});

	it('ranks every discrepancy alike when no field is compared as a number', () => {
		const result = reconcile(
			items({ id: 1, plan: 'x' }),
			items({ id: 1, plan: 'y' }, { id: 2, plan: 'z' }),
			spec({ compareFields: [numeric('plan', 'plan', '0', '0', 'text')] }),
		);
		expect(result.discrepancies.map(({ size }) => size)).toEqual([0, 0]);
	});
});
