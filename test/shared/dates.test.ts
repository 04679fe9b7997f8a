import {
	addUtcMonths,
	daysInclusive,
	formatIsoDate,
	parseIsoDate,
	toIsoDateText,
} from '../../nodes/shared/numbers/dates';

describe('calendar dates', () => {
	it('accepts real YYYY-MM-DD dates only', () => {
		expect(parseIsoDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
		for (const text of ['2023-02-29', '2026-13-01', '2026-1-01', '2026-10-01T00:00:00Z', '']) {
			expect(parseIsoDate(text)).toBeNull();
		}
	});

	it('counts both ends of a period', () => {
		expect(daysInclusive(parseIsoDate('2026-10-01')!, parseIsoDate('2026-10-31')!)).toBe(31);
		expect(daysInclusive(parseIsoDate('2026-10-05')!, parseIsoDate('2026-10-05')!)).toBe(1);
	});

	it('reads an invalid Date or an object from an expression as text that is not a date', () => {
		for (const value of [
			new Date(Number.NaN),
			{ toString: [] },
			['2026-01-01'],
			Object.create(null),
		]) {
			expect(parseIsoDate(toIsoDateText(value))).toBeNull();
		}
		expect(toIsoDateText(new Date(Number.NaN))).toBe('Invalid Date');
	});

	it('takes the calendar date of a date-time from the date picker', () => {
		expect(toIsoDateText('2026-10-01T00:00:00')).toBe('2026-10-01');
		expect(toIsoDateText('2026-10-01')).toBe('2026-10-01');
	});
});

describe('addUtcMonths', () => {
	it('moves to the same calendar day, clamped to the end of a shorter month', () => {
		expect(formatIsoDate(addUtcMonths(new Date('2026-08-31T00:00:00Z'), -6))).toBe('2026-02-28');
		expect(formatIsoDate(addUtcMonths(new Date('2026-11-21T00:00:00Z'), -6))).toBe('2026-05-21');
		expect(formatIsoDate(addUtcMonths(new Date('2026-03-15T00:00:00Z'), -6))).toBe('2025-09-15');
	});
});
