import type { IDataObject } from 'n8n-workflow';

import { DecimalSum } from '../shared/numbers/decimal';
import type { FieldReader } from './keys';
import { addAmount, isBlank } from './numbers';
import type { SideValue } from './compare';
import { calendarDay, comparableText, textOf, type CompareKind, type TextRule } from './values';

/**
 * The rows of one side that share a key, rolled up: exact sums of the fields compared as
 * numbers, the one value of the fields compared as text or dates, and a row count.
 *
 * A field has a value only when every row gives it one: a sum that skipped a blank or
 * non-numeric row, or read it as 0, would be wrong money, and a text field whose rows
 * disagree ("USD" in some, "EUR" in others) has no one value. The comparison then reports
 * why instead. An auto field sums when every row holds a number, and otherwise keeps the
 * text its rows agree on.
 */
export class RollUp {
	readonly sums: DecimalSum[];
	private readonly blanks: number[];
	/** rows that are not a number (auto, number) or not a date (date) */
	private readonly invalid: number[];
	/** per field: the first row's text (text, date, and auto's non-numbers) and its raw value */
	private readonly firstText: Array<string | undefined>;
	private readonly firstRaw: unknown[];
	/** per field: the other texts seen, made only when a row disagrees with the first */
	private readonly otherTexts: Array<Set<string> | undefined>;
	rowCount = 0;

	constructor(
		private readonly firstRecord: IDataObject,
		private readonly kinds: CompareKind[],
		private readonly rule: TextRule,
	) {
		const fieldCount = kinds.length;
		this.sums = Array.from({ length: fieldCount }, () => new DecimalSum());
		this.blanks = new Array<number>(fieldCount).fill(0);
		this.invalid = new Array<number>(fieldCount).fill(0);
		this.firstText = new Array<string | undefined>(fieldCount);
		this.firstRaw = new Array<unknown>(fieldCount);
		this.otherTexts = new Array<Set<string> | undefined>(fieldCount);
	}

	add(record: IDataObject, readers: FieldReader[]): void {
		for (let index = 0; index < readers.length; index++) {
			const value = readers[index](record);
			switch (this.kinds[index]) {
				case 'number':
					if (addAmount(this.sums[index], value)) continue;
					if (isBlank(value)) this.blanks[index]++;
					else this.invalid[index]++;
					break;
				case 'auto':
					if (addAmount(this.sums[index], value)) continue;
					if (isBlank(value)) {
						this.blanks[index]++;
					} else {
						this.invalid[index]++;
						this.note(index, comparableText(textOf(value)!, this.rule), value);
					}
					break;
				case 'text': {
					const text = textOf(value);
					if (text === null) this.blanks[index]++;
					else this.note(index, comparableText(text, this.rule), value);
					break;
				}
				case 'date': {
					if (isBlank(value)) {
						this.blanks[index]++;
						break;
					}
					const day = calendarDay(value);
					if (day === null) this.invalid[index]++;
					else this.note(index, day, value);
					break;
				}
			}
		}
		this.rowCount++;
	}

	private note(index: number, text: string, raw: unknown): void {
		const first = this.firstText[index];
		if (first === undefined) {
			this.firstText[index] = text;
			this.firstRaw[index] = raw;
		} else if (text !== first) {
			(this.otherTexts[index] ??= new Set()).add(text);
		}
	}

	/** How many different texts the rows of a field hold. */
	private distinct(index: number): number {
		if (this.firstText[index] === undefined) return 0;
		return 1 + (this.otherTexts[index]?.size ?? 0);
	}

	value(index: number, side: 'A' | 'B'): SideValue {
		const rows = this.rowCount;
		const blanks = this.blanks[index];
		const invalid = this.invalid[index];
		const kind = this.kinds[index];
		if (blanks === rows) return { amount: null, text: null, raw: null, problem: null };
		const summable = kind === 'number' || kind === 'auto';
		if (summable && blanks === 0 && invalid === 0)
			return { amount: this.sums[index].value, text: null, raw: null, problem: null };

		const distinct = this.distinct(index);
		const numbers = summable ? rows - blanks - invalid : 0;
		// Every row holds the same text (text), the same day (date) or the same non-number (auto).
		const agreed =
			kind !== 'number' &&
			blanks === 0 &&
			numbers === 0 &&
			distinct === 1 &&
			(kind !== 'date' || invalid === 0);
		if (agreed)
			return {
				amount: null,
				text: this.firstText[index]!,
				raw: this.firstRaw[index],
				problem: null,
			};

		const problems: string[] = [];
		if (invalid && (kind === 'number' || numbers > 0))
			problems.push(`${side} is not a number in ${invalid} of ${rows} rows`);
		if (invalid && kind === 'date')
			problems.push(`${side} is not a date in ${invalid} of ${rows} rows`);
		if (distinct > 1 && numbers === 0)
			problems.push(`${side} has ${distinct} different values in ${rows} rows`);
		if (blanks) problems.push(`${side} has no value in ${blanks} of ${rows} rows`);
		return { amount: null, text: null, raw: null, problem: problems.join('; ') };
	}

	/**
	 * The rolled-up record: the match fields and display fields as the key's first row has
	 * them, each compare field's sum or one value (null when it has none), and rowCount.
	 * Field names are the side's own.
	 */
	record(
		keepNames: string[],
		keepReaders: FieldReader[],
		compareNames: string[],
		side: 'A' | 'B',
	): IDataObject {
		const record: IDataObject = {};
		keepNames.forEach((name, index) => {
			const value = keepReaders[index](this.firstRecord);
			if (value !== undefined) record[name] = value as IDataObject[string];
		});
		compareNames.forEach((name, index) => {
			const value = this.value(index, side);
			if (value.amount !== null) record[name] = this.sums[index].toNumber();
			else record[name] = value.text === null ? null : (value.raw as IDataObject[string]);
		});
		record.rowCount = this.rowCount;
		return record;
	}
}
