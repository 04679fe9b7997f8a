/**
 * Reads chosen top-level fields of one JSON object text without building the object.
 *
 * A roll-up of a Graph export needs 3–4 of a line item's ~50 attributes; JSON.parse would build
 * all of them, and that is most of the cost of reading a large export. The scanner still checks
 * the whole line against the JSON grammar, so it accepts exactly the lines JSON.parse accepts
 * and a malformed line is never summed. When it declines a line (bad JSON, or nesting deeper
 * than it follows) the caller parses the line with JSON.parse, which says what is wrong.
 *
 * Field names match by fieldNameKey (ASCII case: Microsoft spells BenefitID and BenefitId); when
 * a line has the same field twice, the last one counts, as with JSON.parse.
 */
import { fieldNameKey } from './fieldNames';

export const enum JsonValueKind {
	Missing = 0,
	/** a string without escapes: its text is the value */
	PlainString = 1,
	/** a string with escapes: JSON.parse decodes it */
	EscapedString = 2,
	Number = 3,
	/** true, false or null */
	Literal = 4,
	/** an object or an array */
	Structure = 5,
}

const MAX_DEPTH = 64;
const enum Char {
	CarriageReturn = 13,
	Space = 32,
	Quote = 34,
	Plus = 43,
	Comma = 44,
	Minus = 45,
	Dot = 46,
	Slash = 47,
	Zero = 48,
	Nine = 57,
	Colon = 58,
	UpperA = 65,
	UpperE = 69,
	UpperF = 70,
	UpperZ = 90,
	OpenBracket = 91,
	Backslash = 92,
	CloseBracket = 93,
	LowerA = 97,
	LowerB = 98,
	LowerE = 101,
	LowerF = 102,
	LowerN = 110,
	LowerR = 114,
	LowerT = 116,
	LowerU = 117,
	OpenBrace = 123,
	CloseBrace = 125,
}

export class JsonFieldScanner {
	/** per wanted field: where its value starts and ends in the last line read, and its kind */
	readonly kinds: JsonValueKind[];
	private readonly starts: number[];
	private readonly ends: number[];
	/** per wanted field: its name as the data first spelled it */
	readonly spellings: Array<string | undefined>;
	private readonly lowerNames: string[];
	/** wanted field indexes by name length (fieldNameKey keeps the length) */
	private readonly byLength: number[][] = [];
	private text = '';
	private end = 0;
	/** set by scanString: the string had an escape */
	private escaped = false;
	/** the next backslash / control character (not a line break) at or after the scan position, perhaps in a later line, or -1 */
	private nextBackslash = -1;
	private nextControl = -1;
	/** the last read was told that its text holds no control character, so nextControl was not searched */
	private textControlFree = false;

	constructor(names: string[]) {
		this.lowerNames = names.map(fieldNameKey);
		this.kinds = names.map(() => JsonValueKind.Missing);
		this.starts = names.map(() => 0);
		this.ends = names.map(() => 0);
		this.spellings = names.map(() => undefined);
		this.lowerNames.forEach((name, index) => (this.byLength[name.length] ??= []).push(index));
	}

	/**
	 * Scans one line: `text` from `start` to `end` (a line within a larger decoded chunk is read
	 * in place, since slicing it out would cost more than the scan). True when it is a
	 * well-formed JSON object: the wanted fields' values are then available through `kinds`,
	 * `raw` and `value`. False when JSON.parse must decide.
	 * `controlFree`: the caller knows that `text` holds no control character but line feeds
	 * (isFreeOfControlBytes of the bytes it was decoded from), so it need not be searched.
	 */
	read(text: string, start = 0, end = text.length, controlFree = false): boolean {
		if (text.charCodeAt(end - 1) === Char.CarriageReturn) end--;
		// Where the next backslash and control character are is looked up once for many lines of
		// a chunk, not per line: most lines have neither.
		const sameText = text === this.text;
		this.text = text;
		if (!sameText || (this.nextBackslash !== -1 && this.nextBackslash < start))
			this.nextBackslash = text.indexOf('\\', start);
		if (controlFree) this.nextControl = -1;
		else if (
			!sameText ||
			this.textControlFree ||
			(this.nextControl !== -1 && this.nextControl < start)
		)
			this.nextControl = findControl(text, start);
		this.textControlFree = controlFree;
		// JSON forbids control characters in strings; a line with any (even a tab between tokens,
		// which JSON allows) is left to JSON.parse, so the scan need not look for them.
		if (this.nextControl !== -1 && this.nextControl < end) return false;
		this.end = end;
		this.kinds.fill(JsonValueKind.Missing);
		let index = skipSpaces(text, start);
		if (text.charCodeAt(index) !== Char.OpenBrace) return false;
		index = skipSpaces(text, index + 1);
		if (text.charCodeAt(index) === Char.CloseBrace) return skipSpaces(text, index + 1) === end;
		for (;;) {
			if (text.charCodeAt(index) !== Char.Quote) return false;
			const keyStart = index + 1;
			index = this.scanString(index);
			if (index < 0) return false;
			const field = this.matchField(keyStart, index - 1);
			if (field >= 0 && this.spellings[field] === undefined)
				this.spellings[field] = this.key(keyStart, index - 1);
			index = skipSpaces(text, index);
			if (text.charCodeAt(index) !== Char.Colon) return false;
			const valueStart = skipSpaces(text, index + 1);
			index = this.scanValue(valueStart, 1);
			if (index < 0) return false;
			if (field >= 0) this.keep(field, valueStart, index);
			index = skipSpaces(text, index);
			const next = text.charCodeAt(index);
			if (next === Char.Comma) {
				index = skipSpaces(text, index + 1);
			} else if (next === Char.CloseBrace) {
				return skipSpaces(text, index + 1) === end;
			} else {
				return false;
			}
		}
	}

