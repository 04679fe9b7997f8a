/**
 * Property: over random datasets — repeated keys under each duplicate rule, roll-ups,
 * tolerances, keys only one side has, keys that differ by spaces, case or leading zeros,
 * numbers written as text ("1,234.50", "1.2345e3"), blanks and non-numbers, codes, flags and
 * dates in many spellings, each field compared as auto, number, text or date — the node
 * classifies every key exactly as a deliberately simple reference does: nested loops over
 * all rows, BigInt arithmetic at one fixed scale, and a table of the days each spelling means.
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import { fieldReader } from '../../nodes/BillingReconcile/keys';
import { reconcile, type ReconcileSpec } from '../../nodes/BillingReconcile/join';
import type { CompareKind } from '../../nodes/BillingReconcile/values';
import { pairs, useReconcile } from './setup';

// ---- the reference ----

type Status = 'matched' | 'different' | 'onlyInA' | 'onlyInB';

interface Settings {
	composite: boolean;
	trim: boolean;
	caseInsensitive: boolean;
	ignoreLeadingZeros: boolean;
	onDuplicateKeys: 'error' | 'aggregate' | 'first';
	aggregateA: boolean;
	aggregateB: boolean;
	absoluteTolerance: number;
	relativeTolerancePercent: number;
	/** how each compare field is compared, in FIELDS order */
	kinds: CompareKind[];
	/** whether an auto field leaves Compare As unset (a workflow saved before it existed) */
	omitAuto: boolean;
}

const FIELDS = {
	A: { keys: ['id', 'sku'], compare: ['amount', 'quantity', 'label'] },
	B: { keys: ['ID', 'SKU'], compare: ['AMOUNT', 'QTY', 'LABEL'] },
};

/** Every amount at 10^-SCALE units, so sums, differences and comparisons are plain BigInt. */
const SCALE = 40;

function referenceNumber(value: unknown): bigint | null {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return null;
		value = String(value);
	}
	if (typeof value !== 'string') return null;
	let text = value.trim();
	if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) text = text.split(',').join('');
	const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
	if (!match) return null;
	const [, sign, whole, fraction = '', exponent = '0'] = match;
	if (whole + fraction === '') return null;
	const units =
		BigInt(whole + fraction) * 10n ** BigInt(SCALE - fraction.length + Number(exponent));
	return sign === '-' ? -units : units;
}

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function referenceKey(
	record: IDataObject,
	names: string[],
	settings: Settings,
): string[] | 'missing' {
	const key: string[] = [];
	for (const name of names) {
		const value = record[name];
		if (value === undefined) return 'missing';
		if (typeof value === 'boolean') key.push(`boolean:${value}`);
		else if (value === null) key.push('null');
		else {
			let text = String(value);
			if (settings.trim) text = text.trim();
			if (settings.caseInsensitive) text = text.toLowerCase();
			if (settings.ignoreLeadingZeros) text = text.replace(/^0+(?=.)/, '');
			key.push(`text:${text}`);
		}
	}
	return key;
}

const sameKey = (a: string[], b: string[]) =>
	a.length === b.length && a.every((part, index) => part === b[index]);

type Value =
	| { kind: 'number'; units: bigint }
	| { kind: 'text'; text: string }
	| { kind: 'blank' }
	| { kind: 'invalid' };

/** The calendar day of every date-like spelling the datasets use; anything else is not a date. */
const DAY_OF: Record<string, string> = {
	'2026-11-01': '2026-11-01',
	'2026-11-01T00:00:00Z': '2026-11-01',
	'2026-11-01 23:59': '2026-11-01',
	'2026-11-01T23:30:00-05:00': '2026-11-01',
	' 2026-11-02T08:00:00.000+01:00 ': '2026-11-02',
	'2026-11-02': '2026-11-02',
};

