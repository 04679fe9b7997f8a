import {
	NodeOperationError,
	type IBinaryData,
	type IDisplayOptions,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';
import { PassThrough, type Readable } from 'node:stream';

import { readCsv, type CsvReadOptions } from '../readers/csv';
import { ParameterRules } from '../n8n/parameters';
import { AggregateSink, RowCounter, RowsSink, type AggregateGroup } from './sinks';

/** How a downloaded vendor file reaches the workflow. */
export type OutputMode = 'rows' | 'aggregate' | 'file';

export interface OutputSettings {
	mode: OutputMode;
	groupBy: string[];
	sumFields: string[];
	binaryPropertyName: string;
}

export type CsvOutput =
	| { mode: 'rows'; rows: RowsSink['rows']; rowCount: number }
	| { mode: 'aggregate'; groups: AggregateGroup[]; sumFieldNames: string[]; rowCount: number }
	| { mode: 'file'; binary: IBinaryData; rowCount: number };

/** The output-mode parameters shared by the download operations of the vendor nodes. */
export function outputModeProperties(
	displayOptions: IDisplayOptions,
	{ defaultGroupBy, defaultSumFields, fileHint }: { defaultGroupBy: string; defaultSumFields: string; fileHint: string },
): INodeProperties[] {
	const show = displayOptions.show ?? {};
	return [
		{
			displayName: 'Output',
			name: 'outputMode',
			type: 'options',
			noDataExpression: true,
			displayOptions,
			options: [
				{
					name: 'Rows',
					value: 'rows',
					description: 'One item per row of the file, keys exactly as the vendor names its columns',
				},
				{
					name: 'Aggregate',
					value: 'aggregate',
					description: 'One item per group with exact sums: the way to reconcile large files',
				},
				{
					name: 'File',
					value: 'file',
					description: 'The file as the vendor sent it, as binary data, with its row count',
				},
			],
			default: 'aggregate',
			hint: 'Aggregate and File keep memory flat however large the file is; Rows makes one n8n item per row',
		},
		{
			displayName: 'Group By',
			name: 'groupBy',
			type: 'string',
			displayOptions: { show: { ...show, outputMode: ['aggregate'] } },
			default: defaultGroupBy,
			required: true,
			placeholder: 'CUSTOMER_ORG_ID, SKU',
			description: 'Comma-separated column names to group rows by. Case does not matter.',
			hint: 'Each output item carries these columns, one sum per Sum Field and rowCount',
		},
		{
			displayName: 'Sum Fields',
			name: 'sumFields',
			type: 'string',
			displayOptions: { show: { ...show, outputMode: ['aggregate'] } },
			default: defaultSumFields,
			required: true,
			description:
				'Comma-separated numeric columns to sum per group. Sums are exact decimals; a value that is not a number stops the run with its row and column.',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			displayOptions: { show: { ...show, outputMode: ['file'] } },
			default: 'data',
			required: true,
			hint: fileHint,
			description: 'The name of the binary field of the output item that holds the file',
		},
	];
}

export function parseFieldList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
}

export function readOutputSettings(context: IExecuteFunctions, itemIndex: number): OutputSettings {
	const rules = new ParameterRules(context, itemIndex);
	const mode = rules.oneOf(context.getNodeParameter('outputMode', itemIndex), 'Output', [
		['rows', 'Rows'],
		['aggregate', 'Aggregate'],
		['file', 'File'],
	]);
	const settings: OutputSettings = { mode, groupBy: [], sumFields: [], binaryPropertyName: 'data' };
	if (mode === 'aggregate') {
		settings.groupBy = parseFieldList(context.getNodeParameter('groupBy', itemIndex));
		settings.sumFields = parseFieldList(context.getNodeParameter('sumFields', itemIndex));
		if (settings.groupBy.length === 0) {
			throw new NodeOperationError(context.getNode(), "'Group By' needs at least one column name", {
				itemIndex,
				description: 'List the columns to group by, separated by commas, for example: CUSTOMER_ORG_ID, SKU',
			});
		}
		if (settings.sumFields.length === 0) {
			throw new NodeOperationError(context.getNode(), "'Sum Fields' needs at least one column name", {
				itemIndex,
				description: 'List the numeric columns to sum, separated by commas, for example: QUANTITY',
			});
		}
	} else if (mode === 'file') {
		settings.binaryPropertyName = rules.text(context.getNodeParameter('binaryPropertyName', itemIndex), 'Put Output File in Field').trim();
		if (!settings.binaryPropertyName) {
			throw new NodeOperationError(context.getNode(), "'Put Output File in Field' must not be empty", {
				itemIndex,
			});
		}
	}
	return settings;
}

/**
 * Streams a CSV body into the sink the output mode asks for. Called once per download
 * attempt, so every call starts from empty state.
 */
export async function readCsvOutput(
	context: IExecuteFunctions,
	body: Readable,
	settings: OutputSettings,
	file: { fileName: string; mimeType: string },
	csvOptions: CsvReadOptions = {},
): Promise<CsvOutput> {
	if (settings.mode === 'rows') {
		const sink = new RowsSink();
		const { rowCount } = await readCsv(body, sink, csvOptions);
		return { mode: 'rows', rows: sink.rows, rowCount };
	}
	if (settings.mode === 'aggregate') {
		const sink = new AggregateSink({
			groupBy: settings.groupBy,
			sumFields: settings.sumFields,
			groupByParameter: 'Group By',
			sumFieldsParameter: 'Sum Fields',
		});
		const { rowCount } = await readCsv(body, sink, csvOptions);
		return { mode: 'aggregate', groups: sink.results(), sumFieldNames: sink.sumFieldNames, rowCount };
	}
	// File: the bytes go to n8n's binary data service as they arrive (kept off the heap in
	// filesystem/S3 mode) while a parser counts the rows and proves the file is whole.
	const toBinary = new PassThrough();
	const toParser = new PassThrough();
	// n8n starts reading the binary only once it has made its folder: a file that fails before
	// then (an empty or malformed CSV, a dropped connection) destroys toBinary with an error
	// nobody listens to yet, which would crash the process. The error reaches the caller
	// through the parser.
	toBinary.on('error', () => {});
	body.pipe(toBinary);
	body.pipe(toParser);
	const fail = (error: Error) => {
		toBinary.destroy(error);
		toParser.destroy(error);
	};
	body.once('error', fail);
	const counter = new RowCounter();
	try {
		const [binary] = await Promise.all([
			context.helpers.prepareBinaryData(toBinary, file.fileName, file.mimeType),
			readCsv(toParser, counter, csvOptions).catch((error: Error) => {
				body.destroy();
				fail(error);
				throw error;
			}),
		]);
		return { mode: 'file', binary, rowCount: counter.rowCount };
	} finally {
		body.off('error', fail);
	}
}
