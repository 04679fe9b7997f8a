/**
 * The number readers under hostile input: parseDecimal and DecimalSum (every vendor sum),
 * Billing Reconcile's readAmount, addAmount and PlainDecimalReader. Any text or value gives
 * a number or "not a number" — never an exception — at once, and the fast reader agrees with
 * the exact one whenever it answers.
 */
import fc from 'fast-check';

import { addAmount, PlainDecimalReader, readAmount } from '../../nodes/BillingReconcile/numbers';
import {
	DecimalSum,
	compareDecimals,
	parseDecimal,
	type DecimalValue,
} from '../../nodes/shared/numbers/decimal';
import { fuzzParameters, fuzzReader } from './fuzz';

const fuzz = fuzzReader('numbers');

/** Text that looks like a number, with signs, dots, exponents (huge ones too) and separators. */
const numberLikeText = fc.oneof(
	fc.stringMatching(/^\s?[+-]?\d{0,20}(\.\d{0,20})?([eE][+-]?\d{1,12})?\s?$/),
	fc.stringMatching(/^[+-]?\d{1,3}(,\d{3}){0,4}(\.\d{0,6})?$/),
	fc.string({
		unit: fc.constantFrom('0', '1', '9', '.', ',', '-', '+', 'e', 'E', ' ', '_', 'x'),
		maxLength: 30,
	}),
	fc.string({ maxLength: 30 }),
);

/** Anything a vendor file or an n8n item can hold where a number is expected. */
const anyValue = fc.oneof(
	numberLikeText,
	fc.double(),
	fc.integer(),
	fc.bigInt(),
	fc.boolean(),
	fc.constant(null),
	fc.constant(undefined),
	fc.anything(),
);

const isDecimal = (value: DecimalValue | null) =>
	value === null ||
	(typeof value.units === 'bigint' &&
		Number.isInteger(value.scale) &&
		value.scale >= 0 &&
		value.scale <= 30);

describe('number readers fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('parseDecimal gives an exact decimal or null for any text, at once', async () => {
		await fc.assert(
			fc.asyncProperty(numberLikeText, async (text) => {
				await fuzz.outcome(() => expect(isDecimal(parseDecimal(text))).toBe(true), []);
			}),
			fuzzParameters(3000),
		);
	});

	it('DecimalSum adds what is a number, refuses the rest, and never throws', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.oneof(numberLikeText, fc.double(), fc.integer()), { maxLength: 20 }),
				async (values) => {
					await fuzz.outcome(() => {
						const sum = new DecimalSum();
						const exact = new DecimalSum();
						for (const value of values) {
							const added = sum.add(value);
							expect(typeof added).toBe('boolean');
							// What it took is what an exact parse of the same value gives.
							const parsed =
								typeof value === 'number'
									? Number.isFinite(value)
										? readAmount(value)
										: null
									: parseDecimal(value);
							expect(added).toBe(parsed !== null);
							if (parsed) exact.addDecimal(parsed);
						}
						expect(compareDecimals(sum.value, exact.value)).toBe(0);
					}, []);
				},
			),
			fuzzParameters(1500),
		);
	});

	it("Billing Reconcile's readAmount and addAmount read any value as a number or as none", async () => {
		await fc.assert(
			fc.asyncProperty(anyValue, async (value) => {
				await fuzz.outcome(() => {
					const amount = readAmount(value);
					expect(isDecimal(amount)).toBe(true);
					expect(addAmount(new DecimalSum(), value)).toBe(amount !== null);
				}, []);
			}),
			fuzzParameters(3000),
		);
	});

	it("Billing Reconcile's fast reader agrees with readAmount whenever it answers", async () => {
		await fc.assert(
			fc.asyncProperty(anyValue, async (value) => {
				await fuzz.outcome(() => {
					const reader = new PlainDecimalReader();
					if (!reader.read(value)) return;
					const amount = readAmount(value);
					expect(amount).not.toBeNull();
					expect(
						compareDecimals({ units: BigInt(reader.units), scale: reader.scale }, amount!),
					).toBe(0);
				}, []);
			}),
			fuzzParameters(3000),
		);
	});
});
