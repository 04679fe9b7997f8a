import type { IDataObject } from 'n8n-workflow';

import {
	absDecimal,
	compareDecimals,
	decimalToNumber,
	multiplyDecimals,
	percentOf,
	subtractDecimals,
} from '../shared/numbers/decimal';
import type { DecimalValue } from '../shared/numbers/decimal';
import type { FieldReader } from './keys';
import { isBlank, readAmount } from './numbers';
import { calendarDay, comparableText, textOf, type CompareKind, type TextRule } from './values';

/** A pair of fields, one per input; A's name is the one the outputs use. */
export interface FieldPair {
	fieldA: string;
	fieldB: string;
	readA: FieldReader;
	readB: FieldReader;
}

export interface CompareField extends FieldPair {
	compareAs: CompareKind;
	absoluteTolerance: DecimalValue;
	relativeTolerancePercent: DecimalValue;
}

/** Fields whose values are summed: in roll-ups, totals and the ranking of discrepancies. */
export function isSummable(field: CompareField): boolean {
	return field.compareAs === 'number' || field.compareAs === 'auto';
}

export interface FieldDifference extends IDataObject {
	/** the A-side field name */
	field: string;
	a: number | string | boolean | IDataObject | null;
	b: number | string | boolean | IDataObject | null;
	/** B − A; null when either side is not a number */
	delta: number | null;
	/** delta ÷ |A| × 100, rounded to 6 decimals; null when A is 0 or either side is not a number */
	deltaPercent: number | null;
}

/**
 * One side's value of a compare field, as the comparison needs it: the exact amount, the
 * text compared, or why there is neither. A blank (no value at all) has all three null.
 */
export interface SideValue {
	/** the exact value, when the field is compared as a number (number, auto) and reads as one */
	amount: DecimalValue | null;
	/** what a text comparison compares: the normalised text (text, auto), the calendar day (date) */
	text: string | null;
	/** what the record holds, for the output */
	raw: unknown;
	/** why the value cannot be compared: not a number (number), not a date, rows that disagree */
	problem: string | null;
}

const BLANK: SideValue = { amount: null, text: null, raw: null, problem: null };

/**
 * Reads one side's value of a compare field as its kind asks. No value is: missing or null,
 * and for number, auto and date also text that is empty once trimmed (as before compareAs
 * existed); for text, "" is a value, the empty text.
 */
export function sideValue(
	raw: unknown,
	side: 'A' | 'B',
	kind: CompareKind,
	rule: TextRule,
): SideValue {
	switch (kind) {
		case 'number': {
			const amount = readAmount(raw);
			if (amount !== null) return { amount, text: null, raw, problem: null };
			return isBlank(raw)
				? { ...BLANK, raw }
				: { amount: null, text: null, raw, problem: `${side} is not a number` };
		}
		case 'auto': {
			const amount = readAmount(raw);
			if (amount !== null) return { amount, text: null, raw, problem: null };
			if (isBlank(raw)) return { ...BLANK, raw };
			return { amount: null, text: comparableText(textOf(raw)!, rule), raw, problem: null };
		}
		case 'text': {
			const text = textOf(raw);
			return text === null
				? { ...BLANK, raw }
				: { amount: null, text: comparableText(text, rule), raw, problem: null };
		}
		case 'date': {
			if (isBlank(raw)) return { ...BLANK, raw };
			const day = calendarDay(raw);
			return day === null
				? { amount: null, text: null, raw, problem: `${side} is not a date` }
				: { amount: null, text: day, raw, problem: null };
		}
	}
}

/**
 * Whether B is within tolerance of A: |B − A| ≤ absolute tolerance, or A is not 0 and
 * |B − A| ÷ |A| × 100 ≤ relative tolerance. Both bounds inclusive; the relative test is
 * cross-multiplied (|delta| × 100 ≤ tolerance × |A|) so nothing is rounded.
 */
export function isWithinTolerance(
	field: CompareField,
	a: DecimalValue,
	delta: DecimalValue,
): boolean {
	const size = absDecimal(delta);
	if (compareDecimals(size, field.absoluteTolerance) <= 0) return true;
	if (a.units === 0n) return false;
	const percentTimesBase = multiplyDecimals(field.relativeTolerancePercent, absDecimal(a));
	return compareDecimals(multiplyDecimals(size, HUNDRED), percentTimesBase) <= 0;
}

const HUNDRED: DecimalValue = { units: 100n, scale: 0 };

/**
 * Compares one field of a pair; null when it matches. Two numbers match within tolerance;
 * two texts (or calendar days) when they are equal; two blanks always. Anything else is a
 * difference: a blank against a value, a value that cannot be read as the field's kind, a
 * number against text (auto), with an `error` that says why; two unequal texts or days
 * without one (there is nothing more to say).
 */
export function compareValues(
	field: CompareField,
	a: SideValue,
	b: SideValue,
): FieldDifference | null {
	if (a.amount !== null && b.amount !== null) {
		const delta = subtractDecimals(b.amount, a.amount);
		if (isWithinTolerance(field, a.amount, delta)) return null;
		const percent = percentOf(delta, absDecimal(a.amount));
		return {
			field: field.fieldA,
			a: decimalToNumber(a.amount),
			b: decimalToNumber(b.amount),
			delta: decimalToNumber(delta),
			deltaPercent: percent === null ? null : decimalToNumber(percent),
		};
	}
	if (a.problem === null && b.problem === null) {
		if (a.text !== null && b.text !== null) {
			return a.text === b.text ? null : valueDifference(field, a, b);
		}
		if (isBlankValue(a) && isBlankValue(b)) return null;
	}
	const error = [describe(a, b, 'A'), describe(b, a, 'B')].filter(Boolean).join('; ');
	return { ...valueDifference(field, a, b), error };
}

/** A difference of values that are not both numbers: there is no delta to give. */
function valueDifference(field: CompareField, a: SideValue, b: SideValue): FieldDifference {
	return {
		field: field.fieldA,
		a: outputValue(a),
		b: outputValue(b),
		delta: null,
		deltaPercent: null,
	};
}

const isBlankValue = (value: SideValue) =>
	value.amount === null && value.text === null && value.problem === null;

function outputValue(value: SideValue): FieldDifference['a'] {
	if (value.amount !== null) return decimalToNumber(value.amount);
	return value.raw === undefined ? null : (value.raw as FieldDifference['a']);
}

/** What is wrong with one side of a difference, or '' when nothing is. */
function describe(value: SideValue, other: SideValue, side: 'A' | 'B'): string {
	if (value.problem !== null) return value.problem;
	if (value.amount !== null) return '';
	// auto: text against a number
	if (value.text !== null) return other.amount !== null ? `${side} is not a number` : '';
	return `${side} has no value`;
}