function referenceText(value: unknown, settings: Settings): string {
	let text =
		typeof value === 'string'
			? value
			: typeof value === 'object'
				? JSON.stringify(value)
				: String(value);
	if (settings.trim) text = text.trim();
	if (settings.caseInsensitive) text = text.toLowerCase();
	return text;
}

/** One text, when every value has the same; otherwise invalid. */
function oneText(texts: string[]): Value {
	return new Set(texts).size === 1 ? { kind: 'text', text: texts[0] } : { kind: 'invalid' };
}

/** The value of a field over the rows of a key (one row, or every row of a roll-up), as its kind reads it. */
function referenceValue(values: unknown[], kind: CompareKind, settings: Settings): Value {
	const numbers = values.map(referenceNumber);
	const sum = () => ({
		kind: 'number' as const,
		units: numbers.reduce((total, number) => total! + number!, 0n)!,
	});
	switch (kind) {
		case 'number':
			if (numbers.every((number) => number !== null)) return sum();
			return values.every(isBlank) ? { kind: 'blank' } : { kind: 'invalid' };
		case 'auto':
			if (numbers.every((number) => number !== null)) return sum();
			if (values.every(isBlank)) return { kind: 'blank' };
			if (values.some(isBlank) || numbers.some((number) => number !== null))
				return { kind: 'invalid' };
			return oneText(values.map((value) => referenceText(value, settings)));
		case 'text': {
			const missing = (value: unknown) => value === undefined || value === null;
			if (values.every(missing)) return { kind: 'blank' };
			if (values.some(missing)) return { kind: 'invalid' };
			return oneText(values.map((value) => referenceText(value, settings)));
		}
		case 'date': {
			if (values.every(isBlank)) return { kind: 'blank' };
			const days = values.map((value) => (typeof value === 'string' ? DAY_OF[value] : undefined));
			if (days.some((day) => day === undefined)) return { kind: 'invalid' };
			return oneText(days as string[]);
		}
	}
}

interface Group {
	key: string[];
	rows: IDataObject[];
}

type Expected =
	| { error: string }
	| {
			statuses: Array<{ key: string[]; status: Status; differing: string[] }>;
			totals: Array<{ a: bigint; b: bigint; nonNumericA: number; nonNumericB: number }>;
	  };

