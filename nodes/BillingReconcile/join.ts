import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import {
	DecimalSum,
	absDecimal,
	decimalToNumber,
	subtractDecimals,
} from '../shared/numbers/decimal';
import {
	compareValues,
	isSummable,
	sideValue,
	type CompareField,
	type FieldDifference,
	type FieldPair,
	type SideValue,
} from './compare';
import {
	KeyBuilder,
	KeyTable,
	KeyValueError,
	SlotColumn,
	type FieldReader,
	type KeyNormalisation,
} from './keys';
import { PlainDecimalReader, addAmount, readAmount } from './numbers';
import { RollUp } from './rollup';
import type { CompareKind } from './values';

export type Side = 'A' | 'B';
export type Status = 'matched' | 'different' | 'onlyInA' | 'onlyInB';
export type DuplicateKeyRule = 'error' | 'aggregate' | 'first';

export interface ReconcileSpec {
	matchFields: FieldPair[];
	compareFields: CompareField[];
	/** fields a roll-up record keeps as the key's first row has them: those the report shows beside the key, currency fields */
	keptFields: FieldPair[];
	aggregateA: boolean;
	aggregateB: boolean;
	normalisation: KeyNormalisation;
	onDuplicateKeys: DuplicateKeyRule;
	/** false: matched keys are counted and totalled but get no output item */
	includeMatched: boolean;
}

/** A row item's JSON: the contract's shape. */
export interface ReconcileRow extends IDataObject {
	key: IDataObject;
	status: Status;
	differences: FieldDifference[];
	a: IDataObject | null;
	b: IDataObject | null;
}

/** A non-matched row and how large its discrepancy is, for the summary's ranking. */
export interface Discrepancy {
	row: ReconcileRow;
	/**
	 * |B − A| of the ranking field (the missing side counting as 0 for rows only in one
	 * input); Infinity when that cannot be measured because a value is not a number; 0
	 * without a ranking field.
	 */
	size: number;
}

export interface FieldTotal {
	field: string;
	/** the compare field's position in the spec */
	index: number;
	a: DecimalSum;
	b: DecimalSum;
	/** rows whose value is blank or not a number, so not in the sum */
	nonNumericA: number;
	nonNumericB: number;
}

export interface ReconcileResult {
	matched: INodeExecutionData[];
	different: INodeExecutionData[];
	onlyInA: INodeExecutionData[];
	onlyInB: INodeExecutionData[];
	counts: Record<Status, number>;
	/** different, then only in A, then only in B, in output order */
	discrepancies: Discrepancy[];
	/** per compare field compared as a number or auto, over every input row of each side */
	totals: FieldTotal[];
	/**
	 * The compare field discrepancies are ranked by: the first compared as a number or auto
	 * that holds a number in some row of either side; -1 when none does.
	 */
	rankField: number;
	/** input items that are rows (items without any field are not) */
	rowsA: number;
	rowsB: number;
	/** later rows of a repeated key, dropped by onDuplicateKeys 'first' */
	ignoredDuplicates: { a: number; b: number };
	/** one pairedItem entry per input item, A's then B's, shared by the rows and the summary */
	paired: IPairedItemData[];
}

/** An input item without a usable key. */
export class RecordKeyError extends Error {
	constructor(
		readonly side: Side,
		readonly itemIndex: number,
		readonly problem: KeyValueError,
		readonly fieldNames: string[],
	) {
		super(`Item ${itemIndex} of input ${side} ${problem.message}`);
	}
}

/** Keys that repeat on one side while onDuplicateKeys is 'error'. */
export class DuplicateKeysError extends Error {
	constructor(
		readonly side: Side,
		readonly duplicateKeyCount: number,
		readonly examples: Array<{ key: IDataObject; itemIndexes: number[] }>,
	) {
		super(
			`Input ${side} has ${duplicateKeyCount} ${duplicateKeyCount === 1 ? 'key' : 'keys'} that occur more than once: ` +
				examples
					.map(({ key, itemIndexes }) => `${JSON.stringify(key)} (items ${itemIndexes.join(', ')})`)
					.join(', ') +
				(duplicateKeyCount > examples.length ? ', …' : ''),
		);
	}
}

