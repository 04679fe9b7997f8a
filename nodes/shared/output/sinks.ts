import type { IDataObject } from 'n8n-workflow';

import { CsvFormatError, resolveColumns, type CsvRecordConsumer } from '../readers/csv';
import { DecimalSum, type DecimalValue } from '../numbers/decimal';
import { JsonFieldScanner, JsonValueKind, asciiLowerCase } from '../readers/jsonFields';
import { JsonLinesFormatError, type JsonRecordConsumer } from '../readers/jsonLines';

/** Collects every record as an object keyed by the vendor's own column names. */
export class RowsSink implements CsvRecordConsumer {
	readonly rows: IDataObject[] = [];
	private fields: string[] = [];

	constructor(private readonly maxRows = Infinity) {}

	header(fields: string[]): void {
		this.fields = fields;
	}

	row(values: string[], rowNumber: number): void {
		if (rowNumber > this.maxRows) {
			throw new CsvFormatError(
				`The file has more than ${this.maxRows} rows, the most this node turns into items. Use the Aggregate or File output mode for files this large`,
			);
		}
		const record: IDataObject = {};
		for (let index = 0; index < this.fields.length; index++) record[this.fields[index]] = values[index];
		this.rows.push(record);
	}
}

/** Counts data rows: the file sink's companion, so a file output still says how many rows. */
export class RowCounter implements CsvRecordConsumer {
	rowCount = 0;
	header(): void {}
	row(): void {
		this.rowCount++;
	}
}

export interface AggregateGroup {
	/** the group-by values, keyed by the column names as the file spells them */
	keys: IDataObject;
	/** exact sums, in sum-field order */
	sums: DecimalSum[];
	rowCount: number;
}

export interface AggregateSpec {
	groupBy: string[];
	sumFields: string[];
	/** parameter names, for error messages */
	groupByParameter: string;
	sumFieldsParameter: string;
}

/**
 * Sums fields per group with exact decimals, holding one entry per group and nothing per
 * row, so memory does not grow with the file. A value that is not a number stops the run
 * with its row and column: a sum that silently skipped it would be wrong money.
 */
export class AggregateSink implements CsvRecordConsumer, JsonRecordConsumer {
	private readonly groups = new Map<string, AggregateGroup>();
	/** JSON records: each wanted field (lower case) → the key the records spell it with */
	private readonly recordKeys = new Map<string, string>();
	private groupIndexes: number[] = [];
	private sumIndexes: number[] = [];
	private groupNames: string[] = [];
	private sumNames: string[] = [];
	/** JSON Lines: reads only the group-by and sum attributes of each line */
	private scanner: JsonFieldScanner | undefined;
	/** the last line's group and its group-by values (plain strings; '' for any other kind) */
	private lastGroup: AggregateGroup | undefined;
	private lastParts: string[] = [];

	constructor(private readonly spec: AggregateSpec) {}

	header(fields: string[]): void {
		this.groupIndexes = resolveColumns(fields, this.spec.groupBy, this.spec.groupByParameter);
		this.sumIndexes = resolveColumns(fields, this.spec.sumFields, this.spec.sumFieldsParameter);
		this.groupNames = this.groupIndexes.map((index) => fields[index]);
		this.sumNames = this.sumIndexes.map((index) => fields[index]);
	}

	row(values: string[], rowNumber: number): void {
		const groupIndexes = this.groupIndexes;
		let key = groupIndexes.length === 1 ? values[groupIndexes[0]] : '';
		if (groupIndexes.length > 1) {
			for (let index = 0; index < groupIndexes.length; index++) {
				key += (index ? '\u0000' : '') + values[groupIndexes[index]];
			}
		}
		let group = this.groups.get(key);
		if (group === undefined) {
			const keys: IDataObject = {};
			groupIndexes.forEach((column, index) => (keys[this.groupNames[index]] = values[column]));
			group = { keys, sums: this.sumIndexes.map(() => new DecimalSum()), rowCount: 0 };
			this.groups.set(key, group);
		}
		for (let index = 0; index < this.sumIndexes.length; index++) {
			const value = values[this.sumIndexes[index]];
			if (!group.sums[index].add(value)) {
				throw new CsvFormatError(
					`Row ${rowNumber}: column '${this.sumNames[index]}' holds '${value.slice(0, 40)}', which is not a number, so it cannot be summed`,
				);
			}
		}
		group.rowCount++;
	}