function referenceReconcile(a: IDataObject[], b: IDataObject[], settings: Settings): Expected {
	const groupsOf = (records: IDataObject[], side: 'A' | 'B'): Group[] | { error: string } => {
		const names = FIELDS[side].keys.slice(0, settings.composite ? 2 : 1);
		const groups: Group[] = [];
		for (let index = 0; index < records.length; index++) {
			if (Object.keys(records[index]).length === 0) continue;
			const key = referenceKey(records[index], names, settings);
			if (key === 'missing') return { error: `Item ${index} of input ${side} has no field` };
			const group = groups.find((candidate) => sameKey(candidate.key, key));
			if (group) group.rows.push(records[index]);
			else groups.push({ key, rows: [records[index]] });
		}
		const aggregate = side === 'A' ? settings.aggregateA : settings.aggregateB;
		if (
			!aggregate &&
			settings.onDuplicateKeys === 'error' &&
			groups.some((group) => group.rows.length > 1)
		) {
			return {
				error: `Input ${side} has ${groups.filter((group) => group.rows.length > 1).length} key`,
			};
		}
		return groups;
	};
	const groupsA = groupsOf(a, 'A');
	if (!Array.isArray(groupsA)) return groupsA;
	const groupsB = groupsOf(b, 'B');
	if (!Array.isArray(groupsB)) return groupsB;

	const valueOf = (group: Group, side: 'A' | 'B', field: number): Value => {
		const aggregate = side === 'A' ? settings.aggregateA : settings.aggregateB;
		const rolledUp =
			aggregate || (settings.onDuplicateKeys === 'aggregate' && group.rows.length > 1);
		const rows = rolledUp ? group.rows : group.rows.slice(0, 1);
		return referenceValue(
			rows.map((row) => row[FIELDS[side].compare[field]]),
			settings.kinds[field],
			settings,
		);
	};
	const absolute = referenceNumber(settings.absoluteTolerance)!;
	const relative = referenceNumber(settings.relativeTolerancePercent)!;
	const abs = (units: bigint) => (units < 0n ? -units : units);
	const fieldMatches = (valueA: Value, valueB: Value) => {
		if (valueA.kind === 'number' && valueB.kind === 'number') {
			const delta = abs(valueB.units - valueA.units);
			if (delta <= absolute) return true;
			return (
				valueA.units !== 0n && delta * 100n * 10n ** BigInt(SCALE) <= relative * abs(valueA.units)
			);
		}
		if (valueA.kind === 'text' && valueB.kind === 'text') return valueA.text === valueB.text;
		return valueA.kind === 'blank' && valueB.kind === 'blank';
	};

	const statuses: Array<{ key: string[]; status: Status; differing: string[] }> = [];
	for (const groupA of groupsA) {
		const groupB = groupsB.find((candidate) => sameKey(candidate.key, groupA.key));
		if (!groupB) {
			statuses.push({ key: groupA.key, status: 'onlyInA', differing: [] });
			continue;
		}
		const differing = FIELDS.A.compare.filter(
			(_, field) => !fieldMatches(valueOf(groupA, 'A', field), valueOf(groupB, 'B', field)),
		);
		statuses.push({
			key: groupA.key,
			status: differing.length ? 'different' : 'matched',
			differing,
		});
	}
	for (const groupB of groupsB) {
		if (!groupsA.some((groupA) => sameKey(groupA.key, groupB.key)))
			statuses.push({ key: groupB.key, status: 'onlyInB', differing: [] });
	}

	const summable = FIELDS.A.compare
		.map((_, field) => field)
		.filter((field) => settings.kinds[field] === 'number' || settings.kinds[field] === 'auto');
	const totals = summable.map((field) => {
		const sideTotal = (records: IDataObject[], side: 'A' | 'B') => {
			const values = records
				.filter((record) => Object.keys(record).length > 0)
				.map((record) => referenceNumber(record[FIELDS[side].compare[field]]));
			return {
				sum: values.reduce<bigint>((sum, value) => sum + (value ?? 0n), 0n),
				nonNumeric: values.filter((value) => value === null).length,
			};
		};
		const totalA = sideTotal(a, 'A');
		const totalB = sideTotal(b, 'B');
		return {
			a: totalA.sum,
			b: totalB.sum,
			nonNumericA: totalA.nonNumeric,
			nonNumericB: totalB.nonNumeric,
		};
	});
	return { statuses, totals };
}

// ---- random datasets ----

/** Mostly customer ids, sometimes the values that trip key handling up. */
const keyValue = fc.oneof(
	{ weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }).map((id): unknown => `Cu${id}`) },
	{
		weight: 2,
		arbitrary: fc.constantFrom<unknown>(
			'7',
			'007',
			7,
			0,
			'0',
			'000',
			'',
			'a',
			'A',
			' a',
			'b',
			'0A',
			false,
			true,
			'false',
			null,
		),
	},
);
const skuValue = fc.constantFrom<unknown>('x', 'X', 1, '01', '');
const amount = fc.constantFrom(0, 1, 1.5, 10, 99.99, 1234.5, -2.25, 1e6);
const nudge = fc.constantFrom(0, 0, 0, 0, 0.01, -0.01, 0.5, 1, 12);
const form = fc.constantFrom('number', 'fixed', 'thousands', 'exponent', 'padded');
const oddValue = fc.constantFrom<unknown>(
	undefined,
	null,
	'',
	'  ',
	false,
	'N/A',
	'1,23',
	'12,34.5',
	'-0',
	0,
);
/** Codes, flags, dates in several spellings (see DAY_OF), numbers and blanks: what a label field may hold. */
const LABELS: unknown[] = [
	'USD',
	'usd',
	' USD',
	'EUR',
	'',
	'  ',
	null,
	undefined,
	false,
	true,
	'false',
	0,
	'0',
	12.5,
	'12.50',
	...Object.keys(DAY_OF),
	'11/01/2026',
	'2026-02-30',
];
const label = fc.constantFrom(...LABELS);
/** How B spells a key A has: as is, or differently in a way the normalisation options may or may not absorb. */
const spelling = fc.constantFrom(
	'same',
	'same',
	'same',
	'upper',
	'lower',
	'padded',
	'zeros',
	'otherType',
);

