import { DecimalSum, formatDecimal, parseDecimal } from '../../nodes/shared/decimal';

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
		for (const value of ['', 'abc', '1,5', '.', '-', '1.2.3', 'NaN']) expect(sum.add(value)).toBe(false);
		expect(sum.add(Number.NaN)).toBe(false);
		expect(sum.toString()).toBe('2');
	});

	it('parses and formats signs, leading dots and exponents', () => {
		expect(formatDecimal(parseDecimal('-.5')!)).toBe('-0.5');
		expect(formatDecimal(parseDecimal('+2.50')!)).toBe('2.5');
		expect(formatDecimal(parseDecimal('7E+2')!)).toBe('700');
		expect(parseDecimal('1e-40')).toBeNull();
	});
});
