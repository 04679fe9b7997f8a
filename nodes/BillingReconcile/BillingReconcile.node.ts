import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPairedItemData,
} from 'n8n-workflow';
import { Readable } from 'node:stream';

import {
	DuplicateKeysError,
	RecordKeyError,
	pairedItemOf,
	reconcile,
	type ReconcileResult,
} from './join';
import { errorOutputItem } from '../shared/n8n/router';
import { properties } from './description';
import { summaryHtml, totalCurrencies } from './html';
import { readParameters } from './parameters';
import {
	discrepancyCsvChunks,
	largestDiscrepancies,
	totalsJson,
	type SummarySettings,
} from './summary';

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
			const pairedItem = errorPairedItems(caught) ?? everyInputItem(this);
			return [[errorOutputItem(error, pairedItem)], [], [], [], []];
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
			return Readable.from(
				(function* () {
					yield* head;
					yield* chunks;
				})(),
			);
		}
	}
	return Buffer.from(head.join(''), 'utf8');
}

/** From here on, matched rows take more of n8n's memory (about 240 bytes each) than most runs need. */
const MANY_MATCHED_ROWS = 100_000;

async function reconcileInputs(context: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { options, spec, formats } = readParameters(context);
	const itemsA = context.getInputData(0);
	const itemsB = context.getInputData(1);
	const result = reconcile(itemsA, itemsB, spec);
	if (spec.includeMatched && result.counts.matched >= MANY_MATCHED_ROWS) {
		context.addExecutionHints({
			message: `${result.counts.matched.toLocaleString('en-US')} matched rows are output, each kept in n8n's memory with both records. If only the discrepancies matter, turn off Include Matched Rows (in Options): the summary still counts them, and the node needs about half the memory.`,
			location: 'outputPane',
		});
	}

	const settings: SummarySettings = {
		title: options.reportTitle,
		maxRows: options.summaryMaxRows,
		generatedAt: new Date().toISOString(),
		matchFields: spec.matchFields,
		compareFields: spec.compareFields,
		displayFields: options.displayFields,
		nameA: options.nameA,
		nameB: options.nameB,
		formats,
		locale: options.reportLocale,
	};
	const largest = largestDiscrepancies(result.discrepancies, settings.maxRows);
	const binary = await context.helpers.prepareBinaryData(
		discrepancyCsv(result, settings),
		DISCREPANCIES_FILE_NAME,
		'text/csv',
	);

	const summary: INodeExecutionData = {
		json: {
			title: settings.title,
			counts: result.counts,
			totals: totalsJson(result.totals),
			rowsA: result.rowsA,
			rowsB: result.rowsB,
			ignoredDuplicates: result.ignoredDuplicates,
			largestDiscrepancies: largest.map(({ row }) => row),
			html: summaryHtml(result, settings, largest, totalCurrencies(settings, itemsA, itemsB)),
			generatedAt: settings.generatedAt,
		},
		binary: { [DISCREPANCIES_BINARY]: binary },
		pairedItem: result.paired,
	};
	return [result.matched, result.different, result.onlyInA, result.onlyInB, [summary]];
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
	return [0, 1].flatMap((input) =>
		context.getInputData(input).map((_, item) => pairedItemOf(item, input)),
	);
}

/** The input items an error is about, so n8n can show them beside it. */
function errorPairedItems(error: unknown): IPairedItemData[] | undefined {
	if (error instanceof RecordKeyError)
		return [pairedItemOf(error.itemIndex, error.side === 'A' ? 0 : 1)];
	if (error instanceof DuplicateKeysError) {
		const input = error.side === 'A' ? 0 : 1;
		return error.examples[0].itemIndexes.map((item) => pairedItemOf(item, input));
	}
	return undefined;
}
