import type { IDataObject } from 'n8n-workflow';

import {
	KeyBuilder,
	KeyTable,
	KeyValueError,
	SlotColumn,
	fieldReader,
	withoutLeadingZeros,
	type KeyNormalisation,
} from '../../nodes/BillingReconcile/keys';

const exact: KeyNormalisation = { trim: false, caseInsensitive: false, ignoreLeadingZeros: false };

/**
 * A key table over records as the join keeps them: each slot's first record, from which the
 * table reads a slot's key again.
 */
function keyTable(fields: string[], expectedKeys: number, normalisation = exact) {
	const builder = new KeyBuilder(fields.map(fieldReader), fields, normalisation);
	const slotKeys = new KeyBuilder(fields.map(fieldReader), fields, normalisation);
	const firstRecords: IDataObject[] = [];
	const table = new KeyTable(expectedKeys, {
		hasKey: (slot, key) => builder.hasKey(firstRecords[slot], key),
		hashOf: (slot) => {
			slotKeys.read(firstRecords[slot]);
			return slotKeys.hash;
		},
	});
	const slotOf = (record: IDataObject) => {
		builder.read(record);
		const slot = table.slotOf(builder);
		firstRecords[slot] ??= record;
		return slot;
	};
	return { table, slotOf };
}

/** Slot numbers of records under one key definition: equal slots, equal keys. */
function slotsOf(records: IDataObject[], fields: string[], normalisation = exact): number[] {
	return records.map(keyTable(fields, records.length, normalisation).slotOf);
}

describe('fieldReader', () => {
	it('reads a field, and a dot path into nested JSON', () => {
		expect(fieldReader('id')({ id: 7 })).toBe(7);
		expect(fieldReader('customer.id')({ customer: { id: 'C1' } })).toBe('C1');
	});

	it('prefers a key that contains the dots literally', () => {
		expect(fieldReader('customer.id')({ 'customer.id': 'flat', customer: { id: 'nested' } })).toBe(
			'flat',
		);
	});

	it('gives undefined for a missing field or a path through a non-object', () => {
		expect(fieldReader('id')({})).toBeUndefined();
		expect(fieldReader('customer.id')({ customer: 'C1' })).toBeUndefined();
		expect(fieldReader('customer.id')({ customer: null })).toBeUndefined();
	});

	it('does not take inherited members for fields', () => {
		expect(fieldReader('constructor')({})).toBeUndefined();
		expect(fieldReader('toString')({})).toBeUndefined();
		expect(fieldReader('a.__proto__')({ a: {} })).toBeUndefined();
	});
});

