/**
 * Exact decimal arithmetic for money and quantities.
 *
 * A value is an integer count of 10^-scale units. Sums stay in plain JS numbers while they
 * are safe integers (the common case, and fast); they move to BigInt only when a sum would
 * outgrow 2^53. Floats are never added, so 1,000,000 × "0.1" is exactly 100000.
 */

export interface DecimalValue {
	/** the value × 10^scale, as an integer */
	units: bigint;
	scale: number;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_SCALE = 30;
/**
 * No amount has an exponent beyond this (doubles end near 1e308). Without the bound, "1e300000000"
 * in a file would be written out as 300 million digits: half a minute and 300 MB per value.
 */
const MAX_EXPONENT = 400;

/**
 * Parses a decimal written as text ("12.5", "-3", "1e3", "1.5E-05", ".5").
 * Returns null when the text is not a plain decimal number, or its exponent is beyond ±400.
 */
export function parseDecimal(text: string): DecimalValue | null {
	const match = DECIMAL_PATTERN.exec(text.trim());
	if (!match) return null;
	const [, sign, integerDigits, fractionDigits = '', exponentText] = match;
	if (integerDigits === '' && fractionDigits === '') return null;
	const exponent = exponentText ? Number(exponentText) : 0;
	if (!(Math.abs(exponent) <= MAX_EXPONENT)) return null;
	let digits = integerDigits + fractionDigits;
	let scale = fractionDigits.length - exponent;
	if (scale < 0) {
		digits += '0'.repeat(-scale);
		scale = 0;
	}
	if (scale > MAX_SCALE) return null;
	const units = BigInt(digits === '' ? '0' : digits);
	return { units: sign === '-' ? -units : units, scale };
}

/** Writes an exact decimal as plain text without exponent, trimming trailing zeros. */
export function formatDecimal({ units, scale }: DecimalValue): string {
	const negative = units < 0n;
	let digits = (negative ? -units : units).toString();
	if (scale > 0) {
		digits = digits.padStart(scale + 1, '0');
		const integerPart = digits.slice(0, digits.length - scale);
		const fractionPart = digits.slice(digits.length - scale).replace(/0+$/, '');
		digits = fractionPart ? `${integerPart}.${fractionPart}` : integerPart;
	}
	return negative && digits !== '0' ? `-${digits}` : digits;
}

/**
 * The nearest JS number to an exact decimal. Going through the shortest decimal text keeps
 * what users see ("100000", "12.34") exactly as computed.
 */
export function decimalToNumber(value: DecimalValue): number {
	return Number(formatDecimal(value));
}

const POWERS_OF_TEN = Array.from({ length: MAX_SCALE + 1 }, (_, exponent) => 10 ** exponent);

const MAX_SHORT_SCALE = 6;

/**
 * How many decimals a finite number's shortest decimal text has, found without formatting
 * it, when that is at most 6 and the text has at most 15 significant digits; -1 otherwise.
 * The value is then exactly Math.round(value × 10^scale) units. Why: units ÷ 10^scale is
 * correctly rounded, so it gives the number back only if the number is the double nearest
 * that decimal, and decimals of at most 15 significant digits map to distinct doubles, so
 * that decimal is the one the shortest text spells (0.1 → 1, not 0.1000000000000000055…).
 */
export function shortDecimalScale(value: number): number {
	for (let scale = 0; scale <= MAX_SHORT_SCALE; scale++) {
		const units = Math.round(value * POWERS_OF_TEN[scale]);
		if (!(units < 1e15 && units > -1e15)) return -1;
		if (units / POWERS_OF_TEN[scale] === value) return scale;
	}
	return -1;
}

/**
 * Accumulates an exact sum of decimal texts or numbers.
 * Numbers are taken at their shortest decimal representation (what JSON or a user wrote).
 */
export class DecimalSum {
	private safeUnits = 0;
	private bigUnits: bigint | null = null;
	private scale = 0;

	/** Adds a value; returns false (and adds nothing) when it is not a decimal number. */
	add(value: string | number): boolean {
		if (typeof value === 'number') {
			if (!Number.isFinite(value)) return false;
			if (Number.isInteger(value) && this.bigUnits === null && this.scale === 0) {
				const next = this.safeUnits + value;
				if (Number.isSafeInteger(next) && Number.isSafeInteger(value)) {
					this.safeUnits = next;
					return true;
				}
			}
			const scale = shortDecimalScale(value);
			if (scale >= 0 && this.addSafe(Math.round(value * POWERS_OF_TEN[scale]), scale)) return true;
			value = String(value);
		}
		const fast = this.tryAddSafe(value);
		if (fast) return true;
		const parsed = parseDecimal(value);
		if (!parsed) return false;
		this.addExact(parsed);
		return true;
	}

	/**
	 * Adds a JSON number written in `text` from `start` to `end`, with the value JSON.parse
	 * would give it, without cutting it out of the text when it is short and plain.
	 */
	addJsonNumber(text: string, start: number, end: number): boolean {
		if (end - start <= 15 && this.tryAddSafe(text, start, end)) return true;
		return this.add(Number(text.slice(start, end)));
	}

	/** Adds an exact decimal, e.g. another sum's value when merging partial sums. */
	addDecimal(value: DecimalValue): void {
		this.addExact(value);
	}

	get value(): DecimalValue {
		return {
			units: this.bigUnits ?? BigInt(this.safeUnits),
			scale: this.scale,
		};
	}

	toString(): string {
		return formatDecimal(this.value);
	}