const DUPLICATE_EXAMPLES = 5;
const EXAMPLE_ITEMS = 4;
const NONE = -1;

/** What the join knows about one side. */
interface SideState {
	side: Side;
	items: INodeExecutionData[];
	aggregate: boolean;
	names: string[];
	keys: KeyBuilder;
	/** reads a slot's key again for its hash, while `keys` holds the key being looked up */
	slotKeys: KeyBuilder;
	matchReaders: FieldReader[];
	/** A's match field names, each null: what every key object is copied from */
	keyShape: IDataObject;
	/** match fields, then the spec's kept fields: what a roll-up record keeps of the key's first row */
	keptNames: string[];
	keptReaders: FieldReader[];
	compareReaders: FieldReader[];
	compareNames: string[];
	kinds: CompareKind[];
	/** slot → the first item with that key, or NONE */
	first: SlotColumn;
	/** slot → later items with that key, kept when they are rolled up */
	later: Map<number, number[]>;
	rollUps: Map<number, RollUp>;
	plain: PlainDecimalReader;
	ignored: number;
	/** items without any field, which are not rows */
	emptyItems: number;
	/** the pairedItem entries of both sides; this side's item i is at pairedOffset + i */
	paired: IPairedItemData[];
	pairedOffset: number;
}

/**
 * Classifies every key of A and B with one hash table: O(|A| + |B|). Each distinct key gets
 * a slot (A's keys in A's order, then keys only B has, in B's order); each side records the
 * first item per slot and, where rows are rolled up, the later ones. Input items are only
 * read: the output's `a`/`b` are the input records themselves (or new roll-up records).
 */