/** An amount written one of the ways billing data writes numbers. */
function written(value: number, how: string): unknown {
	value = Math.round(value * 100) / 100;
	switch (how) {
		case 'number':
			return value;
		case 'fixed':
			return value.toFixed(2);
		case 'thousands':
			return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
		case 'exponent':
			return `${Math.round(value * 100)}e-2`;
		default:
			return ` +${value} `.replace('+-', '-');
	}
}

function spelled(value: unknown, how: string): unknown {
	if (how === 'same' || typeof value === 'boolean' || value === null) return value;
	const text = String(value);
	switch (how) {
		case 'upper':
			return text.toUpperCase();
		case 'lower':
			return text.toLowerCase();
		case 'padded':
			return ` ${text}\t`;
		case 'zeros':
			return `00${text}`;
		default:
			return typeof value === 'number'
				? text
				: text !== '' && Number.isFinite(Number(text))
					? Number(text)
					: text;
	}
}

/**
 * One billing line as both sides may have it: how often each side has it (0 = only the other
 * side; 2 = a repeated key), how B spells the key, B's amounts nudged or slipped, every number
 * written its own way, now and then a blank or non-numeric value, rarely no key field at all.
 */
const line = fc.record({
	id: keyValue,
	sku: skuValue,
	amount,
	quantity: amount,
	copiesA: fc.constantFrom(0, 1, 1, 1, 1, 2),
	copiesB: fc.constantFrom(0, 1, 1, 1, 1, 2),
	spellingB: spelling,
	nudgeAmount: nudge,
	nudgeQuantity: nudge,
	/** a slipped decimal point on B: 1.5 billed as 15 */
	slipB: fc.constantFrom(1, 1, 1, 1, 1, 1, 10, 0.1),
	forms: fc.array(form, { minLength: 4, maxLength: 4 }),
	labelA: label,
	/** B's label: usually A's, else any */
	labelB: fc.oneof(
		{ weight: 3, arbitrary: fc.constant<unknown>('same') },
		{ weight: 2, arbitrary: label },
	),
	odd: fc.oneof(
		{ weight: 6, arbitrary: fc.constant(null) },
		{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1, 2, 3), oddValue) },
	),
	keyless: fc.oneof(
		{ weight: 60, arbitrary: fc.constant(null) },
		{ weight: 1, arbitrary: fc.constantFrom('A', 'B', 'empty') },
	),
});

type Line = typeof line extends fc.Arbitrary<infer T> ? T : never;

function recordsOf(lines: Line[], side: 'A' | 'B', rotate: number): IDataObject[] {
	const names = FIELDS[side];
	const records: IDataObject[] = [];
	for (const entry of lines) {
		const isA = side === 'A';
		const values = [
			written(
				isA ? entry.amount : (entry.amount + entry.nudgeAmount) * entry.slipB,
				entry.forms[isA ? 0 : 1],
			),
			written(entry.quantity + (isA ? 0 : entry.nudgeQuantity), entry.forms[isA ? 2 : 3]),
		];
		const odd = entry.odd;
		if (odd && odd[0] >> 1 === (isA ? 0 : 1)) values[odd[0] & 1] = odd[1];
		const record: Record<string, unknown> = {
			[names.keys[0]]: isA ? entry.id : spelled(entry.id, entry.spellingB),
			[names.keys[1]]: isA ? entry.sku : spelled(entry.sku, entry.spellingB),
			[names.compare[0]]: values[0],
			[names.compare[1]]: values[1],
			[names.compare[2]]: isA || entry.labelB === 'same' ? entry.labelA : entry.labelB,
		};
		if (entry.keyless === side) delete record[names.keys[0]];
		for (let copy = 0; copy < (isA ? entry.copiesA : entry.copiesB); copy++) {
			records.push(entry.keyless === 'empty' ? {} : withoutUndefined(record));
		}
	}
	// B lists its lines in another order than A.
	const shift = records.length ? rotate % records.length : 0;
	return side === 'A' ? records : [...records.slice(shift), ...records.slice(0, shift)];
}

