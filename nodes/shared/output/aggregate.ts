import type { IDataObject } from 'n8n-workflow';

import { DecimalSum } from '../numbers/decimal';
import {
	CsvFormatError,
	detachedText,
	resolveColumns,
	type CsvRecordConsumer,
} from '../readers/csv';
import { fieldNameKey } from '../readers/fieldNames';
import { JsonFieldScanner, JsonValueKind } from '../readers/jsonFields';
import { JsonLinesFormatError, type JsonRecordConsumer } from '../readers/jsonLines';

export interface AggregateGroup {
	/** the group-by values, keyed by the field names as the data spells them */
	keys: IDataObject;
	/** exact sums, in sum-field order */
	sums: DecimalSum[];
	rowCount: number;
}

export interface AggregateSpec {
	groupBy: string[];
	sumFields: string[];
}

/**
 * Sums fields per group with exact decimals, holding one entry per group and nothing per
 * record, so memory does not grow with the file. A value that is not a number stops the run
 * with its record and field: a sum that silently skipped it would be wrong money. The core of
 * every aggregation; each format's adapter below finds a record's group-by and sum values.
 */
abstract class Aggregator {
	private readonly groups = new Map<string, AggregateGroup>();
	/** the sum fields as the data spells them, once the data has said */
	protected sumNames: string[] = [];

	constructor(protected readonly spec: AggregateSpec) {}

	/** The group of these group-by values (as text), when it has been seen. */
	protected find(key: string): AggregateGroup | undefined {
		return this.groups.get(key);
	}

	protected add(key: string, keys: IDataObject): AggregateGroup {
		const group = { keys, sums: this.spec.sumFields.map(() => new DecimalSum()), rowCount: 0 };
		this.groups.set(key, group);
		return group;
	}

	get sumFieldNames(): string[] {
		return this.sumNames;
	}

	results(): AggregateGroup[] {
		return [...this.groups.values()];
	}

	/** The groups with their keys, for merging aggregates that each read part of an export. */
	entries(): IterableIterator<[string, AggregateGroup]> {
		return this.groups.entries();
	}
}

/** The key of a group: its group-by values as text, joined by a character no value holds. */
function groupKey(parts: readonly string[]): string {
	let key = parts[0];
	for (let index = 1; index < parts.length; index++) key += `\u0000${parts[index]}`;
	return key;
}

/** Aggregates a CSV: columns found in the header by fieldNameKey, values as the file has them. */
export class CsvAggregator extends Aggregator implements CsvRecordConsumer {
	private groupIndexes: number[] = [];
	private sumIndexes: number[] = [];
	private groupNames: string[] = [];
	/** the row's group-by values, reused from row to row */
	private readonly parts: string[] = [];

	header(fields: string[]): void {
		this.groupIndexes = resolveColumns(fields, this.spec.groupBy, 'Group By');
		this.sumIndexes = resolveColumns(fields, this.spec.sumFields, 'Sum Fields');
		this.groupNames = this.groupIndexes.map((index) => fields[index]);
		this.sumNames = this.sumIndexes.map((index) => fields[index]);
	}

	columnsRead(): readonly number[] {
		return [...new Set([...this.groupIndexes, ...this.sumIndexes])];
	}

	row(values: string[], rowNumber: number): void {
		const { groupIndexes, parts } = this;
		for (let index = 0; index < groupIndexes.length; index++)
			parts[index] = values[groupIndexes[index]];
		const key = groupKey(parts);
		const group = this.find(key) ?? this.add(detachedText(key), this.keysOf(values));
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

	private keysOf(values: string[]): IDataObject {
		const keys: IDataObject = {};
		this.groupIndexes.forEach(
			(column, index) => (keys[this.groupNames[index]] = detachedText(values[column])),
		);
		return keys;
	}
}

/**
 * Aggregates JSON records (Graph line items), attribute names matched by fieldNameKey, since
 * the vendor spells them differently across pages and versions. A missing group-by attribute
 * groups as null; a missing sum attribute is an error.
 */
export class JsonAggregator extends Aggregator implements JsonRecordConsumer {
	/** each wanted field's key → the key the records spell it with */
	private readonly recordKeys = new Map<string, string>();
	/** reads only the group-by and sum attributes of each line */
	private scanner: JsonFieldScanner | undefined;
	/** the last line's group and its group-by values (plain strings; '' for any other kind) */
	private lastGroup: AggregateGroup | undefined;
	private lastParts: string[] = [];