export function reconcile(
	itemsA: INodeExecutionData[],
	itemsB: INodeExecutionData[],
	spec: ReconcileSpec,
): ReconcileResult {
	// Sized for the keys of the larger side: the two sides of a reconciliation share most
	// keys. The table grows when they do not.
	const expectedKeys = Math.max(itemsA.length, itemsB.length);
	const paired = pairedItemsOf(itemsA, itemsB);
	const a = sideState('A', itemsA, spec, expectedKeys, 0, paired);
	const b = sideState('B', itemsB, spec, expectedKeys, itemsA.length, paired);
	const slots = new KeyTable(expectedKeys, {
		hasKey: (slot, key) => firstRecordHasKey(a, b, slot, key),
		hashOf: (slot) => firstRecordKeyHash(a, b, slot),
	});
	const totals: FieldTotal[] = [];
	spec.compareFields.forEach((field, index) => {
		if (!isSummable(field)) return;
		totals.push({
			field: field.fieldA,
			index,
			a: new DecimalSum(),
			b: new DecimalSum(),
			nonNumericA: 0,
			nonNumericB: 0,
		});
	});

	index(a, slots, spec, totals);
	index(b, slots, spec, totals);
	const slotCount = slots.size;
	const rowsA = itemsA.length - a.emptyItems;
	const rowsB = itemsB.length - b.emptyItems;
	// Ranked by the first field that holds numbers: an auto field of codes ("USD") has no size.
	const rank =
		totals.find((total) => total.nonNumericA < rowsA || total.nonNumericB < rowsB)?.index ?? NONE;

	// First every key's status, then the rows into arrays of their final length: arrays grown
	// by push leave their outgrown copies behind (about 9 MB for 970,000 matched rows).
	const statuses = new Uint8Array(slotCount);
	const differencesOf = new Map<number, FieldDifference[]>();
	const counts: Record<Status, number> = { matched: 0, different: 0, onlyInA: 0, onlyInB: 0 };
	for (let slot = 0; slot < slotCount; slot++) {
		const itemA = a.first.get(slot);
		const itemB = b.first.get(slot);
		let status: Status;
		if (itemA === NONE) {
			status = 'onlyInB';
		} else if (itemB === NONE) {
			status = 'onlyInA';
		} else {
			// A rolled-up side is compared through its roll-up, so its first row stands in for its record.
			const differences = compareRecords(
				a,
				b,
				slot,
				a.items[itemA].json,
				b.items[itemB].json,
				spec,
			);
			status = differences === null ? 'matched' : 'different';
			if (differences !== null) differencesOf.set(slot, differences);
		}
		statuses[slot] = STATUS_CODES[status];
		counts[status]++;
	}

	const result: ReconcileResult = {
		matched: new Array<INodeExecutionData>(spec.includeMatched ? counts.matched : 0),
		different: new Array<INodeExecutionData>(counts.different),
		onlyInA: new Array<INodeExecutionData>(counts.onlyInA),
		onlyInB: new Array<INodeExecutionData>(counts.onlyInB),
		counts,
		discrepancies: new Array<Discrepancy>(counts.different + counts.onlyInA + counts.onlyInB),
		totals,
		rowsA,
		rowsB,
		rankField: rank,
		ignoredDuplicates: { a: a.ignored, b: b.ignored },
		paired,
	};
	// Discrepancies: different, then only in A, then only in B, each in slot order.
	const filled: Record<Status, number> = { matched: 0, different: 0, onlyInA: 0, onlyInB: 0 };
	const discrepancyStart: Record<Status, number> = {
		matched: 0,
		different: 0,
		onlyInA: counts.different,
		onlyInB: counts.different + counts.onlyInA,
	};
	for (let slot = 0; slot < slotCount; slot++) {
		const status = STATUSES[statuses[slot]];
		if (status === 'matched' && !spec.includeMatched) continue;
		const itemA = a.first.get(slot);
		const itemB = b.first.get(slot);
		const recordA = itemA === NONE ? null : record(a, slot, itemA);
		const recordB = itemB === NONE ? null : record(b, slot, itemB);
		const key = itemA === NONE ? keyObject(b, itemB, spec) : keyObject(a, itemA, spec);
		const row: ReconcileRow = {
			key,
			status,
			differences: status === 'different' ? differencesOf.get(slot)! : [],
			a: recordA,
			b: recordB,
		};
		const position = filled[status]++;
		result[status][position] = { json: row, pairedItem: pairedItems(a, slot, itemA, b, itemB) };
		if (status === 'matched') continue;
		const size =
			status === 'different'
				? differenceSize(a, b, slot, recordA!, recordB!, rank, spec)
				: onlySideSize(recordA !== null ? a : b, slot, (recordA ?? recordB)!, rank);
		result.discrepancies[discrepancyStart[status] + position] = { row, size };
	}
	return result;
}

const STATUSES: readonly Status[] = ['matched', 'different', 'onlyInA', 'onlyInB'];
const STATUS_CODES: Readonly<Record<Status, number>> = {
	matched: 0,
	different: 1,
	onlyInA: 2,
	onlyInB: 3,
};

function sideState(
	side: Side,
	items: INodeExecutionData[],
	spec: ReconcileSpec,
	expectedKeys: number,
	pairedOffset: number,
	paired: IPairedItemData[],
): SideState {
	const isA = side === 'A';
	const names = spec.matchFields.map((field) => (isA ? field.fieldA : field.fieldB));
	const matchReaders = spec.matchFields.map((field) => (isA ? field.readA : field.readB));
	const keptNames = spec.keptFields.map((field) => (isA ? field.fieldA : field.fieldB));
	const keptReaders = spec.keptFields.map((field) => (isA ? field.readA : field.readB));
	return {
		side,
		items,
		aggregate: isA ? spec.aggregateA : spec.aggregateB,
		names,
		keys: new KeyBuilder(matchReaders, names, spec.normalisation),
		slotKeys: new KeyBuilder(matchReaders, names, spec.normalisation),
		matchReaders,
		keyShape: keyShapeOf(spec),
		keptNames: names.concat(keptNames),
		keptReaders: matchReaders.concat(keptReaders),
		compareReaders: spec.compareFields.map((field) => (isA ? field.readA : field.readB)),
		compareNames: spec.compareFields.map((field) => (isA ? field.fieldA : field.fieldB)),
		kinds: spec.compareFields.map((field) => field.compareAs),
		first: new SlotColumn(NONE, expectedKeys),
		later: new Map(),
		rollUps: new Map(),
		plain: new PlainDecimalReader(),
		ignored: 0,
		emptyItems: 0,
		paired,
		pairedOffset,
	};
}

