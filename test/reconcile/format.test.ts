import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import {
	ReportNumbers,
	currencyCode,
	decimalsToShow,
	isKnownLocale,
} from '../../nodes/BillingReconcile/format';

const exact = (text: string) => parseDecimal(text)!;

describe('ReportNumbers.amount', () => {
	const numbers = new ReportNumbers('en-US');

	it('groups thousands and shows a fixed number of decimals, rounding half away from zero', () => {
		expect(numbers.amount(exact('6052.037938'), 2, null)).toBe('6,052.04');
		expect(numbers.amount(exact('-474.858824'), 2, null)).toBe('-474.86');
		expect(numbers.amount(exact('1234567'), 0, null)).toBe('1,234,567');
		expect(numbers.amount(exact('0.125'), 2, null)).toBe('0.13');
		expect(numbers.amount(exact('12.5'), 3, null)).toBe('12.500');
	});

	it('formats the exact decimal, not a float: no digits beyond 2^53 are lost', () => {
		expect(numbers.amount(exact('12345678901234567890.125'), 2, null)).toBe(
			'12,345,678,901,234,567,890.13',
		);
	});

	it('writes the currency the locale’s way', () => {
		expect(numbers.amount(exact('6052.037938'), 2, 'USD')).toBe('$6,052.04');
		expect(numbers.amount(exact('-12'), 2, 'EUR')).toBe('-€12.00');
		expect(numbers.amount(exact('5'), 2, 'CAD')).toBe('CA$5.00');
		expect(new ReportNumbers('de-DE').amount(exact('1234.5'), 2, 'EUR')).toBe('1.234,50\u00a0€');
	});

	it('signs differences: + for more, - for less, none for zero', () => {
		expect(numbers.amount(exact('1.5'), 2, 'USD', true)).toBe('+$1.50');
		expect(numbers.amount(exact('-1.5'), 2, null, true)).toBe('-1.50');
		expect(numbers.amount(exact('0'), 2, null, true)).toBe('0.00');
	});
});

describe('ReportNumbers.percent', () => {
	const numbers = new ReportNumbers('en-US');

	it('shows one decimal from 1 % up, with its sign', () => {
		expect(numbers.percent(exact('25'))).toBe('+25.0%');
		expect(numbers.percent(exact('-33.333333'))).toBe('-33.3%');
		expect(numbers.percent(exact('1'))).toBe('+1.0%');
	});

	it('shows two significant digits below 1 %, so a small difference does not read as 0.0 %', () => {
		expect(numbers.percent(exact('-0.049975'))).toBe('-0.05%');
		expect(numbers.percent(exact('0.000123'))).toBe('+0.00012%');
		expect(numbers.percent(exact('0'))).toBe('0%');
	});
});

describe('ReportNumbers.count', () => {
	it('groups the thousands of a row count', () => {
		expect([
			new ReportNumbers('en-US').count(1234567),
			new ReportNumbers('de-DE').count(20200),
		]).toEqual(['1,234,567', '20.200']);
	});
});

describe('ReportNumbers.currencyDecimals', () => {
	it('knows how many decimals each currency is written with', () => {
		const numbers = new ReportNumbers('en-US');
		expect([
			numbers.currencyDecimals('USD'),
			numbers.currencyDecimals('JPY'),
			numbers.currencyDecimals('BHD'),
		]).toEqual([2, 0, 3]);
	});
});

describe('decimalsToShow', () => {
	it('is the position of the first significant decimal digit, so the value does not read as zero', () => {
		expect([
			decimalsToShow(exact('0.004')),
			decimalsToShow(exact('-0.0125')),
			decimalsToShow(exact('12.5')),
			decimalsToShow(exact('0')),
			decimalsToShow(exact('100')),
		]).toEqual([3, 2, 0, 0, 0]);
	});
});

describe('currencyCode', () => {
	it('takes three letters in any case and spacing as an upper-case code', () => {
		expect([
			currencyCode('usd'),
			currencyCode(' EUR '),
			currencyCode('US Dollar'),
			currencyCode('$'),
			currencyCode(840),
			currencyCode(''),
		]).toEqual(['USD', 'EUR', null, null, null, null]);
	});
});

describe('isKnownLocale', () => {
	it('accepts locales Intl knows and refuses the rest', () => {
		expect([
			isKnownLocale('en-US'),
			isKnownLocale('de-DE'),
			isKnownLocale('fr-CH'),
			isKnownLocale('not a locale'),
			isKnownLocale('xx-QQ'),
		]).toEqual([true, true, true, false, false]);
	});
});