describe('KeyBuilder and KeyTable', () => {
	it('give equal keys one slot and new keys the next slot, in order of first sight', () => {
		expect(slotsOf([{ id: 'b' }, { id: 'a' }, { id: 'b' }, { id: 'c' }], ['id'])).toEqual([
			0, 1, 0, 2,
		]);
	});

	it('match a number with its text: 123 and "123"', () => {
		expect(slotsOf([{ id: 123 }, { id: '123' }], ['id'])).toEqual([0, 0]);
	});

	it('keep 0, "", false, null, "false" and "null" apart', () => {
		expect(
			slotsOf(
				[
					{ id: 0 },
					{ id: '' },
					{ id: false },
					{ id: null },
					{ id: 'false' },
					{ id: 'null' },
					{ id: true },
				],
				['id'],
			),
		).toEqual([0, 1, 2, 3, 4, 5, 6]);
	});

	it('do not let text pass for a boolean or null, whatever control characters it holds', () => {
		expect(
			slotsOf(
				[
					{ id: true },
					{ id: '\u0001b1' },
					{ id: null },
					{ id: '\u0001n' },
					{ id: '\u0001\u0001n' },
				],
				['id'],
			),
		).toEqual([0, 1, 2, 3, 4]);
	});

	it('keep composite keys apart however the parts split the text', () => {
		const records = [
			{ a: 'x|y', b: 'z' },
			{ a: 'x', b: 'y|z' },
			{ a: 'x\u0000y', b: 'z' },
			{ a: 'x', b: 'y\u0000z' },
			{ a: 'x', b: 'y|z' },
		];
		expect(slotsOf(records, ['a', 'b'])).toEqual([0, 1, 2, 3, 1]);
	});

	it('take more keys than they were sized for, and find each again in its slot', () => {
		// Thousands of chunks of slots (sized for the two keys expected) and many doublings of
		// the table; a table that did not grow would be full after 16 keys.
		const { table, slotOf } = keyTable(['customer', 'sku'], 2);
		const records = Array.from({ length: 140_000 }, (_, index) => ({
			customer: `C${index >> 2}`,
			sku: `S${index & 3}`,
		}));
		expect(records.map(slotOf)).toEqual(records.map((_, index) => index));
		expect([...records].reverse().map(slotOf)).toEqual(records.map((_, index) => index).reverse());
		expect(table.size).toBe(records.length);
	});

	it('tell whether a record has a key another side read under its own field names', () => {
		const normalisation = { ...exact, trim: true };
		const sideA = new KeyBuilder(
			[fieldReader('id'), fieldReader('sku')],
			['id', 'sku'],
			normalisation,
		);
		const sideB = new KeyBuilder(
			[fieldReader('ID'), fieldReader('SKU')],
			['ID', 'SKU'],
			normalisation,
		);
		sideB.read({ ID: '123 ', SKU: 'WX' });
		expect(sideA.hasKey({ id: 123, sku: ' WX' }, sideB)).toBe(true);
		expect(sideA.hasKey({ id: 123, sku: 'wx' }, sideB)).toBe(false);
		expect(sideA.hasKey({ id: 1234, sku: 'WX' }, sideB)).toBe(false);
	});

	it('compare keys as they are by default: spaces, case and leading zeros count', () => {
		expect(slotsOf([{ id: 'A1' }, { id: ' A1' }, { id: 'a1' }, { id: '0A1' }], ['id'])).toEqual([
			0, 1, 2, 3,
		]);
	});

	it('ignore surrounding spaces with trim', () => {
		expect(slotsOf([{ id: 'A1' }, { id: ' A1\t' }], ['id'], { ...exact, trim: true })).toEqual([
			0, 0,
		]);
	});

	it('ignore case with caseInsensitive', () => {
		expect(
			slotsOf([{ id: 'ACME-01' }, { id: 'acme-01' }], ['id'], { ...exact, caseInsensitive: true }),
		).toEqual([0, 0]);
	});

	it('ignore leading zeros with ignoreLeadingZeros, for text and numbers alike', () => {
		expect(
			slotsOf([{ id: '00123' }, { id: 123 }, { id: '0123' }], ['id'], {
				...exact,
				ignoreLeadingZeros: true,
			}),
		).toEqual([0, 0, 0]);
	});

	it('keep a key of only zeros as "0" with ignoreLeadingZeros', () => {
		expect(
			slotsOf([{ id: '000' }, { id: 0 }, { id: '' }], ['id'], {
				...exact,
				ignoreLeadingZeros: true,
			}),
		).toEqual([0, 0, 1]);
	});

	it('apply the normalisation after trimming, to every part of a composite key', () => {
		const normalisation = { trim: true, caseInsensitive: true, ignoreLeadingZeros: true };
		expect(
			slotsOf(
				[
					{ a: ' 007 ', b: 'SKU' },
					{ a: '7', b: ' sku' },
				],
				['a', 'b'],
				normalisation,
			),
		).toEqual([0, 0]);
	});

	it('refuse a record without a match field, naming the field', () => {
		const builder = new KeyBuilder([fieldReader('id')], ['id'], exact);
		expect(() => builder.read({ other: 1 })).toThrow(new KeyValueError('id', 'missing'));
	});

	it('refuse an object or list as a key value', () => {
		const builder = new KeyBuilder([fieldReader('customer')], ['customer'], exact);
		expect(() => builder.read({ customer: { id: 1 } })).toThrow(
			/holds an object or list in 'customer'/,
		);
		expect(() => builder.read({ customer: [1] })).toThrow(KeyValueError);
	});

	it('give 20,000 distinct keys 20,000 slots and find each again', () => {
		const records = Array.from({ length: 20_000 }, (_, index) => ({
			id: `C${index}`,
			sku: index % 7,
		}));
		const first = slotsOf([...records, ...records], ['id', 'sku']);
		expect(first.slice(0, 20_000)).toEqual(records.map((_, index) => index));
		expect(first.slice(20_000)).toEqual(records.map((_, index) => index));
	});

	it('keep nothing per key but a bucket: a million keys in 8 MB', () => {
		const records = Array.from({ length: 1_000_000 }, (_, index) => ({ id: `C${index}` }));
		const before = process.memoryUsage().arrayBuffers;
		const { table, slotOf } = keyTable(['id'], records.length);
		records.forEach(slotOf);
		const used = process.memoryUsage().arrayBuffers - before;
		expect(table.size).toBe(1_000_000);
		// 2,097,152 buckets of 4 bytes (8.4 MB); a column of every key's hash took 4.2 MB more.
		expect(used).toBeLessThan(10_500_000);
	});
});

