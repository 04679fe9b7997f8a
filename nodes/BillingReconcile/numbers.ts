import {
	DecimalSum,
	parseDecimal,
	shortDecimalScale,
	type DecimalValue,
} from '../shared/numbers/decimal';

/** "1,234,567.89": commas only between groups of exactly three integer digits. */
const THOUSANDS_PATTERN = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

/**
 * The exact value of a compare field, or null when it holds no number.
 *
 * JS numbers are taken at their shortest decimal text (what JSON or the user wrote: 0.1 is
 * 0.1, not 0.1000000000000000055…). Text may have surrounding spaces, a sign, an exponent
 * ("1e3", "1.5E-2") and thousands separators ("1,234.50"). Anything else — "", null,
 * false, "N/A", "1,23" (a decimal comma?), "$5" — is not a number: it is reported, never
 * read as 0.
 */
export function readAmount(value: unknown): DecimalValue | null {
	if (typeof value === 'number') {
		if (Number.isSafeInteger(value)) return { units: BigInt(value), scale: 0 };
		return Number.isFinite(value) ? parseDecimal(String(value)) : null;
	}
	if (typeof value !== 'string') return null;
	return parseDecimal(value) ?? parseWithThousandsSeparators(value);
}

function parseWithThousandsSeparators(text: string): DecimalValue | null {
	const trimmed = text.trim();
	if (!THOUSANDS_PATTERN.test(trimmed)) return null;
	return parseDecimal(trimmed.replace(/,/g, ''));
}

/** No value at all: missing, null, or text that is empty once trimmed. */
export function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

/**
 * Adds a compare field's value to an exact sum; false (and nothing added) when it is not a
 * number. The common plain forms take DecimalSum's allocation-free path.
 */
export function addAmount(sum: DecimalSum, value: unknown): boolean {
	if (typeof value === 'number') return sum.add(value);
	if (typeof value !== 'string') return false;
	if (sum.add(value)) return true;
	const parsed = parseWithThousandsSeparators(value);
	if (parsed === null) return false;
	sum.addDecimal(parsed);
	return true;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/**
 * The hot path of an exact compare: reads a plain decimal — a JS number of at most 15
 * significant digits and 6 decimals, or text such as "312.50" or "-3" with at most 15
 * digits — as a safe-integer count of 10^-scale units, without BigInt or allocation.
 * `read` returns false for anything else (thousands separators, exponents, spaces, long
 * numbers, non-numbers); readAmount then decides.
 * One instance per side and execution: it holds the last value read.
 */
export class PlainDecimalReader {
	units = 0;
	scale = 0;

	read(value: unknown): boolean {
		if (typeof value === 'number') {
			const scale = shortDecimalScale(value);
			if (scale < 0) return false;
			this.units = Math.round(value * POWERS_OF_TEN[scale]);
			this.scale = scale;
			return true;
		}
		return typeof value === 'string' && this.readText(value);
	}

	/** Whether the last values read by two readers are the same number (2.50 equals 2.5). */
	equals(other: PlainDecimalReader): boolean {
		if (this.scale === other.scale) return this.units === other.units;
		if (this.scale > other.scale)
			return alignedEqual(other.units, this.scale - other.scale, this.units);
		return alignedEqual(this.units, other.scale - this.scale, other.units);
	}

	private readText(text: string): boolean {
		const length = text.length;
		if (length === 0 || length > 16) return false;
		let index = 0;
		let negative = false;
		const first = text.charCodeAt(0);
		if (first === 45 /* - */ || first === 43 /* + */) {
			negative = first === 45;
			index = 1;
		}
		let units = 0;
		let digits = 0;
		let fractionDigits = -1;
		for (; index < length; index++) {
			const code = text.charCodeAt(index);
			if (code >= 48 && code <= 57) {
				units = units * 10 + (code - 48);
				digits++;
				if (fractionDigits >= 0) fractionDigits++;
			} else if (code === 46 /* . */ && fractionDigits < 0) {
				fractionDigits = 0;
			} else {
				return false;
			}
		}
		if (digits === 0 || digits > 15) return false;
		this.units = negative ? -units : units;
		this.scale = fractionDigits > 0 ? fractionDigits : 0;
		return true;
	}
}

function alignedEqual(coarseUnits: number, scaleGap: number, fineUnits: number): boolean {
	const aligned = coarseUnits * POWERS_OF_TEN[scaleGap];
	return Number.isSafeInteger(aligned) && aligned === fineUnits;
}