	toNumber(): number {
		return decimalToNumber(this.value);
	}

	/**
	 * The hot path: short plain decimals ("12.5", "-3", "30") at or below the current scale
	 * are added as safe integers without allocating.
	 */
	private tryAddSafe(text: string, from = 0, end = text.length): boolean {
		if (this.bigUnits !== null || end === from || end - from > 15) return false;
		let units = 0;
		let fractionLength = -1;
		let start = from;
		let negative = false;
		const first = text.charCodeAt(from);
		if (first === 45 /* - */ || first === 43 /* + */) {
			negative = first === 45;
			start = from + 1;
			if (end - from === 1) return false;
		}
		for (let index = start; index < end; index++) {
			const code = text.charCodeAt(index);
			if (code >= 48 && code <= 57) {
				units = units * 10 + (code - 48);
				if (fractionLength >= 0) fractionLength++;
			} else if (code === 46 /* . */ && fractionLength < 0) {
				fractionLength = 0;
			} else {
				return false;
			}
		}
		if (fractionLength === 0 && end === start + 1) return false;
		return this.addSafe(negative ? -units : units, Math.max(fractionLength, 0));
	}

	/** Adds units × 10^-scale while everything stays a safe integer; false (nothing added) otherwise. */
	private addSafe(units: number, scale: number): boolean {
		if (scale > this.scale) this.rescale(scale);
		if (this.bigUnits !== null) return false;
		const scaled = units * POWERS_OF_TEN[this.scale - scale];
		const next = this.safeUnits + scaled;
		if (!Number.isSafeInteger(scaled) || !Number.isSafeInteger(next)) return false;
		this.safeUnits = next;
		return true;
	}

	private rescale(scale: number): void {
		const factor = POWERS_OF_TEN[scale - this.scale];
		if (this.bigUnits === null) {
			const rescaled = this.safeUnits * factor;
			if (Number.isSafeInteger(rescaled)) this.safeUnits = rescaled;
			else this.bigUnits = BigInt(this.safeUnits) * 10n ** BigInt(scale - this.scale);
		} else {
			this.bigUnits *= 10n ** BigInt(scale - this.scale);
		}
		this.scale = scale;
	}

	private addExact(parsed: DecimalValue): void {
		if (parsed.scale > this.scale) this.rescale(parsed.scale);
		const units = parsed.units * 10n ** BigInt(this.scale - parsed.scale);
		const total = (this.bigUnits ?? BigInt(this.safeUnits)) + units;
		if (total <= BigInt(Number.MAX_SAFE_INTEGER) && total >= BigInt(Number.MIN_SAFE_INTEGER)) {
			this.safeUnits = Number(total);
			this.bigUnits = null;
		} else {
			this.bigUnits = total;
		}
	}
}

/** Both values as integer units at the larger of their two scales. */
function alignScales(
	a: DecimalValue,
	b: DecimalValue,
): { unitsA: bigint; unitsB: bigint; scale: number } {
	if (a.scale === b.scale) return { unitsA: a.units, unitsB: b.units, scale: a.scale };
	if (a.scale > b.scale)
		return { unitsA: a.units, unitsB: b.units * 10n ** BigInt(a.scale - b.scale), scale: a.scale };
	return { unitsA: a.units * 10n ** BigInt(b.scale - a.scale), unitsB: b.units, scale: b.scale };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b (2.50 equals 2.5). */
export function compareDecimals(a: DecimalValue, b: DecimalValue): -1 | 0 | 1 {
	const { unitsA, unitsB } = alignScales(a, b);
	return unitsA < unitsB ? -1 : unitsA > unitsB ? 1 : 0;
}

/** a − b, exactly. */
export function subtractDecimals(a: DecimalValue, b: DecimalValue): DecimalValue {
	const { unitsA, unitsB, scale } = alignScales(a, b);
	return { units: unitsA - unitsB, scale };
}

/** a × b, exactly. */
export function multiplyDecimals(a: DecimalValue, b: DecimalValue): DecimalValue {
	return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function absDecimal(value: DecimalValue): DecimalValue {
	return value.units < 0n ? { units: -value.units, scale: value.scale } : value;
}

/**
 * part ÷ whole × 100, rounded half away from zero to `fractionDigits` decimals; null when
 * whole is zero. The division is the only inexact step, so it is done once, at the end.
 */
export function percentOf(
	part: DecimalValue,
	whole: DecimalValue,
	fractionDigits = 6,
): DecimalValue | null {
	if (whole.units === 0n) return null;
	// part.units / 10^part.scale ÷ (whole.units / 10^whole.scale) × 100 × 10^fractionDigits
	let numerator = part.units * 100n * 10n ** BigInt(fractionDigits + whole.scale);
	let denominator = whole.units * 10n ** BigInt(part.scale);
	if (denominator < 0n) {
		numerator = -numerator;
		denominator = -denominator;
	}
	const magnitude = numerator < 0n ? -numerator : numerator;
	const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
	return { units: numerator < 0n ? -rounded : rounded, scale: fractionDigits };
}

/** ceil(value ÷ divisor) for an exact decimal and a positive whole divisor. */
export function ceilDivide(value: DecimalValue, divisor: number): number {
	const denominator = 10n ** BigInt(value.scale) * BigInt(divisor);
	const quotient = value.units / denominator;
	const hasRemainder = value.units % denominator !== 0n;
	return Number(hasRemainder && value.units > 0n ? quotient + 1n : quotient);
}
