// @ts-check
'use strict';

/** Plain UTC calendar-day helpers. A "day" is the integer number of days since 1970-01-01 (UTC). */

const DAY_MS = 86400000;

/**
 * Strict `YYYY-MM-DD` (a real calendar date, nothing before or after it) to a day number.
 * @param {unknown} value
 * @returns {number | undefined}
 */
function parseDay(value) {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
	const y = Number(value.slice(0, 4));
	const m = Number(value.slice(5, 7));
	const d = Number(value.slice(8, 10));
	if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
	const ms = Date.UTC(y, m - 1, d);
	const back = new Date(ms);
	if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
	return Math.floor(ms / DAY_MS);
}

/** @type {Map<number, string>} */
const formatCache = new Map();

/**
 * @param {number} day
 * @returns {string} YYYY-MM-DD
 */
function formatDay(day) {
	let s = formatCache.get(day);
	if (s === undefined) {
		s = new Date(day * DAY_MS).toISOString().slice(0, 10);
		if (formatCache.size < 100000) formatCache.set(day, s);
	}
	return s;
}

/** @param {number} [nowMs] */
function todayDay(nowMs = Date.now()) {
	return Math.floor(nowMs / DAY_MS);
}

/**
 * The same calendar day `years` years earlier (29 Feb becomes 28 Feb).
 * @param {number} day
 * @param {number} years
 */
function minusYears(day, years) {
	const d = new Date(day * DAY_MS);
	const y = d.getUTCFullYear() - years;
	const m = d.getUTCMonth();
	let dd = d.getUTCDate();
	const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
	if (dd > last) dd = last;
	return Math.floor(Date.UTC(y, m, dd) / DAY_MS);
}

module.exports = { DAY_MS, parseDay, formatDay, todayDay, minusYears };
