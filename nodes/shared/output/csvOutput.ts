import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { PassThrough, type Readable } from 'node:stream';

import { readCsv, type CsvReadOptions, type CsvRecordConsumer } from '../readers/csv';
import { CsvAggregator } from './aggregate';
import { writeBinaryFile, type Output, type OutputFormat, type OutputSettings } from './modes';

/**
 * A vendor's CSV file in the output modes (its rows, totals per group, or the file itself),
 * with the columns Group By and Sum Fields name by default and what the file output holds.
 */
export function csvFormat(groupBy: string, sumFields: string, fileHint: string): OutputFormat {
	return {
		records: {
			value: 'rows',
			name: 'Rows',
			description: 'One item per row of the file, keys exactly as the vendor names its columns',
			singular: 'row',
			plural: 'rows',
		},
		field: 'column',
		source: 'file',
		file: {
			description: 'The file as the vendor sent it, as binary data, with its row count',
			hint: fileHint,
		},
		groupBy,
		sumFields,
	};
}

/** Collects every record as an object keyed by the vendor's own column names. */
export class RowsSink implements CsvRecordConsumer {
	readonly rows: IDataObject[] = [];
	private fields: string[] = [];

	header(fields: string[]): void {
		this.fields = fields;
	}

	row(values: string[]): void {
		const record: IDataObject = {};
		for (let index = 0; index < this.fields.length; index++)
			record[this.fields[index]] = values[index];
		this.rows.push(record);
	}
}

/** Counts data rows: the file output's companion, so a file still says how many rows it has. */
export class RowCounter implements CsvRecordConsumer {
	rowCount = 0;
	header(): void {}
	/** none: the rows are counted and their structure checked, no field is decoded */
	columnsRead(): readonly number[] {
		return [];
	}
	row(): void {
		this.rowCount++;
	}
}

/**
 * Streams a CSV body into the output mode's consumer. Called once per download attempt, so
 * every call starts from empty state.
 */
export async function readCsvOutput(
	context: IExecuteFunctions,
	body: Readable,
	settings: OutputSettings,
	file: { fileName: string; mimeType: string },
	csvOptions: CsvReadOptions = {},
): Promise<Output> {
	if (settings.mode === 'records') {
		const sink = new RowsSink();
		const { rowCount } = await readCsv(body, sink, csvOptions);
		return { mode: 'records', records: sink.rows, rowCount };
	}
	if (settings.mode === 'aggregate') {
		const aggregator = new CsvAggregator(settings);
		const { rowCount } = await readCsv(body, aggregator, csvOptions);
		return {
			mode: 'aggregate',
			groups: aggregator.results(),
			sumFieldNames: aggregator.sumFieldNames,
			rowCount,
		};
	}
	// The bytes go to n8n as they arrive while a parser counts the rows and proves the file whole.
	const { binary, result } = await writeBinaryFile(context, file, async (toBinary) => {
		const toParser = new PassThrough();
		body.pipe(toBinary);
		body.pipe(toParser);
		const fail = (error: Error) => toParser.destroy(error);
		body.once('error', fail);
		try {
			return await readCsv(toParser, new RowCounter(), csvOptions);
		} catch (error) {
			body.destroy();
			throw error;
		} finally {
			body.off('error', fail);
		}
	});
	return { mode: 'file', binary, rowCount: result.rowCount };
}
