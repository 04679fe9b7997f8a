/**
 * The date readers under hostile input: parseIsoDate and toIsoDateText (every date parameter),
 * addUtcMonths and daysInclusive (Cisco's six-month rule, Webex seats), parseRetryAfter (every
 * wait a server asks for). Any input gives a date, a wait or "none" — never an exception,
 * never a wait that is negative or not a number.
 */
import fc from 'fast-check';

import {
	addUtcMonths,
	daysInclusive,
	formatIsoDate,
	parseIsoDate,
	toIsoDateText,
} from '../../nodes/shared/numbers/dates';
import { parseRetryAfter } from '../../nodes/shared/transport/retry';
import { fuzzParameters, fuzzReader } from './fuzz';

const fuzz = fuzzReader('dates');

/** Text shaped like the dates users, the date picker and expressions give. */
const dateLikeText = fc.oneof(
	fc.stringMatching(/^\d{1,5}-\d{1,3}-\d{1,3}$/),
	fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/),
	fc.string({
		unit: fc.constantFrom('0', '1', '2', '9', '-', 'T', ':', 'Z', '.', ' ', '+'),
		maxLength: 30,
	}),
	fc.string({ maxLength: 30 }),
);

const calendarDay = fc
	.date({
		min: new Date(Date.UTC(1900, 0, 1)),
		max: new Date(Date.UTC(2200, 11, 31)),
		noInvalidDate: true,
	})
	.map((date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())));

describe('date readers fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('parseIsoDate gives a real calendar date that writes back the same, or null', async () => {
		await fc.assert(
			fc.asyncProperty(dateLikeText, async (text) => {
				await fuzz.outcome(() => {
					const date = parseIsoDate(text);
					if (date !== null) expect(formatIsoDate(date)).toBe(text);
				}, []);
			}),
			fuzzParameters(3000),
		);
	});

	it('toIsoDateText reads any parameter value as text', async () => {
		await fc.assert(
			fc.asyncProperty(fc.oneof(dateLikeText, fc.date(), fc.anything()), async (value) => {
				await fuzz.outcome(() => expect(typeof toIsoDateText(value)).toBe('string'), []);
			}),
			fuzzParameters(2000),
		);
	});

	it('addUtcMonths lands in the right month, on the same day or the month end, and daysInclusive counts it', async () => {
		await fc.assert(
			fc.asyncProperty(calendarDay, fc.integer({ min: -1200, max: 1200 }), async (date, months) => {
				await fuzz.outcome(() => {
					const moved = addUtcMonths(date, months);
					const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
					expect(moved.getUTCFullYear() * 12 + moved.getUTCMonth()).toBe(monthIndex);
					expect(moved.getUTCDate()).toBe(
						Math.min(
							date.getUTCDate(),
							new Date(Date.UTC(moved.getUTCFullYear(), moved.getUTCMonth() + 1, 0)).getUTCDate(),
						),
					);
					const [first, last] = moved < date ? [moved, date] : [date, moved];
					expect(daysInclusive(first, last)).toBe(
						Math.round((last.getTime() - first.getTime()) / 86_400_000) + 1,
					);
				}, []);
			}),
			fuzzParameters(2000),
		);
	});

	it('parseRetryAfter gives a wait of 0 or more milliseconds, or none, for any header value', async () => {
		// What an HTTP client hands over as a header: text, repeated text, a number, nothing.
		const headerValue = fc.oneof(
			fc.stringMatching(/^\s?\d{1,25}\s?$/),
			fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
			fc.string({ maxLength: 40 }),
			fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
			fc.double(),
			fc.constantFrom(undefined, null, ''),
		);
		await fc.assert(
			fc.asyncProperty(headerValue, async (value) => {
				await fuzz.outcome(() => {
					const wait = parseRetryAfter(value);
					if (wait !== undefined) expect(Number.isFinite(wait) && wait >= 0).toBe(true);
				}, []);
			}),
			fuzzParameters(2000),
		);
	});
});
