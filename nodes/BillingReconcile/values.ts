import { parseIsoDate } from '../shared/numbers/dates';

/** How a compare field's two values are compared. */
export type CompareKind = 'auto' | 'number' | 'text' | 'date';

/** The key options that also apply to text comparisons. */
export interface TextRule {
	/** surrounding whitespace does not count */
	trim: boolean;
	/** "USD" ≡ "usd" */
	caseInsensitive: boolean;
}

/**
 * A value as text, the way a person would write it: text as it is, a number at its shortest
 * decimal text (12.5, not 12.50), true/false, an object or list as JSON. Null for no value
 * (missing or null).
 */
export function textOf(value: unknown): string | null {
	switch (typeof value) {
		case 'string':
			return value;
		case 'undefined':
			return null;
		case 'object':
			return value === null ? null : jsonText(value);
		default:
			return String(value);
	}
}

function jsonText(value: object): string {
	try {
		return JSON.stringify(value) ?? Object.prototype.toString.call(value);
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** The text as a text comparison sees it, after Trim and Case-Insensitive when they are on. */
export function comparableText(text: string, rule: TextRule): string {
	if (rule.trim) text = text.trim();
	if (rule.caseInsensitive) text = text.toLowerCase();
	return text;
}

/**
 * `YYYY-MM-DD`, optionally followed by a time (`T` or a space, then `HH:MM`, `HH:MM:SS` or
 * `HH:MM:SS.fff`) and a zone (`Z` or an offset such as `+01:00`, `+0100`, `+01`).
 */
const DATE_SPELLING =
	/^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/i;

/**
 * The calendar day a value names, as `YYYY-MM-DD`, or null when it is not a date.
 *
 * The day is the one written: a time and a zone offset do not move it, so
 * `2026-11-01T23:30:00-05:00` is 1 November although it is 2 November in UTC. Billing data
 * writes the day it means; converting to UTC (or to the server's zone) would shift days
 * written with an offset. A JS Date (an instant, from a Code node) counts by its UTC day,
 * the day its JSON spells. Numbers are not dates: an Excel serial and a Unix time look alike.
 */
export function calendarDay(value: unknown): string | null {
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
	if (typeof value !== 'string') return null;
	const match = DATE_SPELLING.exec(value.trim());
	if (!match) return null;
	const [, day, hours, minutes, seconds, offsetHours, offsetMinutes] = match;
	if (parseIsoDate(day) === null) return null;
	if (
		hours !== undefined &&
		!(Number(hours) <= 23 && Number(minutes) <= 59 && Number(seconds ?? 0) <= 59)
	)
		return null;
	if (offsetHours !== undefined && !(Number(offsetHours) <= 23 && Number(offsetMinutes ?? 0) <= 59))
		return null;
	return day;
}
