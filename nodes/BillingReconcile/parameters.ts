import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { ParameterRules } from '../shared/n8n/parameters';
import type { CompareField, FieldPair } from './compare';
import { DEFAULT_REPORT_TITLE, DEFAULT_SUMMARY_MAX_ROWS } from './description';
import { DEFAULT_REPORT_LOCALE, MAX_REPORT_DECIMALS, currencyCode, isKnownLocale } from './format';
import type { DuplicateKeyRule, ReconcileSpec } from './join';
import { fieldReader } from './keys';
import { readAmount } from './numbers';
import type { FieldFormat } from './summary';
import type { CompareKind } from './values';

export interface ReconcileOptions {
	trim: boolean;
	caseInsensitive: boolean;
	ignoreLeadingZeros: boolean;
	onDuplicateKeys: DuplicateKeyRule;
	includeMatched: boolean;
	reportTitle: string;
	summaryMaxRows: number;
	nameA: string;
	nameB: string;
	displayFields: FieldPair[];
	reportLocale: string;
}

/** The report settings read with the spec: how each compare field's numbers are shown. */
export interface ReconcileParameters {
	options: ReconcileOptions;
	spec: ReconcileSpec;
	formats: FieldFormat[];
}

/** Reads and checks every parameter before any item is touched. */
export function readParameters(context: IExecuteFunctions): ReconcileParameters {
	const options = readOptions(context, context.getNodeParameter('options', 0, {}) as IDataObject);
	const node = context.getNode();
	const matchFields = (
		context.getNodeParameter('matchFields.values', 0, []) as FieldPairParameter[]
	).map((pair, index) => fieldPair(context, pair, 'Match Fields', index));
	if (matchFields.length === 0) {
		throw new NodeOperationError(node, "'Match Fields' needs at least one pair of fields", {
			description:
				'Add the field that identifies a row in A (and in B, if it is named differently), e.g. customerId',
		});
	}
	const compareParameters = context.getNodeParameter(
		'compareFields.values',
		0,
		[],
	) as CompareFieldParameter[];
	const compareFields = compareParameters.map(
		(parameter, index): CompareField => ({
			...fieldPair(context, parameter, 'Compare Fields', index),
			compareAs: compareKind(context, parameter.compareAs, index),
			absoluteTolerance: tolerance(
				context,
				parameter.absoluteTolerance,
				'Absolute Tolerance',
				index,
			),
			relativeTolerancePercent: tolerance(
				context,
				parameter.relativeTolerancePercent,
				'Relative Tolerance (%)',
				index,
			),
		}),
	);
	const seen = new Set<string>();
	for (const field of compareFields) {
		if (seen.has(field.fieldA)) {
			throw new NodeOperationError(
				node,
				`'Compare Fields' lists the A field '${field.fieldA}' twice`,
				{
					description:
						'Outputs and totals name each compare field by its A field, so each may appear once',
				},
			);
		}
		seen.add(field.fieldA);
	}
	const formats = compareParameters.map((parameter, index) =>
		fieldFormat(context, parameter, index),
	);
	const currencyFields = formats.flatMap((format) =>
		format.currencyField ? [format.currencyField] : [],
	);
	const rules = new ParameterRules(context, 0);
	const spec: ReconcileSpec = {
		matchFields,
		compareFields,
		// A roll-up record keeps what the report reads of the key's first row.
		keptFields: options.displayFields.concat(currencyFields),
		aggregateA: rules.flag(
			context.getNodeParameter('aggregateA', 0, false),
			'Sum A Rows per Key',
			false,
		),
		aggregateB: rules.flag(
			context.getNodeParameter('aggregateB', 0, false),
			'Sum B Rows per Key',
			false,
		),
		normalisation: {
			trim: options.trim,
			caseInsensitive: options.caseInsensitive,
			ignoreLeadingZeros: options.ignoreLeadingZeros,
		},
		onDuplicateKeys: options.onDuplicateKeys,
		includeMatched: options.includeMatched,
	};
	return { options, spec, formats };
}

