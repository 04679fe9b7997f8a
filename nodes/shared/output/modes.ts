import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { PassThrough } from 'node:stream';

import { ParameterRules } from '../n8n/parameters';
import { groupToJson, type AggregateGroup } from './aggregate';

/**
 * The output modes every download offers: one item per record, exact totals per group (flat
 * memory, the way to reconcile large files), or the file itself as binary data.
 */
export type OutputMode = 'records' | 'aggregate' | 'file';

export interface OutputSettings {
	mode: OutputMode;
	groupBy: string[];
	sumFields: string[];
	binaryPropertyName: string;
}

export type Output =
	| { mode: 'records'; records: IDataObject[]; rowCount: number }
	| { mode: 'aggregate'; groups: AggregateGroup[]; sumFieldNames: string[]; rowCount: number }
	| { mode: 'file'; binary: IBinaryData; rowCount: number };

/** How a download's data speaks of itself in the editor and in messages. */
export interface OutputFormat {
	/** the Records mode: its value and name in the editor, its description, one and many */
	records: { value: string; name: string; description: string; singular: string; plural: string };
	/** what Group By and Sum Fields name: a CSV's columns, a JSON record's attributes */
	field: 'column' | 'attribute';
	/** the data as a whole: a file, an export */
	source: string;
	file: { description: string; hint?: string };
	groupBy: string;
	sumFields: string;
	/** examples of numeric fields, for the Sum Fields description */
	sumFieldExamples?: string;
}

/** The Output parameter and the parameters of its modes. */
export function outputModeProperties(format: OutputFormat): INodeProperties[] {
	const { records, field, source, groupBy, sumFields } = format;
	const showFor = (mode: OutputMode) => ({ show: { outputMode: [mode] } });
	const examples = format.sumFieldExamples ? `, e.g. ${format.sumFieldExamples}` : '';
	return [
		{
			displayName: 'Output',
			name: 'outputMode',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: records.name, value: records.value, description: records.description },
				{
					name: 'Aggregate',
					value: 'aggregate',
					description: `One item per group with exact sums: the way to reconcile large ${source}s`,
				},
				{ name: 'File', value: 'file', description: format.file.description },
			],
			default: 'aggregate',
			hint: `Aggregate and File keep memory flat however large the ${source} is; ${records.name} makes one n8n item per ${records.singular}`,
		},
		{
			displayName: 'Group By',
			name: 'groupBy',
			type: 'string',
			displayOptions: showFor('aggregate'),
			default: groupBy,
			required: true,
			placeholder: groupBy,
			description: `Comma-separated ${field} names to group ${records.plural} by. Case does not matter.`,
			hint: `Each output item carries these ${field}s, one sum per Sum Field and rowCount`,
		},
		{
			displayName: 'Sum Fields',
			name: 'sumFields',
			type: 'string',
			displayOptions: showFor('aggregate'),
			default: sumFields,
			required: true,
			description: `Comma-separated numeric ${field}s to sum per group${examples}. Sums are exact decimals; a value that is not a number stops the run with its ${records.singular} and ${field}.`,
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			displayOptions: showFor('file'),
			default: 'data',
			required: true,
			hint: format.file.hint,
			description: 'The name of the binary field of the output item that holds the file',
		},
	];
}

function parseFieldList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((field) => field.trim())
		.filter(Boolean);
}

export function readOutputSettings(
	context: IExecuteFunctions,
	itemIndex: number,
	format: OutputFormat,
): OutputSettings {
	const rules = new ParameterRules(context, itemIndex);
	const chosen = rules.oneOf(context.getNodeParameter('outputMode', itemIndex), 'Output', [
		[format.records.value, format.records.name],
		['aggregate', 'Aggregate'],
		['file', 'File'],
	]);
	const mode: OutputMode = chosen === format.records.value ? 'records' : (chosen as OutputMode);
	const settings: OutputSettings = { mode, groupBy: [], sumFields: [], binaryPropertyName: 'data' };
	if (mode === 'aggregate') {
		settings.groupBy = parseFieldList(context.getNodeParameter('groupBy', itemIndex));
		settings.sumFields = parseFieldList(context.getNodeParameter('sumFields', itemIndex));
		const { field } = format;
		if (settings.groupBy.length === 0) {
			throw rules.explain(
				'Group By',
				`needs at least one ${field} name`,
				`List the ${field}s to group by, separated by commas, for example: ${format.groupBy}`,
			);
		}
		if (settings.sumFields.length === 0) {
			throw rules.explain(
				'Sum Fields',
				`needs at least one ${field} name`,
				`List the numeric ${field}s to sum, separated by commas, for example: ${format.sumFields}`,
			);
		}
	} else if (mode === 'file') {
		settings.binaryPropertyName = rules.requiredText(
			context.getNodeParameter('binaryPropertyName', itemIndex),
			'Put Output File in Field',
		);
	}
	return settings;
}

/**
 * Writes a file into n8n's binary data service as `write` produces it (kept off the heap in
 * filesystem or S3 mode), returning the binary and what `write` returned. `write` ends the
 * stream when the file is whole; its failure is the call's.
 */
export async function writeBinaryFile<Result>(
	context: IExecuteFunctions,
	{ fileName, mimeType }: { fileName: string; mimeType: string },
	write: (file: PassThrough) => Promise<Result>,
): Promise<{ binary: IBinaryData; result: Result }> {
	const file = new PassThrough();
	// n8n starts reading the file only once it has made its folder: a file that fails before
	// then (an empty or malformed file, a dropped connection) destroys the stream with an error
	// nobody listens to yet, which would crash the process. The error reaches the caller
	// through `write`.
	file.on('error', () => {});
	const writing = write(file).catch((error: unknown) => {
		file.destroy(error as Error);
		throw error;
	});
	const [binary, result] = await Promise.all([
		context.helpers.prepareBinaryData(file, fileName, mimeType),
		writing,
	]);
	return { binary, result };
}

/** The items of the Records and Aggregate modes: the records, or each group with its sums. */
export function outputRecords(output: Exclude<Output, { mode: 'file' }>): IDataObject[] {
	return output.mode === 'records'
		? output.records
		: output.groups.map((group) => groupToJson(group, output.sumFieldNames));
}
