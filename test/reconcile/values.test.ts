import { calendarDay, comparableText, textOf } from '../../nodes/BillingReconcile/values';

describe('calendarDay', () => {
	it('reads YYYY-MM-DD, with or without a time and a zone', () => {
		for (const spelling of [
			'2026-11-01',
			'2026-11-01T00:00:00Z',
			'2026-11-01T00:00:00.000Z',
			'2026-11-01 08:30',
			'2026-11-01T08:30:15,5+01:00',
			'2026-11-01T08:30:15+0100',
			'2026-11-01T08:30-05',
			'2026-11-01t08:30z',
		]) {
			expect([spelling, calendarDay(spelling)]).toEqual([spelling, '2026-11-01']);
		}
	});

	it('keeps the day as written whatever the offset', () => {
		expect(calendarDay('2026-11-01T23:30:00-05:00')).toBe('2026-11-01');
		expect(calendarDay('2026-11-01T00:30:00+14:00')).toBe('2026-11-01');
	});

	it('takes a JS Date by its UTC day, the day its JSON spells', () => {
		expect(calendarDay(new Date('2026-10-31T23:30:00-05:00'))).toBe('2026-11-01');
		expect(calendarDay(new Date('nonsense'))).toBeNull();
	});

	it('refuses impossible days and times, other orders and numbers', () => {
		for (const value of [
			'2026-02-29',
			'2026-13-01',
			'2026-11-01T24:00',
			'2026-11-01T12:60',
			'2026-11-01T12:00+25:00',
			'01/11/2026',
			'11/01/2026',
			'20261101',
			'2026-11',
			46327,
			1793491200000,
			null,
			true,
		]) {
			expect([value, calendarDay(value)]).toEqual([value, null]);
		}
	});
});

describe('textOf', () => {
	it('writes values as a person would: numbers at their shortest, booleans as words, objects as JSON', () => {
		expect([
			textOf('12.50'),
			textOf(12.5),
			textOf(false),
			textOf(0),
			textOf(''),
			textOf({ a: [1] }),
		]).toEqual(['12.50', '12.5', 'false', '0', '', '{"a":[1]}']);
	});

	it('has no text for a missing value or null', () => {
		expect([textOf(undefined), textOf(null)]).toEqual([null, null]);
	});
});

describe('comparableText', () => {
	it('applies Trim and Case-Insensitive only when they are on', () => {
		expect(comparableText(' Azure ', { trim: false, caseInsensitive: false })).toBe(' Azure ');
		expect(comparableText(' Azure ', { trim: true, caseInsensitive: true })).toBe('azure');
	});
});