	/**
	 * A JSON record (Graph line item). Attribute names match case-insensitively, because the
	 * vendor spells them differently across pages and versions (BenefitID / BenefitId).
	 * A missing group-by attribute groups as null; a missing sum attribute is an error.
	 */
	record(item: IDataObject, lineNumber: number): void {
		const groupValues = this.spec.groupBy.map((name) => item[this.recordKey(item, name)] ?? null);
		const key = groupValues.length === 1 ? String(groupValues[0]) : groupValues.map(String).join('\u0000');
		let group = this.groups.get(key);
		if (group === undefined) {
			const keys: IDataObject = {};
			this.spec.groupBy.forEach((name, index) => (keys[this.recordKey(item, name)] = groupValues[index]));
			group = { keys, sums: this.spec.sumFields.map(() => new DecimalSum()), rowCount: 0 };
			this.groups.set(key, group);
		}
		for (let index = 0; index < this.spec.sumFields.length; index++) {
			const name = this.spec.sumFields[index];
			const value = item[this.recordKey(item, name)];
			if (value === undefined || (typeof value !== 'number' && typeof value !== 'string') || !group.sums[index].add(value)) {
				this.throwNotSummable(name, value, () => Object.keys(item), lineNumber);
			}
		}
		if (this.sumNames.length === 0) {
			this.sumNames = this.spec.sumFields.map((name) => this.recordKey(item, name));
		}
		group.rowCount++;
	}

	/**
	 * A JSON line, read without parsing all of it (most of the cost of a large export). Same
	 * results as `record`; false when the scanner declines the line, which is then parsed.
	 */
	line(text: string, start: number, end: number, lineNumber: number, controlFree: boolean): boolean {
		const { groupBy, sumFields } = this.spec;
		const scanner = (this.scanner ??= new JsonFieldScanner([...groupBy, ...sumFields]));
		if (!scanner.read(text, start, end, controlFree)) return false;
		let group = this.sameGroupAsLastLine(scanner, text) ? this.lastGroup : undefined;
		if (group === undefined) {
			let key = '';
			const parts: string[] = [];
			for (let field = 0; field < groupBy.length; field++) {
				const plain = scanner.kinds[field] === JsonValueKind.PlainString;
				const part = plain ? scanner.raw(field) : String(scanner.value(field) ?? null);
				key = field === 0 ? part : `${key}\u0000${part}`;
				parts.push(plain ? part : '');
			}
			group = this.groups.get(key);
			if (group === undefined) {
				const keys: IDataObject = {};
				groupBy.forEach((name, field) => (keys[scanner.spellings[field] ?? name] = (scanner.value(field) ?? null) as IDataObject[string]));
				group = { keys, sums: sumFields.map(() => new DecimalSum()), rowCount: 0 };
				this.groups.set(key, group);
			}
			this.lastGroup = group;
			this.lastParts = parts;
		}
		for (let index = 0; index < sumFields.length; index++) {
			const field = groupBy.length + index;
			const kind = scanner.kinds[field];
			let added: boolean;
			if (kind === JsonValueKind.Number) {
				added = group.sums[index].addJsonNumber(text, scanner.valueStart(field), scanner.valueEnd(field));
			} else if (kind === JsonValueKind.PlainString || kind === JsonValueKind.EscapedString) {
				added = group.sums[index].add(scanner.value(field) as string);
			} else {
				added = false;
			}
			if (!added) {
				const attributeNames = () => Object.keys(JSON.parse(text.slice(start, end)) as object);
				this.throwNotSummable(sumFields[index], scanner.value(field), attributeNames, lineNumber);
			}
		}
		if (this.sumNames.length === 0) this.sumNames = sumFields.map((name, index) => scanner.spellings[groupBy.length + index] ?? name);
		group.rowCount++;
		return true;
	}

