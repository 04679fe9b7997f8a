import type { IDataObject } from 'n8n-workflow';

import { absDecimal, compareDecimals, decimalToNumber, multiplyDecimals, percentOf, subtractDecimals } from '../shared/numbers/decimal';
import type { DecimalValue } from '../shared/numbers/decimal';
import type { FieldReader } from './keys';
import { isBlank, readAmount } from './numbers';

/** A pair of fields, one per input; A's name is the one the outputs use. */
export interface FieldPair {
	fieldA: string;
	fieldB: string;
	readA: FieldReader;
	readB: FieldReader;
}

export interface CompareField extends FieldPair {
	absoluteTolerance: DecimalValue;
	relativeTolerancePercent: DecimalValue;
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
 * One side's value of a compare field, as the comparison needs it: the exact amount, or why
 * there is none. `problem` is null for a number and for a blank (no value at all).
 */
export interface SideValue {
	amount: DecimalValue | null;
	/** what the record holds, for the output when it is not a number */
	raw: unknown;
	problem: string | null;
}

export function sideValue(raw: unknown, side: 'A' | 'B'): SideValue {
	const amount = readAmount(raw);
	if (amount !== null) return { amount, raw, problem: null };
	return { amount: null, raw, problem: isBlank(raw) ? null : `${side} is not a number` };
}

/**
 * Whether B is within tolerance of A: |B − A| ≤ absolute tolerance, or A is not 0 and
 * |B − A| ÷ |A| × 100 ≤ relative tolerance. Both bounds inclusive; the relative test is
 * cross-multiplied (|delta| × 100 ≤ tolerance × |A|) so nothing is rounded.
 */
export function isWithinTolerance(field: CompareField, a: DecimalValue, delta: DecimalValue): boolean {
	const size = absDecimal(delta);
	if (compareDecimals(size, field.absoluteTolerance) <= 0) return true;
	if (a.units === 0n) return false;
	const percentTimesBase = multiplyDecimals(field.relativeTolerancePercent, absDecimal(a));
	return compareDecimals(multiplyDecimals(size, HUNDRED), percentTimesBase) <= 0;
}

const HUNDRED: DecimalValue = { units: 100n, scale: 0 };

/**
 * Compares one field of a pair; null when it matches. Two numbers match within tolerance;
 * two blanks (missing, null, "") match; anything else — a blank against a number, text
 * that is not a number — is a difference that says why, with no delta.
 */
export function compareValues(field: CompareField, a: SideValue, b: SideValue): FieldDifference | null {
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
	if (a.amount === null && b.amount === null && a.problem === null && b.problem === null) return null;
	return {
		field: field.fieldA,
		a: outputValue(a),
		b: outputValue(b),
		delta: null,
		deltaPercent: null,
		error: [describe(a, 'A'), describe(b, 'B')].filter(Boolean).join('; '),
	};
}

function outputValue(value: SideValue): FieldDifference['a'] {
	if (value.amount !== null) return decimalToNumber(value.amount);
	return value.raw === undefined ? null : (value.raw as FieldDifference['a']);
}

function describe(value: SideValue, side: 'A' | 'B'): string {
	if (value.amount !== null) return '';
	return value.problem ?? `${side} has no value`;
}
