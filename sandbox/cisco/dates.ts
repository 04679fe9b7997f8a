/**
 * Cisco timestamps: the spec's `YYYY-MM-DDTHH:MM:SS.000Z` (UTC, milliseconds always 000), and
 * the six-month look-back of date-range requests. Day numbers as in `../webex/dates`.
 */

import { DAY_MS } from '../webex/dates';

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

/** A spec timestamp (and a real instant: no month 13, no 25:00) to ms since epoch. */
export function parseTimestamp(value: unknown): number | undefined {
	if (typeof value !== 'string' || !TIMESTAMP_RE.test(value)) return undefined;
	const ms = Date.parse(value);
	return Number.isNaN(ms) || new Date(ms).toISOString() !== value ? undefined : ms;
}

export function formatTimestamp(ms: number) {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export function dayOf(ms: number) {
	return Math.floor(ms / DAY_MS);
}

/**
 * The same calendar day `months` months earlier; the last day of the month when that month is
 * shorter (31 Aug - 6 months = 28/29 Feb).
 */
export function minusMonths(day: number, months: number) {
	const d = new Date(day * DAY_MS);
	const monthIndex = d.getUTCFullYear() * 12 + d.getUTCMonth() - months;
	const y = Math.floor(monthIndex / 12);
	const m = monthIndex % 12;
	const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
	return dayOf(Date.UTC(y, m, Math.min(d.getUTCDate(), last)));
}