/**
 * For each input item, A's then B's, the pairedItem that names it: `{item}` in input A,
 * `{item, input: 1}` in B. n8n 2.x hands a node its items carrying exactly that (their lineage
 * into this node); sharing those objects instead of making new ones saves a million objects
 * per million rows. One array, sized once, is also the summary's pairedItem.
 */
function pairedItemsOf(
	itemsA: INodeExecutionData[],
	itemsB: INodeExecutionData[],
): IPairedItemData[] {
	const paired = new Array<IPairedItemData>(itemsA.length + itemsB.length);
	for (let item = 0; item < itemsA.length; item++)
		paired[item] = pairedItemNaming(itemsA[item], item, 0);
	for (let item = 0; item < itemsB.length; item++)
		paired[itemsA.length + item] = pairedItemNaming(itemsB[item], item, 1);
	return paired;
}

function pairedItemNaming(
	{ pairedItem }: INodeExecutionData,
	item: number,
	input: number,
): IPairedItemData {
	const names =
		typeof pairedItem === 'object' &&
		!Array.isArray(pairedItem) &&
		pairedItem.item === item &&
		(pairedItem.input ?? 0) === input &&
		pairedItem.sourceOverwrite === undefined;
	return names ? pairedItem : pairedItemOf(item, input);
}

/** n8n's way to name an input item: the input only when it is not the first. */
export function pairedItemOf(item: number, input: number): IPairedItemData {
	return input === 0 ? { item } : { item, input };
}

/** The side whose first record of a slot holds the slot's key: A if A has the key, else B. */
const keySide = (a: SideState, b: SideState, slot: number) => (a.first.get(slot) !== NONE ? a : b);

/** A side's first record with a slot's key. */
const firstRecord = (state: SideState, slot: number) => state.items[state.first.get(slot)].json;

/** Whether a slot's key is the one just read, read again from the slot's first record. */
function firstRecordHasKey(a: SideState, b: SideState, slot: number, key: KeyBuilder): boolean {
	const side = keySide(a, b, slot);
	return side.keys.hasKey(firstRecord(side, slot), key);
}

/** The hash of a slot's key, read again from the slot's first record. */
function firstRecordKeyHash(a: SideState, b: SideState, slot: number): number {
	const side = keySide(a, b, slot);
	side.slotKeys.read(firstRecord(side, slot));
	return side.slotKeys.hash;
}

