/** Plain UTC calendar-day helpers. A "day" is the integer number of days since 1970-01-01 (UTC). */

export const DAY_MS = 86400000;

/** Strict `YYYY-MM-DD` (a real calendar date, nothing before or after it) to a day number. */
export function parseDay(value: unknown): number | undefined {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
	const y = Number(value.slice(0, 4));
	const m = Number(value.slice(5, 7));
	const d = Number(value.slice(8, 10));
	if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
	const ms = Date.UTC(y, m - 1, d);
	const back = new Date(ms);
	if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d)
		return undefined;
	return Math.floor(ms / DAY_MS);
}

const formatCache: Map<number, string> = new Map();

/** @returns YYYY-MM-DD */
export function formatDay(day: number): string {
	let s = formatCache.get(day);
	if (s === undefined) {
		s = new Date(day * DAY_MS).toISOString().slice(0, 10);
		if (formatCache.size < 100000) formatCache.set(day, s);
	}
	return s;
}

export function todayDay(nowMs: number = Date.now()) {
	return Math.floor(nowMs / DAY_MS);
}

/** The same calendar day `years` years earlier (29 Feb becomes 28 Feb). */
export function minusYears(day: number, years: number) {
	const d = new Date(day * DAY_MS);
	const y = d.getUTCFullYear() - years;
	const m = d.getUTCMonth();
	let dd = d.getUTCDate();
	const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
	if (dd > last) dd = last;
	return Math.floor(Date.UTC(y, m, dd) / DAY_MS);
}