function readOptions(context: IExecuteFunctions, given: IDataObject): ReconcileOptions {
	const rules = new ParameterRules(context, 0);
	const locale =
		rules.text(given.reportLocale, 'Number Locale', DEFAULT_REPORT_LOCALE).trim() ||
		DEFAULT_REPORT_LOCALE;
	if (!isKnownLocale(locale))
		throw rules.refuse(
			'Number Locale',
			'must be a locale such as en-US, en-GB, de-DE or fr-FR',
			locale,
		);
	const displayFields = ((given.displayFields as IDataObject | undefined)?.values ??
		[]) as FieldPairParameter[];
	return {
		trim: rules.flag(given.trim, 'Trim Keys', false),
		caseInsensitive: rules.flag(given.caseInsensitive, 'Case-Insensitive Keys', false),
		ignoreLeadingZeros: rules.flag(given.ignoreLeadingZeros, 'Ignore Leading Zeros in Keys', false),
		onDuplicateKeys: rules.oneOf(given.onDuplicateKeys ?? 'error', 'On Duplicate Keys', [
			['aggregate', 'Aggregate'],
			['error', 'Error'],
			['first', 'Keep First'],
		]),
		includeMatched: rules.flag(given.includeMatched, 'Include Matched Rows', true),
		reportTitle: rules.text(given.reportTitle, 'Report Title', DEFAULT_REPORT_TITLE),
		summaryMaxRows: rules.number(given.summaryMaxRows, 'Summary Max Rows', {
			min: 0,
			whole: true,
			fallback: DEFAULT_SUMMARY_MAX_ROWS,
		}),
		nameA: rules.text(given.nameA, 'Name of Input A', 'A').trim() || 'A',
		nameB: rules.text(given.nameB, 'Name of Input B', 'B').trim() || 'B',
		displayFields: displayFields.map((pair, index) =>
			fieldPair(context, pair, 'Display Fields', index),
		),
		reportLocale: locale,
	};
}

interface FieldPairParameter {
	fieldA?: string;
	fieldB?: string;
}

interface CompareFieldParameter extends FieldPairParameter {
	compareAs?: string;
	absoluteTolerance?: number;
	relativeTolerancePercent?: number;
	decimals?: string | number;
	currencyCode?: string;
	currencyField?: string;
}

function fieldPair(
	context: IExecuteFunctions,
	pair: FieldPairParameter,
	parameter: string,
	index: number,
): FieldPair {
	const fieldA = String(pair.fieldA ?? '').trim();
	const fieldB = String(pair.fieldB ?? '').trim() || fieldA;
	if (!fieldA) {
		throw new NodeOperationError(
			context.getNode(),
			`'${parameter}' entry ${index + 1} has no A Field`,
			{
				description:
					'Name the field in input A; leave the B Field empty when B names it the same way',
			},
		);
	}
	return { fieldA, fieldB, readA: fieldReader(fieldA), readB: fieldReader(fieldB) };
}

const COMPARE_KINDS: readonly CompareKind[] = ['auto', 'number', 'text', 'date'];

function compareKind(
	context: IExecuteFunctions,
	value: string | undefined,
	index: number,
): CompareKind {
	if (value === undefined) return 'auto';
	const kind = COMPARE_KINDS.find((candidate) => candidate === value);
	if (kind === undefined)
		throw entryError(context, 'Compare As', index, 'must be Auto, Number, Text or Date', value);
	return kind;
}

function tolerance(
	context: IExecuteFunctions,
	value: number | undefined,
	name: string,
	index: number,
) {
	const exact = readAmount(value ?? 0);
	if (exact === null || exact.units < 0n)
		throw entryError(context, name, index, 'must be a number of 0 or more');
	return exact;
}

function fieldFormat(
	context: IExecuteFunctions,
	parameter: CompareFieldParameter,
	index: number,
): FieldFormat {
	const given = parameter.decimals ?? 'auto';
	let decimals: number | null = null;
	if (given !== 'auto') {
		decimals = typeof given === 'number' ? given : given.trim() === '' ? Number.NaN : Number(given);
		if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_REPORT_DECIMALS) {
			throw entryError(
				context,
				'Decimals in Report',
				index,
				`must be From the Data or a whole number from 0 to ${MAX_REPORT_DECIMALS}`,
				given,
			);
		}
	}
	const codeText = String(parameter.currencyCode ?? '').trim();
	const code = codeText === '' ? null : currencyCode(codeText);
	if (codeText !== '' && code === null)
		throw entryError(
			context,
			'Currency Code',
			index,
			'must be a three-letter currency code such as USD or EUR',
			codeText,
		);
	const currencyField = String(parameter.currencyField ?? '').trim();
	return {
		decimals,
		currencyCode: code,
		currencyField:
			currencyField === ''
				? null
				: {
						fieldA: currencyField,
						fieldB: currencyField,
						readA: fieldReader(currencyField),
						readB: fieldReader(currencyField),
					},
	};
}

function entryError(
	context: IExecuteFunctions,
	name: string,
	index: number,
	rule: string,
	given?: unknown,
): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		`'${name}' of 'Compare Fields' entry ${index + 1} ${rule}`,
		{
			description: given === undefined ? undefined : `It was ${JSON.stringify(given)}.`,
		},
	);
}
