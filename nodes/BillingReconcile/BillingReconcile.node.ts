import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IPairedItemData } from 'n8n-workflow';
import { Readable } from 'node:stream';

import { ParameterRules } from '../shared/n8n/parameters';
import { readAmount } from './numbers';
import { fieldReader } from './keys';
import { DuplicateKeysError, RecordKeyError, reconcile, type DuplicateKeyRule, type ReconcileResult, type ReconcileSpec } from './join';
import { DEFAULT_REPORT_TITLE, DEFAULT_SUMMARY_MAX_ROWS, properties } from './description';
import { discrepancyCsvChunks, largestDiscrepancies, summaryHtml, totalsJson, type SummarySettings } from './summary';
import type { CompareField, FieldPair } from './compare';

interface ReconcileOptions {
	trim: boolean;
	caseInsensitive: boolean;
	ignoreLeadingZeros: boolean;
	onDuplicateKeys: DuplicateKeyRule;
	includeMatched: boolean;
	reportTitle: string;
	summaryMaxRows: number;
}

function readOptions(rules: ParameterRules, given: IDataObject): ReconcileOptions {
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
		summaryMaxRows: rules.number(given.summaryMaxRows, 'Summary Max Rows', { min: 0, whole: true, fallback: DEFAULT_SUMMARY_MAX_ROWS }),
	};
}

const DISCREPANCIES_BINARY = 'discrepancies';
const DISCREPANCIES_FILE_NAME = 'discrepancies.csv';

export class BillingReconcile implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Billing Reconcile',
		name: 'billingReconcile',
		icon: { light: 'file:billingReconcile.svg', dark: 'file:billingReconcile.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ "Key: " + (($parameter["matchFields"].values || []).map((pair) => pair.fieldA).filter((field) => field).join(", ") || "not set") }}',
		description:
			'Compare two datasets by key with exact decimals and tolerances: matched, different and missing rows, totals and an email-ready discrepancy summary',
		defaults: {
			name: 'Billing Reconcile',
		},
		// Not offered as an AI tool (usableAsTool left unset on purpose): the node compares two
		// whole inputs of items, and a tool call brings one set of parameters, not two datasets.
		inputs: [
			{ type: NodeConnectionTypes.Main, displayName: 'A' },
			{ type: NodeConnectionTypes.Main, displayName: 'B' },
		],
		// The order is the contract: execute returns its item lists in this order.
		outputs: [
			{ type: NodeConnectionTypes.Main, displayName: 'Matched' },
			{ type: NodeConnectionTypes.Main, displayName: 'Different' },
			{ type: NodeConnectionTypes.Main, displayName: 'Only in A' },
			{ type: NodeConnectionTypes.Main, displayName: 'Only in B' },
			{ type: NodeConnectionTypes.Main, displayName: 'Summary' },
		],
		properties,
	};

	/**
	 * Consumes every item of both inputs at once, so a failure is the whole run's: with
	 * Continue on Fail it becomes one error item on the first output (n8n moves it to the
	 * error output when the node has one), paired with the items it is about (every input
	 * item when it is about none in particular), and the other outputs stay empty.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await reconcileInputs(this);
		} catch (caught) {
			const error = asNodeError(this, caught);
			if (!this.continueOnFail()) throw error;
			const json: IDataObject = { error: error.message };
			if (error.description) json.details = error.description;
			const pairedItem = errorPairedItems(caught) ?? everyInputItem(this);
			return [[{ json, pairedItem }], [], [], [], []];
		}
	}
}

/** Up to this size the CSV is handed over whole: n8n stores a buffer faster than a stream. */
const CSV_BUFFER_BYTES = 1024 * 1024;

/** The discrepancy CSV as one buffer when small (the usual case), else as a stream of its chunks. */
function discrepancyCsv(result: ReconcileResult, settings: SummarySettings): Buffer | Readable {
	const chunks = discrepancyCsvChunks(result, settings);
	const head: string[] = [];
	let length = 0;
	for (let next = chunks.next(); !next.done; next = chunks.next()) {
		head.push(next.value);
		length += next.value.length;
		if (length > CSV_BUFFER_BYTES) {
			return Readable.from((function* () {
				yield* head;
				yield* chunks;
			})());
		}
	}
	return Buffer.from(head.join(''), 'utf8');
}

async function reconcileInputs(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const options = readOptions(new ParameterRules(context, 0), context.getNodeParameter('options', 0, {}) as IDataObject);
	const spec = readSpec(context, options);
	const result = reconcile(context.getInputData(0), context.getInputData(1), spec);

	const settings: SummarySettings = {
		title: options.reportTitle,
		maxRows: options.summaryMaxRows,
		generatedAt: new Date().toISOString(),
		matchFields: spec.matchFields,
		compareFields: spec.compareFields,
	};
	const largest = largestDiscrepancies(result.discrepancies, settings.maxRows);
	const binary = await context.helpers.prepareBinaryData(discrepancyCsv(result, settings), DISCREPANCIES_FILE_NAME, 'text/csv');

	const summary: INodeExecutionData = {
		json: {
			title: settings.title,
			counts: result.counts,
			totals: totalsJson(result.totals),
			rowsA: result.rowsA,
			rowsB: result.rowsB,
			ignoredDuplicates: result.ignoredDuplicates,
			largestDiscrepancies: largest.map(({ row }) => row),
			html: summaryHtml(result, settings, largest),
			generatedAt: settings.generatedAt,
		},
		binary: { [DISCREPANCIES_BINARY]: binary },
		pairedItem: result.pairedA.concat(result.pairedB),
	};
	return [result.matched, result.different, result.onlyInA, result.onlyInB, [summary]];
}

