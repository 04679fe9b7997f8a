/**
 * The streaming CSV reader under hostile input: random bytes, valid files cut short or
 * damaged byte by byte, any chunking, any delimiter, into each sink. It returns rows or
 * refuses with CsvFormatError; a valid file reads back exactly.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';

import { CsvFormatError, readCsv, type CsvRecordConsumer } from '../../nodes/shared/readers/csv';
import { CsvAggregator } from '../../nodes/shared/output/aggregate';
import { RowCounter, RowsSink } from '../../nodes/shared/output/csvOutput';
import {
	chunked,
	fuzzParameters,
	fuzzReader,
	generatedLines,
	mutate,
	mutationArbitrary,
	liveMemoryMeter,
} from './fuzz';

const fuzz = fuzzReader('csv', 'CsvFormatError');

const delimiterArbitrary = fc.constantFrom(',', ';', '\t', '|');

/** Field text that CSV has to quote: delimiters, quotes, line breaks, spaces, non-ASCII. */
const fieldArbitrary = fc.string({
	unit: fc.constantFrom(
		'a',
		'Z',
		'7',
		'.',
		'-',
		' ',
		',',
		';',
		'\t',
		'|',
		'"',
		'\n',
		'\r',
		'é',
		'€',
	),
	maxLength: 12,
});

/** A valid CSV: 2–5 columns (named), up to 20 rows, every field quoted when it must be. */
const tableArbitrary = fc.integer({ min: 2, max: 5 }).chain((width) =>
	fc.record({
		header: fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_ ]{0,8}[A-Za-z0-9_]$/), {
			minLength: width,
			maxLength: width,
		}),
		rows: fc.array(fc.array(fieldArbitrary, { minLength: width, maxLength: width }), {
			maxLength: 20,
		}),
		lineBreak: fc.constantFrom('\r\n', '\n'),
		bom: fc.boolean(),
	}),
);

function writeCsv(
	table: { header: string[]; rows: string[][]; lineBreak: string; bom: boolean },
	delimiter: string,
): Buffer {
	const field = (value: string) =>
		/["\r\n]/.test(value) || value.includes(delimiter) || value !== value.trim()
			? `"${value.replace(/"/g, '""')}"`
			: value;
	const lines = [table.header, ...table.rows].map((record) => record.map(field).join(delimiter));
	return Buffer.from(
		`${table.bom ? '\ufeff' : ''}${lines.join(table.lineBreak)}${table.lineBreak}`,
		'utf8',
	);
}

const sinks: Record<string, () => CsvRecordConsumer> = {
	rows: () => new RowsSink(),
	count: () => new RowCounter(),
	aggregate: () => new CsvAggregator({ groupBy: ['A'], sumFields: ['B'] }),
};
const sinkArbitrary = fc.constantFrom(...Object.keys(sinks));

const read = (chunks: Buffer[], sink: string, delimiter: string) => () =>
	readCsv(Readable.from(chunks), sinks[sink](), { delimiter });

describe('CSV reader fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('returns rows or a CsvFormatError for random bytes', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ maxLength: 2048 }),
				fc.array(fc.nat(), { maxLength: 8 }),
				sinkArbitrary,
				delimiterArbitrary,
				async (bytes, cuts, sink, delimiter) => {
					await fuzz.outcome(read(chunked(bytes, cuts), sink, delimiter), [CsvFormatError]);
				},
			),
			fuzzParameters(400),
		);
	});

	it('returns rows or a CsvFormatError for a valid file damaged byte by byte', async () => {
		await fc.assert(
			fc.asyncProperty(
				tableArbitrary,
				delimiterArbitrary,
				fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
				fc.array(fc.nat(), { maxLength: 8 }),
				sinkArbitrary,
				async (table, delimiter, mutations, cuts, sink) => {
					await fuzz.outcome(
						read(chunked(mutate(writeCsv(table, delimiter), mutations), cuts), sink, delimiter),
						[CsvFormatError],
					);
				},
			),
			fuzzParameters(400),
		);
	});

	it('returns at most the rows it holds, or a CsvFormatError, for a valid file cut short', async () => {
		await fc.assert(
			fc.asyncProperty(
				tableArbitrary,
				delimiterArbitrary,
				fc.nat(),
				async (table, delimiter, cut) => {
					const bytes = writeCsv(table, delimiter);
					const counter = new RowCounter();
					const outcome = await fuzz.outcome(
						() =>
							readCsv(Readable.from([bytes.subarray(0, cut % bytes.length)]), counter, {
								delimiter,
							}),
						[CsvFormatError],
					);
					if (outcome === 'result') expect(counter.rowCount).toBeLessThanOrEqual(table.rows.length);
				},
			),
			fuzzParameters(300),
		);
	});

	it('reads a valid file back exactly, whatever its chunking', async () => {
		await fc.assert(
			fc.asyncProperty(
				tableArbitrary,
				delimiterArbitrary,
				fc.array(fc.nat(), { maxLength: 12 }),
				async (table, delimiter, cuts) => {
					const sink = new RowsSink();
					expect(
						await fuzz.outcome(
							() =>
								readCsv(Readable.from(chunked(writeCsv(table, delimiter), cuts)), sink, {
									delimiter,
								}),
							[],
						),
					).toBe('result');
					const header = table.header.map((name) => name.trim());
					expect(sink.rows).toEqual(
						table.rows.map((row) =>
							Object.fromEntries(header.map((name, index) => [name, row[index]])),
						),
					);
				},
			),
			fuzzParameters(300),
		);
	});

	it('aggregates a 15 MiB file with flat memory', async () => {
		const rows = 150_000;
		const sink = new CsvAggregator({ groupBy: ['CUSTOMER_ORG_ID'], sumFields: ['QUANTITY'] });
		const memory = liveMemoryMeter();
		const file = generatedLines(
			rows,
			(index) =>
				`org-${index % 97},"Webex Meetings, Enterprise",${index % 31}.5,${'x'.repeat(60)}\r\n`,
			'CUSTOMER_ORG_ID,SKU,QUANTITY,NOTE\r\n',
			memory.sample,
		);
		await readCsv(file, sink);
		expect(sink.results().reduce((total, group) => total + group.rowCount, 0)).toBe(rows);
		expect(memory.growthMiB()).toBeLessThan(16);
	});
});