function withoutUndefined(record: Record<string, unknown>): IDataObject {
	return Object.fromEntries(
		Object.entries(record).filter(([, value]) => value !== undefined),
	) as IDataObject;
}

const settings: fc.Arbitrary<Settings> = fc.record({
	composite: fc.boolean(),
	trim: fc.boolean(),
	caseInsensitive: fc.boolean(),
	ignoreLeadingZeros: fc.boolean(),
	onDuplicateKeys: fc.constantFrom('error', 'aggregate', 'first'),
	aggregateA: fc.boolean(),
	aggregateB: fc.boolean(),
	absoluteTolerance: fc.constantFrom(0, 0, 0.01, 0.5, 1, 10),
	relativeTolerancePercent: fc.constantFrom(0, 0, 0.1, 1, 5, 50, 100),
	kinds: fc.tuple(
		fc.constantFrom<CompareKind>('auto', 'auto', 'number', 'number', 'text', 'date'),
		fc.constantFrom<CompareKind>('auto', 'number', 'text'),
		fc.constantFrom<CompareKind>('auto', 'number', 'text', 'date'),
	),
	omitAuto: fc.boolean(),
});
const dataset = (maxLines: number) =>
	fc
		.record({ settings, lines: fc.array(line, { maxLength: maxLines }), rotate: fc.nat() })
		.map(({ settings, lines, rotate }) => ({
			settings,
			a: recordsOf(lines, 'A', rotate),
			b: recordsOf(lines, 'B', rotate),
		}));

// ---- the node's result, in the reference's terms ----

interface Outcome {
	statuses: Array<{ key: string[]; status: Status; differing: string[] }>;
}

/** Rows of the node's outputs as the reference sees them: its own key of the row's `key`. */
function outcomeOf(outputs: IDataObject[][], settings: Settings): Outcome {
	const statuses: Outcome['statuses'] = [];
	for (const rows of outputs) {
		for (const row of rows) {
			const key = referenceKey(
				row.key as IDataObject,
				FIELDS.A.keys.slice(0, settings.composite ? 2 : 1),
				settings,
			) as string[];
			statuses.push({
				key,
				status: row.status as Status,
				differing: (row.differences as IDataObject[]).map(
					(difference) => difference.field as string,
				),
			});
		}
	}
	return { statuses };
}

const byKey = (statuses: Outcome['statuses']) =>
	[...statuses].sort((x, y) => JSON.stringify(x.key).localeCompare(JSON.stringify(y.key)));

function nodeSpec(settings: Settings): ReconcileSpec {
	const keyCount = settings.composite ? 2 : 1;
	const tolerance = (value: number) => parseDecimal(String(value))!;
	return {
		matchFields: FIELDS.A.keys.slice(0, keyCount).map((fieldA, index) => ({
			fieldA,
			fieldB: FIELDS.B.keys[index],
			readA: fieldReader(fieldA),
			readB: fieldReader(FIELDS.B.keys[index]),
		})),
		compareFields: FIELDS.A.compare.map((fieldA, index) => ({
			fieldA,
			fieldB: FIELDS.B.compare[index],
			readA: fieldReader(fieldA),
			readB: fieldReader(FIELDS.B.compare[index]),
			compareAs: settings.kinds[index],
			absoluteTolerance: tolerance(settings.absoluteTolerance),
			relativeTolerancePercent: tolerance(settings.relativeTolerancePercent),
		})),
		keptFields: [],
		aggregateA: settings.aggregateA,
		aggregateB: settings.aggregateB,
		normalisation: {
			trim: settings.trim,
			caseInsensitive: settings.caseInsensitive,
			ignoreLeadingZeros: settings.ignoreLeadingZeros,
		},
		onDuplicateKeys: settings.onDuplicateKeys,
		includeMatched: true,
	};
}