	/** The value's JSON text (for a plain string: without its quotes). */
	raw(field: number): string {
		const quoted = this.kinds[field] === JsonValueKind.PlainString;
		return this.text.slice(
			this.starts[field] + (quoted ? 1 : 0),
			this.ends[field] - (quoted ? 1 : 0),
		);
	}

	/** Where the value's JSON text starts and ends in the line's text. */
	valueStart(field: number): number {
		return this.starts[field];
	}

	valueEnd(field: number): number {
		return this.ends[field];
	}

	/** The value as JSON.parse gives it; undefined when the field is missing. */
	value(field: number): unknown {
		switch (this.kinds[field]) {
			case JsonValueKind.Missing:
				return undefined;
			case JsonValueKind.PlainString:
				return this.raw(field);
			default:
				return JSON.parse(this.text.slice(this.starts[field], this.ends[field]));
		}
	}

	/** Called right after the value was scanned, so `escaped` still describes a string value. */
	private keep(field: number, start: number, end: number): void {
		const code = this.text.charCodeAt(start);
		let kind: JsonValueKind;
		if (code === Char.Quote)
			kind = this.escaped ? JsonValueKind.EscapedString : JsonValueKind.PlainString;
		else if (code === Char.Minus || (code >= Char.Zero && code <= Char.Nine))
			kind = JsonValueKind.Number;
		else if (code === Char.OpenBrace || code === Char.OpenBracket) kind = JsonValueKind.Structure;
		else kind = JsonValueKind.Literal;
		this.kinds[field] = kind;
		this.starts[field] = start;
		this.ends[field] = end;
	}

	/** The key between keyStart and its closing quote at keyEnd, decoded; right after scanString. */
	private key(keyStart: number, keyEnd: number): string {
		return this.escaped
			? (JSON.parse(this.text.slice(keyStart - 1, keyEnd + 1)) as string)
			: this.text.slice(keyStart, keyEnd);
	}

	/** The wanted field a key names (keyEnd: its closing quote), or -1. */
	private matchField(keyStart: number, keyEnd: number): number {
		const text = this.text;
		if (this.escaped) return this.lowerNames.indexOf(fieldNameKey(this.key(keyStart, keyEnd)));
		const candidates = this.byLength[keyEnd - keyStart];
		if (candidates === undefined) return -1;
		for (const field of candidates) {
			const name = this.lowerNames[field];
			let offset = 0;
			for (; offset < name.length; offset++) {
				let code = text.charCodeAt(keyStart + offset);
				if (code >= Char.UpperA && code <= Char.UpperZ) code += 32;
				if (code !== name.charCodeAt(offset)) break;
			}
			if (offset === name.length) return field;
		}
		return -1;
	}

	/**
	 * index: the opening quote. Returns the index after the closing quote, or -1. Most strings
	 * have no escape: indexOf jumps to their closing quote. The others are read character by
	 * character, checking each escape as JSON does.
	 */
	private scanString(index: number): number {
		const text = this.text;
		const close = text.indexOf('"', index + 1);
		if (close < 0 || close >= this.end) return -1;
		if (this.nextBackslash === -1 || this.nextBackslash > close) {
			this.escaped = false;
			return close + 1;
		}
		this.escaped = true;
		for (index++; index < this.end; index++) {
			const code = text.charCodeAt(index);
			if (code === Char.Quote) {
				this.nextBackslash = text.indexOf('\\', index + 1);
				return index + 1;
			}
			if (code === Char.Backslash) {
				const next = text.charCodeAt(++index);
				if (next === Char.LowerU) {
					for (let digit = 1; digit <= 4; digit++)
						if (!isHexDigit(text.charCodeAt(index + digit))) return -1;
					index += 4;
				} else if (
					next !== Char.Quote &&
					next !== Char.Backslash &&
					next !== Char.Slash &&
					next !== Char.LowerB &&
					next !== Char.LowerF &&
					next !== Char.LowerN &&
					next !== Char.LowerR &&
					next !== Char.LowerT
				) {
					return -1;
				}
			}
		}
		return -1;
	}

