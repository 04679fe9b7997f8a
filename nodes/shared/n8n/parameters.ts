import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { parseIsoDate, toIsoDateText } from '../numbers/dates';
import { TIMEOUT_MINUTES } from './properties';

/**
 * Reads parameters the way they arrive from the editor or from an expression — any type, any
 * value — and refuses a value outside its rule before any request is made, naming the
 * parameter as the editor shows it and the rule it broke.
 */
export class ParameterRules {
	constructor(
		private readonly context: IExecuteFunctions,
		private readonly itemIndex: number,
	) {}

	/** `'Label' rule`, with the value given in the description. */
	refuse(label: string, rule: string, given?: unknown): NodeOperationError {
		return new NodeOperationError(this.context.getNode(), `'${label}' ${rule}`, {
			itemIndex: this.itemIndex,
			description: given === undefined ? undefined : `It was ${shown(given)}.`,
		});
	}

	/** `'Label' rule`, with what to do in the description. */
	explain(label: string, rule: string, advice: string): NodeOperationError {
		return new NodeOperationError(this.context.getNode(), `'${label}' ${rule}`, {
			itemIndex: this.itemIndex,
			description: advice,
		});
	}

	/** One of the listed values (their display names go into the message). */
	oneOf<Value extends string>(
		value: unknown,
		label: string,
		allowed: ReadonlyArray<readonly [Value, string]>,
	): Value {
		const match = allowed.find(([candidate]) => candidate === value);
		if (!match)
			throw this.refuse(
				label,
				`must be one of ${allowed.map(([, name]) => name).join(', ')}`,
				value,
			);
		return match[0];
	}

	/** true or false; unset is `fallback`. */
	flag(value: unknown, label: string, fallback: boolean): boolean {
		if (value === undefined) return fallback;
		if (typeof value !== 'boolean') throw this.refuse(label, 'must be true or false', value);
		return value;
	}

	/** A number within bounds (a whole one when asked); unset is `fallback`. */
	number(
		value: unknown,
		label: string,
		{
			min,
			max,
			whole = false,
			fallback,
		}: { min: number; max?: number; whole?: boolean; fallback: number },
	): number {
		if (value === undefined) return fallback;
		const number =
			typeof value === 'number'
				? value
				: typeof value === 'string' && value.trim() !== ''
					? Number(value)
					: Number.NaN;
		if (
			!Number.isFinite(number) ||
			number < min ||
			(max !== undefined && number > max) ||
			(whole && !Number.isInteger(number))
		) {
			const kind = whole ? 'a whole number' : 'a number';
			throw this.refuse(
				label,
				max === undefined
					? `must be ${kind} of ${min} or more`
					: `must be ${kind} from ${min} to ${max}`,
				value,
			);
		}
		return number;
	}

	/** The Timeout (Minutes) option, within its editor bounds; unset is `fallback`. */
	timeoutMinutes(value: unknown, fallback: number): number {
		return this.number(value, 'Timeout (Minutes)', { ...TIMEOUT_MINUTES, fallback });
	}

	/** Text that must not be empty once trimmed (numbers are taken as their text); unset is `fallback`. */
	requiredText(value: unknown, label: string, fallback = ''): string {
		const text = this.text(value, label, fallback).trim();
		if (!text) throw this.refuse(label, 'must not be empty');
		return text;
	}

	/** How many results Return All and Limit (returnAllAndLimitProperties) ask for: Infinity for all. */
	limit(): number {
		const returnAll = this.flag(
			this.context.getNodeParameter('returnAll', this.itemIndex),
			'Return All',
			false,
		);
		if (returnAll) return Infinity;
		return this.number(this.context.getNodeParameter('limit', this.itemIndex), 'Limit', {
			min: 1,
			whole: true,
			fallback: 50,
		});
	}

	/** A collection parameter (Options, Filters) as given: {} when nothing in it is set. */
	collection(name: string): IDataObject {
		return this.context.getNodeParameter(name, this.itemIndex, {}) as IDataObject;
	}

	/** A date filter (dateFilterOption): YYYY-MM-DD, or undefined when left empty. */
	filterDate(value: unknown, label: string): string | undefined {
		if (value === undefined || value === '') return undefined;
		const text = toIsoDateText(value);
		if (!parseIsoDate(text))
			throw this.refuse(label, 'in Filters must be a date written as YYYY-MM-DD', text);
		return text;
	}

	/** Text (numbers are taken as their text); unset is `fallback`. */
	text(value: unknown, label: string, fallback = ''): string {
		if (value === undefined || value === null) return fallback;
		if (typeof value === 'string') return value;
		if (typeof value === 'number' && Number.isFinite(value)) return String(value);
		throw this.refuse(label, 'must be text', value);
	}
}

/** A value as the description shows it: short, and typed when it is not text. */
function shown(value: unknown): string {
	if (typeof value === 'string') return `'${value.slice(0, 80)}'`;
	if (value === null || typeof value !== 'object') return String(value);
	try {
		return `${Array.isArray(value) ? 'a list' : 'an object'}: ${JSON.stringify(value).slice(0, 80)}`;
	} catch {
		return Array.isArray(value) ? 'a list' : 'an object';
	}
}
