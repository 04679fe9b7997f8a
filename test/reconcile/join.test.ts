import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import { compareValues, isWithinTolerance, sideValue, type CompareField, type FieldPair } from '../../nodes/BillingReconcile/compare';
import { DuplicateKeysError, RecordKeyError, reconcile, type ReconcileSpec } from '../../nodes/BillingReconcile/join';
import { fieldReader } from '../../nodes/BillingReconcile/keys';

const pair = (fieldA: string, fieldB = fieldA): FieldPair => ({ fieldA, fieldB, readA: fieldReader(fieldA), readB: fieldReader(fieldB) });
const compared = (fieldA: string, fieldB = fieldA, absolute = '0', relative = '0'): CompareField => ({
	...pair(fieldA, fieldB),
	absoluteTolerance: parseDecimal(absolute)!,
	relativeTolerancePercent: parseDecimal(relative)!,
});
const items = (...records: IDataObject[]): INodeExecutionData[] => records.map((json) => ({ json }));

function spec(overrides: Partial<ReconcileSpec> = {}): ReconcileSpec {
	return {
		matchFields: [pair('id')],
		compareFields: [compared('amount')],
		aggregateA: false,
		aggregateB: false,
		normalisation: { trim: false, caseInsensitive: false, ignoreLeadingZeros: false },
		onDuplicateKeys: 'error',
		includeMatched: true,
		...overrides,
	};
}

const jsonOf = (output: INodeExecutionData[]) => output.map((item) => item.json);

describe('tolerance', () => {
	const a = (text: string) => parseDecimal(text)!;

	it('matches at exactly the absolute tolerance, where binary floats would not (1.1 − 1 > 0.1 in floats)', () => {
		expect(isWithinTolerance(compared('x', 'x', '0.1'), a('1'), a('0.1'))).toBe(true);
		expect(isWithinTolerance(compared('x', 'x', '0.1'), a('1'), a('0.1000001'))).toBe(false);
	});

	it('matches at exactly the relative tolerance, where binary floats would not (0.1 → 0.4 is 300.00000000000006 % in floats)', () => {
		expect(isWithinTolerance(compared('x', 'x', '0', '300'), a('0.1'), a('0.3'))).toBe(true);
		expect(isWithinTolerance(compared('x', 'x', '0', '300'), a('0.1'), a('0.30001'))).toBe(false);
	});

	it('measures the relative tolerance against |A|, so a negative A works like a positive one', () => {
		expect(isWithinTolerance(compared('x', 'x', '0', '10'), a('-50'), a('-5'))).toBe(true);
		expect(isWithinTolerance(compared('x', 'x', '0', '10'), a('-50'), a('5.5'))).toBe(false);
	});

	it('matches within either tolerance', () => {
		const field = compared('x', 'x', '1', '10');
		expect(isWithinTolerance(field, a('5'), a('1'))).toBe(true);
		expect(isWithinTolerance(field, a('100'), a('9'))).toBe(true);
		expect(isWithinTolerance(field, a('5'), a('1.5'))).toBe(false);
	});

	it('never applies the relative tolerance when A is 0', () => {
		expect(isWithinTolerance(compared('x', 'x', '0', '1000000'), a('0'), a('0.01'))).toBe(false);
	});
});

