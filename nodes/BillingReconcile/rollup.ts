import type { IDataObject } from 'n8n-workflow';

import { DecimalSum } from '../shared/numbers/decimal';
import type { FieldReader } from './keys';
import { addAmount, isBlank } from './numbers';
import type { SideValue } from './compare';

/**
 * The rows of one side that share a key, summed: exact sums of the compare fields and a
 * row count. A field with a blank or non-numeric value in any row has no sum (a sum that
 * skipped it, or read it as 0, would be wrong money); the comparison reports it instead.
 */
export class RollUp {
	readonly sums: DecimalSum[];
	private readonly blanks: number[];
	private readonly invalid: number[];
	rowCount = 0;

	constructor(
		private readonly firstRecord: IDataObject,
		fieldCount: number,
	) {
		this.sums = Array.from({ length: fieldCount }, () => new DecimalSum());
		this.blanks = new Array<number>(fieldCount).fill(0);
		this.invalid = new Array<number>(fieldCount).fill(0);
	}

	add(record: IDataObject, readers: FieldReader[]): void {
		for (let index = 0; index < readers.length; index++) {
			const value = readers[index](record);
			if (addAmount(this.sums[index], value)) continue;
			if (isBlank(value)) this.blanks[index]++;
			else this.invalid[index]++;
		}
		this.rowCount++;
	}

	value(index: number, side: 'A' | 'B'): SideValue {
		const blanks = this.blanks[index];
		const invalid = this.invalid[index];
		if (blanks === 0 && invalid === 0) return { amount: this.sums[index].value, raw: null, problem: null };
		if (blanks === this.rowCount) return { amount: null, raw: null, problem: null };
		const problems: string[] = [];
		if (invalid) problems.push(`${side} is not a number in ${invalid} of ${this.rowCount} rows`);
		if (blanks) problems.push(`${side} has no value in ${blanks} of ${this.rowCount} rows`);
		return { amount: null, raw: null, problem: problems.join('; ') };
	}

	/**
	 * The rolled-up record: the match fields as the key's first row has them, each compare
	 * field's sum (null when it has none) and rowCount. Field names are the side's own.
	 */
	record(matchNames: string[], matchReaders: FieldReader[], compareNames: string[], side: 'A' | 'B'): IDataObject {
		const record: IDataObject = {};
		matchNames.forEach((name, index) => (record[name] = matchReaders[index](this.firstRecord) as IDataObject[string]));
		compareNames.forEach((name, index) => {
			const { amount } = this.value(index, side);
			record[name] = amount === null ? null : this.sums[index].toNumber();
		});
		record.rowCount = this.rowCount;
		return record;
	}
}