describe('withoutLeadingZeros', () => {
	it('drops every leading zero but a lone last character', () => {
		expect(withoutLeadingZeros('00123')).toBe('123');
		expect(withoutLeadingZeros('0')).toBe('0');
		expect(withoutLeadingZeros('000')).toBe('0');
		expect(withoutLeadingZeros('0A7')).toBe('A7');
		expect(withoutLeadingZeros('120')).toBe('120');
		expect(withoutLeadingZeros('')).toBe('');
	});
});

describe('SlotColumn', () => {
	it.each([
		['sized for many slots', undefined],
		['sized for a few slots', 10],
	])(
		'reads what was written to a slot, and the empty value for a slot never written (%s)',
		(_, expectedSlots) => {
			const column = new SlotColumn(-1, expectedSlots);
			column.set(3, 7);
			column.set(200_000, 0);
			expect([column.get(3), column.get(200_000)]).toEqual([7, 0]);
			expect([column.get(0), column.get(4), column.get(70_000), column.get(10_000_000)]).toEqual([
				-1, -1, -1, -1,
			]);
		},
	);

	it('reads slots written with their own number in order, and keeps them when another value comes', () => {
		const column = new SlotColumn(-1, 16);
		for (let slot = 0; slot < 40; slot++) column.set(slot, slot);
		expect([column.get(0), column.get(39), column.get(40)]).toEqual([0, 39, -1]);
		column.set(45, 3);
		column.set(40, 40);
		expect([column.get(0), column.get(39), column.get(40), column.get(41), column.get(45)]).toEqual(
			[0, 39, 40, -1, 3],
		);
	});

	it('keeps a slot written again with another value', () => {
		const column = new SlotColumn(-1, 16);
		for (let slot = 0; slot < 3; slot++) column.set(slot, slot);
		column.set(1, 9);
		expect([column.get(0), column.get(1), column.get(2), column.get(3)]).toEqual([0, 9, 2, -1]);
	});

	it('takes no memory for a million slots holding their own number, until another value comes', () => {
		const column = new SlotColumn(-1, 1_000_000);
		const before = process.memoryUsage().arrayBuffers;
		for (let slot = 0; slot < 1_000_000; slot++) column.set(slot, slot);
		const ownNumbers = process.memoryUsage().arrayBuffers - before;
		column.set(1_000_000, 7);
		const stored = process.memoryUsage().arrayBuffers - before;
		expect(ownNumbers).toBeLessThan(64 * 1024);
		expect(stored).toBeGreaterThanOrEqual(4_000_000);
		expect([column.get(999_999), column.get(1_000_000)]).toEqual([999_999, 7]);
	});
});