const items = (records: IDataObject[]): INodeExecutionData[] => records.map((json) => ({ json }));

describe('Billing Reconcile classifies like the nested-loop reference', () => {
	it('in the join, over 1,000 random datasets', () => {
		fc.assert(
			fc.property(dataset(14), ({ settings, a, b }) => {
				const expected = referenceReconcile(a, b, settings);
				let result: ReturnType<typeof reconcile>;
				try {
					result = reconcile(items(a), items(b), nodeSpec(settings));
				} catch (error) {
					expect(expected).toHaveProperty('error');
					expect((error as Error).message.startsWith((expected as { error: string }).error)).toBe(
						true,
					);
					return;
				}
				expect(expected).not.toHaveProperty('error');
				const { statuses, totals } = expected as Exclude<Expected, { error: string }>;
				const outputs = [result.matched, result.different, result.onlyInA, result.onlyInB].map(
					(output) => output.map((item) => item.json),
				);
				expect(byKey(outcomeOf(outputs, settings).statuses)).toEqual(byKey(statuses));
				expect(
					result.totals.map((total) => ({
						a: referenceNumber(total.a.toString()),
						b: referenceNumber(total.b.toString()),
						nonNumericA: total.nonNumericA,
						nonNumericB: total.nonNumericB,
					})),
				).toEqual(totals);
			}),
			{ numRuns: 1000 },
		);
	});

	describe('through n8n’s engine', () => {
		const node = useReconcile();

		it('over 100 random datasets', async () => {
			await fc.assert(
				fc.asyncProperty(dataset(10), async ({ settings, a, b }) => {
					const expected = referenceReconcile(a, b, settings);
					const spec = nodeSpec(settings);
					const run = await node.run(
						{
							matchFields: pairs(
								...spec.matchFields.map(({ fieldA, fieldB }) => ({ fieldA, fieldB })),
							),
							compareFields: pairs(
								...spec.compareFields.map(({ fieldA, fieldB, compareAs }) => ({
									fieldA,
									fieldB,
									...(compareAs === 'auto' && settings.omitAuto ? {} : { compareAs }),
									absoluteTolerance: settings.absoluteTolerance,
									relativeTolerancePercent: settings.relativeTolerancePercent,
								})),
							),
							aggregateA: settings.aggregateA,
							aggregateB: settings.aggregateB,
							options: {
								trim: settings.trim,
								caseInsensitive: settings.caseInsensitive,
								ignoreLeadingZeros: settings.ignoreLeadingZeros,
								onDuplicateKeys: settings.onDuplicateKeys,
							},
						},
						{ a, b },
					);
					if (a.length === 0 && b.length === 0) {
						// n8n runs no node whose inputs have no items at all.
						expect(run.result.ran(run.nodeName)).toBe(false);
						return;
					}
					if ('error' in expected) {
						expect(run.error?.message.startsWith(expected.error)).toBe(true);
						return;
					}
					expect(run.error).toBeUndefined();
					const outcome = outcomeOf(
						[run.matched, run.different, run.onlyInA, run.onlyInB],
						settings,
					);
					expect(byKey(outcome.statuses)).toEqual(byKey(expected.statuses));
					const counts = run.summary.json.counts as Record<Status, number>;
					for (const status of ['matched', 'different', 'onlyInA', 'onlyInB'] as const) {
						expect(counts[status]).toBe(
							expected.statuses.filter((entry) => entry.status === status).length,
						);
					}
				}),
				{ numRuns: 100 },
			);
		});
	});
});