	/**
	 * Whether this line's group-by values are, character for character, the last line's:
	 * exports list a subscription's lines together, so most lines skip building their key.
	 * Only non-empty plain strings are compared this way ('' marks anything else).
	 */
	private sameGroupAsLastLine(scanner: JsonFieldScanner, text: string): boolean {
		if (this.lastGroup === undefined) return false;
		for (let field = 0; field < this.lastParts.length; field++) {
			const part = this.lastParts[field];
			if (part === '' || scanner.kinds[field] !== JsonValueKind.PlainString) return false;
			const valueStart = scanner.valueStart(field) + 1;
			if (scanner.valueEnd(field) - 1 - valueStart !== part.length || !text.startsWith(part, valueStart)) return false;
		}
		return true;
	}

	private throwNotSummable(name: string, value: unknown, attributeNames: () => string[], lineNumber: number): never {
		if (value === undefined) {
			throw new JsonLinesFormatError(
				`Line ${lineNumber} has no attribute '${name}' named in '${this.spec.sumFieldsParameter}'. Its attributes are: ${attributeNames().join(', ')}`,
			);
		}
		throw new JsonLinesFormatError(
			`Line ${lineNumber}: attribute '${name}' holds ${JSON.stringify(value).slice(0, 40)}, which is not a number, so it cannot be summed`,
		);
	}

	private recordKey(item: IDataObject, name: string): string {
		const wanted = asciiLowerCase(name);
		const known = this.recordKeys.get(wanted);
		if (known !== undefined && known in item) return known;
		const found = Object.keys(item).find((key) => asciiLowerCase(key) === wanted) ?? name;
		this.recordKeys.set(wanted, found);
		return found;
	}

	get sumFieldNames(): string[] {
		return this.sumNames;
	}

	results(): AggregateGroup[] {
		return [...this.groups.values()];
	}

	/** The groups with their keys, for merging sinks that each read part of an export. */
	entries(): IterableIterator<[string, AggregateGroup]> {
		return this.groups.entries();
	}
}

/**
 * Merges sinks that each aggregated one part of an export (one blob), in the parts' order:
 * groups appear in order of first sight, sums add exactly, row counts add.
 */
export function mergeAggregates(parts: AggregateSink[]): { groups: AggregateGroup[]; sumFieldNames: string[] } {
	const merged = new Map<string, AggregateGroup>();
	for (const part of parts) {
		for (const [key, group] of part.entries()) {
			const target = merged.get(key);
			if (!target) {
				merged.set(key, { keys: group.keys, sums: group.sums, rowCount: group.rowCount });
				continue;
			}
			group.sums.forEach((sum, index) => target.sums[index].addDecimal(sum.value));
			target.rowCount += group.rowCount;
		}
	}
	const sumFieldNames = parts.find((part) => part.sumFieldNames.length)?.sumFieldNames ?? [];
	return { groups: [...merged.values()], sumFieldNames };
}

/** An aggregate group as an output item: group-by values, each sum as a number, rowCount. */
export function groupToJson(group: AggregateGroup, sumNames: string[]): IDataObject {
	const json: IDataObject = { ...group.keys };
	sumNames.forEach((name, index) => (json[name] = group.sums[index].toNumber()));
	json.rowCount = group.rowCount;
	return json;
}

/** ceil(value ÷ divisor) for an exact decimal and a positive whole divisor. */
export function ceilDivide(value: DecimalValue, divisor: number): number {
	const denominator = 10n ** BigInt(value.scale) * BigInt(divisor);
	const quotient = value.units / denominator;
	const hasRemainder = value.units % denominator !== 0n;
	return Number(hasRemainder && value.units > 0n ? quotient + 1n : quotient);
}
