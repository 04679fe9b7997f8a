/** Calendar dates as vendors use them: plain `YYYY-MM-DD`, no time, no zone (UTC days). */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a strict `YYYY-MM-DD` calendar date to its UTC midnight, or null if it is not one. */
export function parseIsoDate(text: string): Date | null {
	const match = ISO_DATE.exec(text);
	if (!match) return null;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	) {
		return null;
	}
	return date;
}

export function formatIsoDate(date: Date): string {
	return date.toISOString().slice(0, 10);
}

export function utcToday(now: Date = new Date()): Date {
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function addUtcYears(date: Date, years: number): Date {
	const shifted = new Date(date);
	shifted.setUTCFullYear(date.getUTCFullYear() + years);
	return shifted;
}

/** The same calendar day `months` later (earlier when negative), clamped to the month's last day. */
export function addUtcMonths(date: Date, months: number): Date {
	const firstOfTarget = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
	const lastDay = new Date(
		Date.UTC(firstOfTarget.getUTCFullYear(), firstOfTarget.getUTCMonth() + 1, 0),
	).getUTCDate();
	return new Date(
		Date.UTC(
			firstOfTarget.getUTCFullYear(),
			firstOfTarget.getUTCMonth(),
			Math.min(date.getUTCDate(), lastDay),
		),
	);
}

/** Days from start to end, both inclusive. */
export function daysInclusive(start: Date, end: Date): number {
	return Math.round((end.getTime() - start.getTime()) / DAY_MS) + 1;
}

/**
 * Reads a date parameter as n8n hands it over: a `YYYY-MM-DD` string, or a full ISO
 * date-time from the date picker or an expression (only its calendar date counts). Whatever
 * else an expression gives (an invalid Date, an object) comes back as text that is not a
 * date, for the caller to refuse by the parameter's name.
 */
export function toIsoDateText(value: unknown): string {
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? 'Invalid Date' : formatIsoDate(value);
	const text = (
		typeof value === 'object' && value !== null ? objectText(value) : String(value ?? '')
	).trim();
	const dateTime = /^(\d{4}-\d{2}-\d{2})T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
	return dateTime ? dateTime[1] : text;
}

/** An object as text without calling its own toString (which a JSON key can replace). */
function objectText(value: object): string {
	try {
		return JSON.stringify(value) ?? Object.prototype.toString.call(value);
	} catch {
		return Object.prototype.toString.call(value);
	}
}
