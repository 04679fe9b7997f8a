import type { INodeProperties } from 'n8n-workflow';

/*
 * Parameters that operations of several vendors declare alike. Each builder takes what differs
 * (a description, a default); names and editor settings stay one, as saved workflows bind to them.
 */

/** The Timeout (Minutes) option of every node: its editor bounds, checked whatever an expression gives. */
export const TIMEOUT_MINUTES = { min: 0.05, max: 1440 } as const;

/** The Timeout (Minutes) option, with the bounds above; each operation says what it covers. */
export function timeoutMinutesProperty(
	defaultMinutes: number,
	description: string,
): INodeProperties {
	return {
		displayName: 'Timeout (Minutes)',
		name: 'timeoutMinutes',
		type: 'number',
		typeOptions: {
			minValue: TIMEOUT_MINUTES.min,
			maxValue: TIMEOUT_MINUTES.max,
			numberPrecision: 2,
		},
		default: defaultMinutes,
		description,
	};
}

/** An options parameter's values with their display names, for ParameterRules.oneOf. */
export function choicesOf<Value extends string>(
	options: ReadonlyArray<{ readonly name: string; readonly value: Value }>,
): Array<readonly [Value, string]> {
	return options.map(({ value, name }) => [value, name] as const);
}

/** Wait for Completion: whether to wait for a vendor's long-running job, read as a flag. */
export function waitForCompletionOption(
	waitByDefault: boolean,
	description: string,
): INodeProperties {
	const option: INodeProperties = {
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description,
	};
	// The default is set apart: n8n's lint rules want a boolean parameter's default literal.
	return waitByDefault ? { ...option, default: true } : option;
}

/** An operation's Options collection (ParameterRules.collection reads it). */
export function optionsCollection(
	description: string,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description,
		options,
	};
}

/** A Get Many operation's Filters collection (ParameterRules.collection reads it). */
export function filtersCollection(
	description: string,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description,
		options,
	};
}

/** A date filter written as YYYY-MM-DD (ParameterRules.filterDate reads it). */
export function dateFilterOption(
	displayName: string,
	name: string,
	description: string,
): INodeProperties {
	return { displayName, name, type: 'string', default: '', placeholder: 'YYYY-MM-DD', description };
}

/** Return All and Limit, as n8n's own Get Many operations show them (ParameterRules.limit reads them). */
export const returnAllAndLimitProperties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];