	/** Returns the index after the value starting at `index`, or -1. */
	private scanValue(index: number, depth: number): number {
		const text = this.text;
		const code = text.charCodeAt(index);
		if (code === Char.Quote) return this.scanString(index);
		if (code === Char.Minus || (code >= Char.Zero && code <= Char.Nine))
			return this.scanNumber(index);
		if (code === Char.LowerT) return text.startsWith('true', index) ? index + 4 : -1;
		if (code === Char.LowerF) return text.startsWith('false', index) ? index + 5 : -1;
		if (code === Char.LowerN) return text.startsWith('null', index) ? index + 4 : -1;
		if (depth >= MAX_DEPTH) return -1;
		if (code === Char.OpenBracket) {
			index = skipSpaces(text, index + 1);
			if (text.charCodeAt(index) === Char.CloseBracket) return index + 1;
			for (;;) {
				index = this.scanValue(index, depth + 1);
				if (index < 0) return -1;
				index = skipSpaces(text, index);
				const next = text.charCodeAt(index);
				if (next === Char.CloseBracket) return index + 1;
				if (next !== Char.Comma) return -1;
				index = skipSpaces(text, index + 1);
			}
		}
		if (code === Char.OpenBrace) {
			index = skipSpaces(text, index + 1);
			if (text.charCodeAt(index) === Char.CloseBrace) return index + 1;
			for (;;) {
				if (text.charCodeAt(index) !== Char.Quote) return -1;
				index = this.scanString(index);
				if (index < 0) return -1;
				index = skipSpaces(text, index);
				if (text.charCodeAt(index) !== Char.Colon) return -1;
				index = this.scanValue(skipSpaces(text, index + 1), depth + 1);
				if (index < 0) return -1;
				index = skipSpaces(text, index);
				const next = text.charCodeAt(index);
				if (next === Char.CloseBrace) return index + 1;
				if (next !== Char.Comma) return -1;
				index = skipSpaces(text, index + 1);
			}
		}
		return -1;
	}

	/** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
	private scanNumber(index: number): number {
		const text = this.text;
		if (text.charCodeAt(index) === Char.Minus) index++;
		const first = text.charCodeAt(index);
		if (first === Char.Zero) index++;
		else if (first > Char.Zero && first <= Char.Nine) index = skipDigits(text, index + 1);
		else return -1;
		if (text.charCodeAt(index) === Char.Dot) {
			const fractionStart = index + 1;
			index = skipDigits(text, fractionStart);
			if (index === fractionStart) return -1;
		}
		const exponent = text.charCodeAt(index);
		if (exponent === Char.LowerE || exponent === Char.UpperE) {
			index++;
			const sign = text.charCodeAt(index);
			if (sign === Char.Plus || sign === Char.Minus) index++;
			const digitsStart = index;
			index = skipDigits(text, digitsStart);
			if (index === digitsStart) return -1;
		}
		return index;
	}
}

/**
 * Control characters but the line feed that ends each line. A carriage return before it is
 * found too, at the line's (trimmed) end, where it does not count; a plain character class
 * keeps the search fast.
 */
const CONTROL_CHARACTER = /[\u0000-\u0009\u000b-\u001f]/g;

function findControl(text: string, from: number): number {
	CONTROL_CHARACTER.lastIndex = from;
	return CONTROL_CHARACTER.test(text) ? CONTROL_CHARACTER.lastIndex - 1 : -1;
}

/** JSON whitespace after the control-character check: only spaces are left. */
function skipSpaces(text: string, index: number): number {
	while (text.charCodeAt(index) === Char.Space) index++;
	return index;
}

function skipDigits(text: string, index: number): number {
	for (;;) {
		const code = text.charCodeAt(index);
		// Written so that NaN (past the end of the text) also stops.
		if (!(code >= Char.Zero && code <= Char.Nine)) return index;
		index++;
	}
}

function isHexDigit(code: number): boolean {
	return (
		(code >= Char.Zero && code <= Char.Nine) ||
		(code >= Char.UpperA && code <= Char.UpperF) ||
		(code >= Char.LowerA && code <= Char.LowerF)
	);
}