/** Gives every item of one side its slot (its first item kept at once); adds its compare fields to the side's totals. */
function index(state: SideState, slots: KeyTable, spec: ReconcileSpec, totals: FieldTotal[]): void {
	const { items, first, compareReaders: readers } = state;
	const isA = state.side === 'A';
	const sums = totals.map((total) => (isA ? total.a : total.b));
	const totalReaders = totals.map((total) => readers[total.index]);
	const nonNumeric = totals.map(() => 0);
	const duplicates = new Map<number, number[]>();
	let duplicateKeyCount = 0;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const json = items[itemIndex].json;
		try {
			state.keys.read(json);
		} catch (error) {
			if (!(error instanceof KeyValueError)) throw error;
			const fieldNames = Object.keys(json);
			// An item without any field or binary is what n8n's Always Output Data emits for an
			// empty result: no row, so that an empty input still gives a summary.
			if (fieldNames.length === 0 && error.problem === 'missing' && !items[itemIndex].binary) {
				state.emptyItems++;
				continue;
			}
			throw new RecordKeyError(state.side, itemIndex, error, fieldNames);
		}
		for (let total = 0; total < totalReaders.length; total++) {
			if (!addAmount(sums[total], totalReaders[total](json))) nonNumeric[total]++;
		}

		const slot = slots.slotOf(state.keys);
		if (first.get(slot) === NONE) {
			first.set(slot, itemIndex);
			if (state.aggregate) rollUpOf(state, slot, spec).add(json, readers);
			continue;
		}
		// A key seen before on this side.
		if (state.aggregate || spec.onDuplicateKeys === 'aggregate') {
			const later = state.later.get(slot);
			if (later) later.push(itemIndex);
			else state.later.set(slot, [itemIndex]);
			rollUpOf(state, slot, spec).add(json, readers);
		} else if (spec.onDuplicateKeys === 'first') {
			state.ignored++;
		} else {
			const seen = duplicates.get(slot);
			if (seen) {
				if (seen.length < EXAMPLE_ITEMS) seen.push(itemIndex);
			} else {
				duplicateKeyCount++;
				if (duplicates.size < DUPLICATE_EXAMPLES)
					duplicates.set(slot, [first.get(slot), itemIndex]);
			}
		}
	}
	totals.forEach((total, field) => {
		if (isA) total.nonNumericA = nonNumeric[field];
		else total.nonNumericB = nonNumeric[field];
	});
	if (duplicateKeyCount > 0) {
		const examples = [...duplicates.values()].map((itemIndexes) => ({
			key: keyObject(state, itemIndexes[0], spec),
			itemIndexes,
		}));
		throw new DuplicateKeysError(state.side, duplicateKeyCount, examples);
	}
}

/** The slot's roll-up; made on first need from the slot's first row (aggregate on duplicates). */
function rollUpOf(state: SideState, slot: number, spec: ReconcileSpec): RollUp {
	let rollUp = state.rollUps.get(slot);
	if (rollUp === undefined) {
		const firstRow = firstRecord(state, slot);
		rollUp = new RollUp(firstRow, state.kinds, spec.normalisation);
		if (!state.aggregate) rollUp.add(firstRow, state.compareReaders);
		state.rollUps.set(slot, rollUp);
	}
	return rollUp;
}

function record(state: SideState, slot: number, itemIndex: number): IDataObject {
	const rollUp = state.rollUps.size > 0 ? state.rollUps.get(slot) : undefined;
	if (rollUp === undefined) return state.items[itemIndex].json;
	return rollUp.record(state.keptNames, state.keptReaders, state.compareNames, state.side);
}

/** The key as A names its match fields, with the values of the given item (of either side). */
function keyObject(state: SideState, itemIndex: number, spec: ReconcileSpec): IDataObject {
	const json = state.items[itemIndex].json;
	const key: IDataObject = { ...state.keyShape };
	for (let index = 0; index < spec.matchFields.length; index++) {
		key[spec.matchFields[index].fieldA] = state.matchReaders[index](json) as IDataObject[string];
	}
	return key;
}

/**
 * An object with A's match field names, each null, for keyObject to copy. V8 sizes an object
 * made by JSON.parse to exactly its fields, and a spread copy keeps that size, where an object
 * filled from `{}` has room for four: 40 instead of 56 bytes per row for two fields. Every
 * field is an own data property, even one named "__proto__".
 */
function keyShapeOf(spec: ReconcileSpec): IDataObject {
	return JSON.parse(
		JSON.stringify(Object.fromEntries(spec.matchFields.map((field) => [field.fieldA, null]))),
	) as IDataObject;
}