describe('compareValues', () => {
	const field = compared('amount');

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
		expect(compareValues(field, sideValue(0, 'A'), sideValue(3, 'B'))).toMatchObject({ delta: 3, deltaPercent: null });
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
		expect(compareValues(field, sideValue('', 'A'), sideValue(0, 'B'))).toMatchObject({ a: '', b: 0, error: 'A has no value' });
		expect(compareValues(field, sideValue(undefined, 'A'), sideValue(0, 'B'))).toMatchObject({ a: null, error: 'A has no value' });
	});

	it('reports both sides when neither is a number, unless both are blank', () => {
		expect(compareValues(field, sideValue(false, 'A'), sideValue(null, 'B'))).toMatchObject({ error: 'A is not a number; B has no value' });
		expect(compareValues(field, sideValue('N/A', 'A'), sideValue('N/A', 'B'))).toMatchObject({ error: 'A is not a number; B is not a number' });
		expect(compareValues(field, sideValue(null, 'A'), sideValue(' ', 'B'))).toBeNull();
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
			{ key: { id: 1 }, status: 'matched', differences: [], a: { id: 1, amount: 10 }, b: { id: 1, amount: '10.00' } },
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
		expect(jsonOf(result.onlyInA)).toEqual([{ key: { id: 3 }, status: 'onlyInA', differences: [], a: { id: 3, amount: 30 }, b: null }]);
		expect(jsonOf(result.onlyInB)).toEqual([{ key: { id: 4 }, status: 'onlyInB', differences: [], a: null, b: { id: 4, amount: 40 } }]);
		expect(result.counts).toEqual({ matched: 1, different: 1, onlyInA: 1, onlyInB: 1 });
	});

	it('names key fields as A does, with B’s values for rows only in B', () => {
		const result = reconcile(items(), items({ CUSTOMER: 'C9', SKU: 'S1', TOTAL: 5 }), spec({
			matchFields: [pair('customerId', 'CUSTOMER'), pair('sku', 'SKU')],
			compareFields: [compared('amount', 'TOTAL')],
		}));
		expect(result.onlyInB[0].json.key).toEqual({ customerId: 'C9', sku: 'S1' });
	});

	it('lists only the fields outside tolerance among the differences', () => {
		const result = reconcile(
			items({ id: 1, quantity: 3, amount: 10 }),
			items({ id: 1, quantity: 4, amount: 10.004 }),
			spec({ compareFields: [compared('quantity'), compared('amount', 'amount', '0.005')] }),
		);
		expect(result.different[0].json.differences).toEqual([{ field: 'quantity', a: 3, b: 4, delta: 1, deltaPercent: 33.333333 }]);
	});

	it('keeps A’s order for A’s keys, then B’s order for keys only B has', () => {
		const result = reconcile(items({ id: 'z' }, { id: 'a' }), items({ id: 'q' }, { id: 'a' }, { id: 'b' }, { id: 'z' }), spec({ compareFields: [] }));
		expect(result.matched.map((item) => item.json.key)).toEqual([{ id: 'z' }, { id: 'a' }]);
		expect(result.onlyInB.map((item) => item.json.key)).toEqual([{ id: 'q' }, { id: 'b' }]);
	});

	it('pairs every row with its source items of both inputs', () => {
		const result = reconcile(items({ id: 'x' }, { id: 'y' }), items({ id: 'z' }, { id: 'y' }), spec({ compareFields: [] }));
		expect(result.matched[0].pairedItem).toEqual([{ item: 1, input: 0 }, { item: 1, input: 1 }]);
		expect(result.onlyInA[0].pairedItem).toEqual([{ item: 0, input: 0 }]);
		expect(result.onlyInB[0].pairedItem).toEqual([{ item: 0, input: 1 }]);
	});

	it('outputs the input records themselves as a and b, and changes no input item', () => {
		const deepFreeze = (value: unknown): unknown => {
			if (typeof value === 'object' && value !== null) Object.values(Object.freeze(value)).forEach(deepFreeze);
			return value;
		};
		const itemsA = deepFreeze(items({ id: 1, amount: '5', nested: { tag: 'x' } }, { id: 2, amount: 1 }, { id: 2, amount: 2 })) as INodeExecutionData[];
		const itemsB = deepFreeze(items({ id: 1, amount: 6 }, { id: 3, amount: 'N/A' })) as INodeExecutionData[];
		const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'aggregate' }));
		expect(result.different[0].json.a).toBe(itemsA[0].json);
		expect(result.different[0].json.b).toBe(itemsB[0].json);
		expect(result.counts).toEqual({ matched: 0, different: 1, onlyInA: 1, onlyInB: 1 });
	});

	it('leaves matched keys out of the output with includeMatched off, but counts them', () => {
		const result = reconcile(items({ id: 1, amount: 1 }, { id: 2, amount: 2 }), items({ id: 1, amount: 1 }, { id: 2, amount: 3 }), spec({ includeMatched: false }));
		expect(result.matched).toEqual([]);
		expect(result.counts).toMatchObject({ matched: 1, different: 1 });
	});

	it('skips items without any field (what Always Output Data emits) instead of failing on them', () => {
		const result = reconcile(items({}), items({}, { id: 1, amount: 1 }), spec());
		expect(result.counts).toEqual({ matched: 0, different: 0, onlyInA: 0, onlyInB: 1 });
		expect([result.rowsA, result.rowsB]).toEqual([0, 1]);
	});

	it('refuses an item that carries only binary data: that is not an empty result', () => {
		const withFile: INodeExecutionData = { json: {}, binary: { data: { data: '', mimeType: 'text/csv' } } };
		expect(() => reconcile([withFile], items(), spec())).toThrow("Item 0 of input A has no field 'id'");
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
			const result = reconcile(items({ id: 1, amount: '' }, { id: 2, amount: 3 }), items({ id: 1, amount: 'N/A' }, { id: 2 }, { id: 3, amount: false }), spec());
			expect(result.totals[0]).toMatchObject({ nonNumericA: 1, nonNumericB: 3 });
			expect(result.totals[0].a.toString()).toBe('3');
		});
	});

	describe('duplicate keys', () => {
		const itemsA = items({ id: 'k1', amount: 1 }, { id: 'k2', amount: 2 }, { id: 'k1', amount: 3 }, { id: 'k3', amount: 4 }, { id: 'k1', amount: 5 });
		const itemsB = items({ id: 'k1', amount: 9 }, { id: 'k2', amount: 2 });

		it('are an error by default, naming the input, the keys and their items', () => {
			const call = () => reconcile(itemsA, itemsB, spec());
			expect(call).toThrow(DuplicateKeysError);
			expect(call).toThrow('Input A has 1 key that occur more than once: {"id":"k1"} (items 0, 2, 4)');
		});

		it('name at most five keys in the error, and how many there are', () => {
			const many = items(...Array.from({ length: 14 }, (_, index) => ({ id: `k${index % 7}` })));
			expect(() => reconcile(items(), many, spec({ compareFields: [] }))).toThrow(/^Input B has 7 keys that occur more than once: (\{"id":"k\d"\} \(items \d+, \d+\), ){4}\{"id":"k4"\} \(items 4, 11\), …$/);
		});

		it('keep the first row and ignore later ones with first; the totals keep every row', () => {
			const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'first' }));
			expect(result.different[0].json).toMatchObject({ key: { id: 'k1' }, a: { id: 'k1', amount: 1 }, differences: [{ delta: 8 }] });
			expect(result.different[0].pairedItem).toEqual([{ item: 0, input: 0 }, { item: 0, input: 1 }]);
			expect(result.ignoredDuplicates).toEqual({ a: 2, b: 0 });
			expect(result.totals[0].a.toString()).toBe('15');
		});

		it('roll up a repeated key with aggregate, and keep single rows as they are', () => {
			const result = reconcile(itemsA, itemsB, spec({ onDuplicateKeys: 'aggregate' }));
			expect(result.matched.map((item) => item.json)).toEqual([
				{ key: { id: 'k1' }, status: 'matched', differences: [], a: { id: 'k1', amount: 9, rowCount: 3 }, b: { id: 'k1', amount: 9 } },
				{ key: { id: 'k2' }, status: 'matched', differences: [], a: { id: 'k2', amount: 2 }, b: { id: 'k2', amount: 2 } },
			]);
			expect(result.matched[0].pairedItem).toEqual([
				{ item: 0, input: 0 },
				{ item: 2, input: 0 },
				{ item: 4, input: 0 },
				{ item: 0, input: 1 },
			]);
		});
	});

	describe('roll-ups (aggregateA / aggregateB)', () => {
		it('sum compare fields exactly per key, with rowCount, under each side’s field names', () => {
			const usage = items(...Array.from({ length: 10 }, () => ({ CUSTOMER: 'C1', QTY: '0.1', day: 'any' })));
			const result = reconcile(items({ customerId: 'C1', seats: 1 }), usage, spec({
				matchFields: [pair('customerId', 'CUSTOMER')],
				compareFields: [compared('seats', 'QTY')],
				aggregateB: true,
			}));
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
			const result = reconcile(items({ id: 1, amount: 2 }), items({ id: 1, amount: 2 }), spec({ aggregateA: true }));
			expect(result.matched[0].json.a).toEqual({ id: 1, amount: 2, rowCount: 1 });
		});

		it('take precedence over onDuplicateKeys error: repeated keys are expected', () => {
			const result = reconcile(items({ id: 1, amount: 2 }, { id: 1, amount: 3 }), items({ id: 1, amount: 5 }), spec({ aggregateA: true }));
			expect(result.counts.matched).toBe(1);
		});

		it('have no sum for a field with a value that is not a number, and report how many rows', () => {
			const result = reconcile(items({ id: 1, amount: 2 }, { id: 1, amount: 'x' }, { id: 1, amount: '' }), items({ id: 1, amount: 2 }), spec({ aggregateA: true }));
			expect(result.different[0].json).toMatchObject({
				a: { id: 1, amount: null, rowCount: 3 },
				differences: [{ field: 'amount', a: null, b: 2, delta: null, error: 'A is not a number in 1 of 3 rows; A has no value in 1 of 3 rows' }],
			});
		});

		it('match a key whose rows are all blank against a blank', () => {
			const result = reconcile(items({ id: 1 }, { id: 1, amount: null }), items({ id: 1, amount: '' }), spec({ aggregateA: true }));
			expect(result.counts.matched).toBe(1);
		});
	});

	describe('discrepancy sizes, for the summary’s ranking', () => {
		it('are |B − A| of the first compare field; the present side’s value for rows only in one input', () => {
			const result = reconcile(items({ id: 1, amount: 10 }, { id: 2, amount: -7 }), items({ id: 1, amount: 12.5 }, { id: 3, amount: 4 }), spec());
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