	record(item: IDataObject, lineNumber: number): void {
		const { groupBy, sumFields } = this.spec;
		const groupValues = groupBy.map((name) => item[this.recordKey(item, name)] ?? null);
		const key = groupKey(groupValues.map(String));
		let group = this.find(key);
		if (group === undefined) {
			const keys: IDataObject = {};
			groupBy.forEach((name, index) => (keys[this.recordKey(item, name)] = groupValues[index]));
			group = this.add(key, keys);
		}
		for (let index = 0; index < sumFields.length; index++) {
			const name = sumFields[index];
			const value = item[this.recordKey(item, name)];
			if (
				value === undefined ||
				(typeof value !== 'number' && typeof value !== 'string') ||
				!group.sums[index].add(value)
			) {
				this.throwNotSummable(name, value, () => Object.keys(item), lineNumber);
			}
		}
		if (this.sumNames.length === 0)
			this.sumNames = sumFields.map((name) => this.recordKey(item, name));
		group.rowCount++;
	}

	/**
	 * A JSON line, read without parsing all of it (most of the cost of a large export). Same
	 * results as `record`; false when the scanner declines the line, which is then parsed.
	 */
	line(
		text: string,
		start: number,
		end: number,
		lineNumber: number,
		controlFree: boolean,
	): boolean {
		const { groupBy, sumFields } = this.spec;
		const scanner = (this.scanner ??= new JsonFieldScanner([...groupBy, ...sumFields]));
		if (!scanner.read(text, start, end, controlFree)) return false;
		let group = this.sameGroupAsLastLine(scanner, text) ? this.lastGroup : undefined;
		if (group === undefined) {
			const parts: string[] = [];
			for (let field = 0; field < groupBy.length; field++) {
				parts.push(
					scanner.kinds[field] === JsonValueKind.PlainString
						? scanner.raw(field)
						: String(scanner.value(field) ?? null),
				);
			}
			const key = groupKey(parts);
			group = this.find(key);
			if (group === undefined) {
				const keys: IDataObject = {};
				groupBy.forEach(
					(name, field) =>
						(keys[scanner.spellings[field] ?? name] = (scanner.value(field) ??
							null) as IDataObject[string]),
				);
				group = this.add(key, keys);
			}
			this.lastGroup = group;
			this.lastParts = parts.map((part, field) =>
				scanner.kinds[field] === JsonValueKind.PlainString ? part : '',
			);
		}
		for (let index = 0; index < sumFields.length; index++) {
			const field = groupBy.length + index;
			const kind = scanner.kinds[field];
			let added: boolean;
			if (kind === JsonValueKind.Number) {
				added = group.sums[index].addJsonNumber(
					text,
					scanner.valueStart(field),
					scanner.valueEnd(field),
				);
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
		if (this.sumNames.length === 0)
			this.sumNames = sumFields.map(
				(name, index) => scanner.spellings[groupBy.length + index] ?? name,
			);
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
			if (
				scanner.valueEnd(field) - 1 - valueStart !== part.length ||
				!text.startsWith(part, valueStart)
			)
				return false;
		}
		return true;
	}

	private throwNotSummable(
		name: string,
		value: unknown,
		attributeNames: () => string[],
		lineNumber: number,
	): never {
		if (value === undefined) {
			throw new JsonLinesFormatError(
				`Line ${lineNumber} has no attribute '${name}' named in 'Sum Fields'. Its attributes are: ${attributeNames().join(', ')}`,
			);
		}
		throw new JsonLinesFormatError(
			`Line ${lineNumber}: attribute '${name}' holds ${JSON.stringify(value).slice(0, 40)}, which is not a number, so it cannot be summed`,
		);
	}

	private recordKey(item: IDataObject, name: string): string {
		const wanted = fieldNameKey(name);
		const known = this.recordKeys.get(wanted);
		if (known !== undefined && known in item) return known;
		const found = Object.keys(item).find((key) => fieldNameKey(key) === wanted) ?? name;
		this.recordKeys.set(wanted, found);
		return found;
	}
}

/**
 * Merges aggregates that each read one part of an export (one blob), in the parts' order:
 * groups appear in order of first sight, sums add exactly, row counts add.
 */
export function mergeAggregates(parts: JsonAggregator[]): {
	groups: AggregateGroup[];
	sumFieldNames: string[];
} {
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