/** Every input item a row comes from: A's (input 0), then B's (input 1). */
function pairedItems(
	a: SideState,
	slot: number,
	itemA: number,
	b: SideState,
	itemB: number,
): IPairedItemData[] {
	const laterA = a.later.size > 0 ? a.later.get(slot) : undefined;
	const laterB = b.later.size > 0 ? b.later.get(slot) : undefined;
	if (laterA === undefined && laterB === undefined) {
		if (itemA === NONE) return [pairedOf(b, itemB)];
		return itemB === NONE ? [pairedOf(a, itemA)] : [pairedOf(a, itemA), pairedOf(b, itemB)];
	}
	const paired: IPairedItemData[] = [];
	if (itemA !== NONE) {
		paired.push(pairedOf(a, itemA));
		for (const later of laterA ?? []) paired.push(pairedOf(a, later));
	}
	if (itemB !== NONE) {
		paired.push(pairedOf(b, itemB));
		for (const later of laterB ?? []) paired.push(pairedOf(b, later));
	}
	return paired;
}

const pairedOf = (state: SideState, itemIndex: number) =>
	state.paired[state.pairedOffset + itemIndex];

function valueOf(
	state: SideState,
	slot: number,
	record: IDataObject,
	fieldIndex: number,
	spec: ReconcileSpec,
): SideValue {
	const rollUp = state.rollUps.get(slot);
	if (rollUp !== undefined) return rollUp.value(fieldIndex, state.side);
	return sideValue(
		state.compareReaders[fieldIndex](record),
		state.side,
		state.kinds[fieldIndex],
		spec.normalisation,
	);
}

function compareRecords(
	a: SideState,
	b: SideState,
	slot: number,
	recordA: IDataObject,
	recordB: IDataObject,
	spec: ReconcileSpec,
): FieldDifference[] | null {
	// Made only for a key that differs: most keys match, and a list per key would be garbage.
	let differences: FieldDifference[] | null = null;
	const rolledUp =
		(a.rollUps.size > 0 && a.rollUps.has(slot)) || (b.rollUps.size > 0 && b.rollUps.has(slot));
	for (let fieldIndex = 0; fieldIndex < spec.compareFields.length; fieldIndex++) {
		const field = spec.compareFields[fieldIndex];
		if (!rolledUp && field.compareAs !== 'date') {
			// The common case, equal values, is decided without BigInt or text: equal plain
			// numbers ("312.50" vs 312.5) are within any tolerance, and for auto and text the
			// same primitive is the same text.
			const valueA = a.compareReaders[fieldIndex](recordA);
			const valueB = b.compareReaders[fieldIndex](recordB);
			if (field.compareAs === 'number') {
				if (typeof valueA === 'number' && valueA === valueB && Number.isFinite(valueA)) continue;
			} else if (valueA === valueB) {
				continue;
			}
			if (
				field.compareAs !== 'text' &&
				a.plain.read(valueA) &&
				b.plain.read(valueB) &&
				a.plain.equals(b.plain)
			)
				continue;
		}
		const difference = compareValues(
			field,
			valueOf(a, slot, recordA, fieldIndex, spec),
			valueOf(b, slot, recordB, fieldIndex, spec),
		);
		if (difference !== null) (differences ??= []).push(difference);
	}
	return differences;
}

function differenceSize(
	a: SideState,
	b: SideState,
	slot: number,
	recordA: IDataObject,
	recordB: IDataObject,
	rank: number,
	spec: ReconcileSpec,
): number {
	if (rank < 0) return 0;
	const valueA = valueOf(a, slot, recordA, rank, spec).amount;
	const valueB = valueOf(b, slot, recordB, rank, spec).amount;
	if (valueA === null || valueB === null) return Infinity;
	return decimalToNumber(absDecimal(subtractDecimals(valueB, valueA)));
}

function onlySideSize(state: SideState, slot: number, record: IDataObject, rank: number): number {
	if (rank < 0) return 0;
	const rollUp = state.rollUps.get(slot);
	const amount = rollUp
		? rollUp.value(rank, state.side).amount
		: readAmount(state.compareReaders[rank](record));
	return amount === null ? Infinity : decimalToNumber(absDecimal(amount));
}