interface FieldPairParameter {
	fieldA?: string;
	fieldB?: string;
}

interface CompareFieldParameter extends FieldPairParameter {
	absoluteTolerance?: number;
	relativeTolerancePercent?: number;
}

/** Reads and checks the parameters before any item is touched. */
function readSpec(context: IExecuteFunctions, options: ReconcileOptions): ReconcileSpec {
	const node = context.getNode();
	const matchFields = (context.getNodeParameter('matchFields.values', 0, []) as FieldPairParameter[]).map((pair, index) =>
		fieldPair(context, pair, 'Match Fields', index),
	);
	if (matchFields.length === 0) {
		throw new NodeOperationError(node, "'Match Fields' needs at least one pair of fields", {
			description: 'Add the field that identifies a row in A (and in B, if it is named differently), e.g. customerId',
		});
	}
	const compareParameters = context.getNodeParameter('compareFields.values', 0, []) as CompareFieldParameter[];
	const compareFields = compareParameters.map((parameter, index): CompareField => ({
		...fieldPair(context, parameter, 'Compare Fields', index),
		absoluteTolerance: tolerance(context, parameter.absoluteTolerance, 'Absolute Tolerance', index),
		relativeTolerancePercent: tolerance(context, parameter.relativeTolerancePercent, 'Relative Tolerance (%)', index),
	}));
	const seen = new Set<string>();
	for (const field of compareFields) {
		if (seen.has(field.fieldA)) {
			throw new NodeOperationError(node, `'Compare Fields' lists the A field '${field.fieldA}' twice`, {
				description: 'Outputs and totals name each compare field by its A field, so each may appear once',
			});
		}
		seen.add(field.fieldA);
	}
	const rules = new ParameterRules(context, 0);
	return {
		matchFields,
		compareFields,
		aggregateA: rules.flag(context.getNodeParameter('aggregateA', 0, false), 'Sum A Rows per Key', false),
		aggregateB: rules.flag(context.getNodeParameter('aggregateB', 0, false), 'Sum B Rows per Key', false),
		normalisation: { trim: options.trim, caseInsensitive: options.caseInsensitive, ignoreLeadingZeros: options.ignoreLeadingZeros },
		onDuplicateKeys: options.onDuplicateKeys,
		includeMatched: options.includeMatched,
	};
}

function fieldPair(context: IExecuteFunctions, pair: FieldPairParameter, parameter: string, index: number): FieldPair {
	const fieldA = String(pair.fieldA ?? '').trim();
	const fieldB = String(pair.fieldB ?? '').trim() || fieldA;
	if (!fieldA) {
		throw new NodeOperationError(context.getNode(), `'${parameter}' entry ${index + 1} has no A Field`, {
			description: 'Name the field in input A; leave the B Field empty when B names it the same way',
		});
	}
	return { fieldA, fieldB, readA: fieldReader(fieldA), readB: fieldReader(fieldB) };
}

function tolerance(context: IExecuteFunctions, value: number | undefined, name: string, index: number) {
	const exact = readAmount(value ?? 0);
	if (exact === null || exact.units < 0n) {
		throw new NodeOperationError(context.getNode(), `'${name}' of 'Compare Fields' entry ${index + 1} must be a number of 0 or more`);
	}
	return exact;
}

function asNodeError(context: IExecuteFunctions, error: unknown): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	if (error instanceof RecordKeyError) {
		const fields = error.fieldNames.length ? error.fieldNames.join(', ') : 'none';
		const advice =
			error.problem.problem === 'missing'
				? `Its fields are: ${fields}. Check the ${error.side} Field names in 'Match Fields', or filter out items without a key before this node.`
				: 'Match fields must hold text, numbers, booleans or null. Point the match field at a value inside it with a dot path, e.g. customer.id.';
		return new NodeOperationError(context.getNode(), error.message, { description: advice });
	}
	if (error instanceof DuplicateKeysError) {
		return new NodeOperationError(context.getNode(), error.message, {
			description: `Set 'On Duplicate Keys' to Aggregate (sum the rows of each key) or Keep First, or turn on 'Sum ${error.side} Rows per Key'.`,
		});
	}
	return new NodeOperationError(context.getNode(), error as Error);
}

/** Both inputs' items, for an error about the parameters or the run as a whole. */
function everyInputItem(context: IExecuteFunctions): IPairedItemData[] {
	return [0, 1].flatMap((input) => context.getInputData(input).map((_, item) => ({ item, input })));
}

/** The input items an error is about, so n8n can show them beside it. */
function errorPairedItems(error: unknown): IPairedItemData[] | undefined {
	if (error instanceof RecordKeyError) return [{ item: error.itemIndex, input: error.side === 'A' ? 0 : 1 }];
	if (error instanceof DuplicateKeysError) {
		const input = error.side === 'A' ? 0 : 1;
		return error.examples[0].itemIndexes.map((item) => ({ item, input }));
	}
	return undefined;
}
