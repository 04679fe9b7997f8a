import fc from 'fast-check';

import {
	DecimalSum,
	absDecimal,
	compareDecimals,
	formatDecimal,
	multiplyDecimals,
	parseDecimal,
	percentOf,
	shortDecimalScale,
	subtractDecimals,
	type DecimalValue,
} from '../../nodes/shared/numbers/decimal';

const d = (text: string): DecimalValue => parseDecimal(text)!;

describe('exact decimal sums', () => {
	it('sums one million times 0.1 to exactly 100000', () => {
		const sum = new DecimalSum();
		for (let index = 0; index < 1_000_000; index++) sum.add('0.1');
		expect(sum.toString()).toBe('100000');
		expect(sum.toNumber()).toBe(100000);
	});

	it('sums numbers at their shortest decimal text, not as binary floats', () => {
		const sum = new DecimalSum();
		sum.add(0.1);
		sum.add(0.2);
		expect(sum.toNumber()).toBe(0.3);
	});

	it('keeps mixed scales exact', () => {
		const sum = new DecimalSum();
		['12.5', '0.25', '-3', '1e3', '1.5E-2'].forEach((value) => sum.add(value));
		expect(sum.toString()).toBe('1009.765');
	});

	it('moves to BigInt past 2^53 without losing a unit', () => {
		const sum = new DecimalSum();
		sum.add('9007199254740991');
		sum.add('0.01');
		sum.add('9007199254740991');
		expect(sum.toString()).toBe('18014398509481982.01');
	});

	it('refuses text that is not a number and adds nothing', () => {
		const sum = new DecimalSum();
		sum.add('2');
		for (const value of ['', 'abc', '1,5', '.', '-', '1.2.3', 'NaN'])
			expect(sum.add(value)).toBe(false);
		expect(sum.add(Number.NaN)).toBe(false);
		expect(sum.toString()).toBe('2');
	});

	it('refuses at once an exponent no amount has, instead of writing out its digits', () => {
		const started = Date.now();
		expect(parseDecimal('1e300000000')).toBeNull();
		expect(parseDecimal(`1e${'9'.repeat(400)}`)).toBeNull();
		expect(new DecimalSum().add('1e999999999')).toBe(false);
		expect(Date.now() - started).toBeLessThan(100);
		expect(formatDecimal(parseDecimal('1.5e400')!)).toBe(`15${'0'.repeat(399)}`);
	});

	it('parses and formats signs, leading dots and exponents', () => {
		expect(formatDecimal(parseDecimal('-.5')!)).toBe('-0.5');
		expect(formatDecimal(parseDecimal('+2.50')!)).toBe('2.5');
		expect(formatDecimal(parseDecimal('7E+2')!)).toBe('700');
		expect(parseDecimal('1e-40')).toBeNull();
	});
});

describe('exact decimal comparison and arithmetic', () => {
	it('compares across scales: 2.50 equals 2.5, 0.1 is less than 0.10001', () => {
		expect(compareDecimals(d('2.50'), d('2.5'))).toBe(0);
		expect(compareDecimals(d('0.1'), d('0.10001'))).toBe(-1);
		expect(compareDecimals(d('-3'), d('-3.5'))).toBe(1);
	});

	it('subtracts without binary rounding: 0.3 − 0.1 is exactly 0.2', () => {
		expect(formatDecimal(subtractDecimals(d('0.3'), d('0.1')))).toBe('0.2');
		expect(formatDecimal(subtractDecimals(d('100'), d('100.005')))).toBe('-0.005');
	});

	it('subtracts past 2^53 without losing a unit', () => {
		expect(formatDecimal(subtractDecimals(d('90071992547409930.01'), d('0.02')))).toBe(
			'90071992547409929.99',
		);
	});

	it('multiplies exactly, scales adding up', () => {
		expect(formatDecimal(multiplyDecimals(d('1.5'), d('0.02')))).toBe('0.03');
	});

	it('takes the absolute value', () => {
		expect(formatDecimal(absDecimal(d('-12.5')))).toBe('12.5');
		expect(formatDecimal(absDecimal(d('7')))).toBe('7');
	});

	it('gives a percentage rounded half away from zero, null for a zero whole', () => {
		expect(formatDecimal(percentOf(d('1'), d('3'))!)).toBe('33.333333');
		expect(formatDecimal(percentOf(d('-2'), d('3'))!)).toBe('-66.666667');
		expect(formatDecimal(percentOf(d('0.5'), d('-200'), 2)!)).toBe('-0.25');
		expect(formatDecimal(percentOf(d('1'), d('8'), 1)!)).toBe('12.5');
		expect(formatDecimal(percentOf(d('1'), d('16'), 1)!)).toBe('6.3');
		expect(percentOf(d('5'), d('0.00'))).toBeNull();
	});
});

describe('shortDecimalScale', () => {
	const shortestText = (value: number) => formatDecimal(parseDecimal(String(value))!);
	const fromScale = (value: number, scale: number) =>
		formatDecimal({ units: BigInt(Math.round(value * 10 ** scale)), scale });

	it('finds the decimals of money-like numbers: 0.1, 312.5, -2.25, 99.999999', () => {
		expect([0.1, 312.5, -2.25, 99.999999, 7, -0].map(shortDecimalScale)).toEqual([
			1, 1, 2, 6, 0, 0,
		]);
	});

	it('gives -1 for more than 6 decimals, more than 15 digits, and non-finite numbers', () => {
		expect(
			[1e-7, 0.1 + 0.2, 1234567890123.456, 1e21, NaN, Infinity].map(shortDecimalScale),
		).toEqual([-1, -1, -1, -1, -1, -1]);
	});

	it('agrees with the shortest decimal text of any double whenever it answers', () => {
		fc.assert(
			fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
				const scale = shortDecimalScale(value);
				if (scale >= 0) expect(fromScale(value, scale)).toBe(shortestText(value));
			}),
			{ numRuns: 20000 },
		);
	});

	it('answers for every amount of up to 13 digits and 2 decimals', () => {
		fc.assert(
			fc.property(fc.integer({ min: -(10 ** 13), max: 10 ** 13 }), (cents) => {
				const value = cents / 100;
				const scale = shortDecimalScale(value);
				expect(scale).toBeGreaterThanOrEqual(0);
				expect(fromScale(value, scale)).toBe(shortestText(value));
			}),
			{ numRuns: 20000 },
		);
	});
});

describe('DecimalSum with numbers', () => {
	it('sums any doubles exactly as their shortest decimal texts', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.oneof(
						fc.double({ min: -1e9, max: 1e9, noNaN: true }),
						fc.integer().map((cents) => cents / 100),
					),
				),
				(values) => {
					const fromNumbers = new DecimalSum();
					const fromTexts = new DecimalSum();
					for (const value of values) {
						fromNumbers.add(value);
						fromTexts.add(String(value));
					}
					expect(fromNumbers.toString()).toBe(fromTexts.toString());
				},
			),
		);
	});
});
