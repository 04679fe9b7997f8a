import { DecimalSum, formatDecimal, type DecimalValue } from '../../nodes/shared/numbers/decimal';
import {
	PlainDecimalReader,
	addAmount,
	isBlank,
	readAmount,
} from '../../nodes/BillingReconcile/numbers';

const text = (value: DecimalValue | null) => (value === null ? null : formatDecimal(value));

describe('readAmount', () => {
	it('takes JS numbers at their shortest decimal text', () => {
		expect(text(readAmount(0.1))).toBe('0.1');
		expect(text(readAmount(-12.5))).toBe('-12.5');
		expect(text(readAmount(5e-7))).toBe('0.0000005');
		expect(text(readAmount(1e21))).toBe('1000000000000000000000');
		// 2^53 + 1 on purpose: JavaScript reads the literal as 2^53.
		// eslint-disable-next-line no-loss-of-precision
		expect(text(readAmount(9007199254740993))).toBe('9007199254740992');
	});

	it('parses text with surrounding spaces, a sign and an exponent exactly', () => {
		expect(text(readAmount(' +1e3 '))).toBe('1000');
		expect(text(readAmount('-2.50'))).toBe('-2.5');
		expect(text(readAmount('1.5E-2'))).toBe('0.015');
		expect(text(readAmount('.5'))).toBe('0.5');
		expect(text(readAmount('12345678901234567890.123456789'))).toBe(
			'12345678901234567890.123456789',
		);
	});

	it('parses thousands separators between groups of three digits', () => {
		expect(text(readAmount('1,234.50'))).toBe('1234.5');
		expect(text(readAmount('12,345,678'))).toBe('12345678');
		expect(text(readAmount(' -1,000 '))).toBe('-1000');
	});

	it('refuses separators that could be a decimal comma or are misplaced', () => {
		for (const value of ['1,23', '1,2345', ',123', '1.234,50', '12,34.5', '1,,234', '1,234e3']) {
			expect(readAmount(value)).toBeNull();
		}
	});

	it('reads a compare value with an exponent no amount has as no number, at once', () => {
		const started = Date.now();
		expect(readAmount('1e300000000')).toBeNull();
		expect(addAmount(new DecimalSum(), '-2.5E+999999999')).toBe(false);
		expect(Date.now() - started).toBeLessThan(100);
	});

	it('reads blanks, booleans, words and non-finite numbers as no number, never 0', () => {
		for (const value of [
			'',
			'  ',
			null,
			undefined,
			false,
			true,
			'N/A',
			'$5',
			'1 234',
			NaN,
			Infinity,
			{},
			[1],
		]) {
			expect(readAmount(value)).toBeNull();
		}
	});
});

describe('isBlank', () => {
	it('is true for missing, null and empty or whitespace text', () => {
		for (const value of [undefined, null, '', ' \t ']) expect(isBlank(value)).toBe(true);
	});

	it('is false for 0, false and "0", which are values', () => {
		for (const value of [0, false, '0', 'x']) expect(isBlank(value)).toBe(false);
	});
});

describe('addAmount', () => {
	it('adds numbers and numeric text, thousands separators included, exactly', () => {
		const sum = new DecimalSum();
		for (const value of [0.1, '0.2', '1,000.05', ' 1e2 ', -0.35])
			expect(addAmount(sum, value)).toBe(true);
		expect(sum.toString()).toBe('1100');
	});

	it('refuses what is not a number and adds nothing', () => {
		const sum = new DecimalSum();
		sum.add('5');
		for (const value of ['', null, undefined, false, 'N/A', '1,23'])
			expect(addAmount(sum, value)).toBe(false);
		expect(sum.toString()).toBe('5');
	});
});

describe('PlainDecimalReader', () => {
	it('reads plain numbers and text as units at a scale, as readAmount values them', () => {
		const reader = new PlainDecimalReader();
		for (const value of [312.5, '312.50', '-3', '+0.25', 7, '007', '.5', '5.']) {
			expect(reader.read(value)).toBe(true);
			expect(formatDecimal({ units: BigInt(reader.units), scale: reader.scale })).toBe(
				text(readAmount(value)),
			);
		}
	});

	it('leaves separators, exponents, spaces, long numbers and non-numbers to readAmount', () => {
		const reader = new PlainDecimalReader();
		for (const value of [
			'1,234.50',
			'1e3',
			' 12',
			'1234567890123456',
			1e-7,
			'',
			'-',
			'.',
			'N/A',
			null,
			false,
			NaN,
		]) {
			expect(reader.read(value)).toBe(false);
		}
	});

	it('compares across scales: "2.50" equals 2.5, "2.51" does not', () => {
		const a = new PlainDecimalReader();
		const b = new PlainDecimalReader();
		a.read('2.50');
		b.read(2.5);
		expect(a.equals(b)).toBe(true);
		expect(b.equals(a)).toBe(true);
		b.read('2.51');
		expect(a.equals(b)).toBe(false);
	});
});
