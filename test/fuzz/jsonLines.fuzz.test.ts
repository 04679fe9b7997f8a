/**
 * The JSON Lines reader (plain and gzip, Graph's blobs) under hostile input: random bytes,
 * valid files cut short or damaged byte by byte, any chunking, into a collector or the
 * aggregate sink's fast path. It returns records or refuses with JsonLinesFormatError; a
 * valid file reads back exactly.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';

import {
	JsonLinesFormatError,
	readJsonLines,
	type JsonRecordConsumer,
} from '../../nodes/shared/readers/jsonLines';
import { JsonAggregator } from '../../nodes/shared/output/aggregate';
import {
	chunked,
	fuzzParameters,
	fuzzReader,
	generatedLines,
	mutate,
	mutationArbitrary,
	liveMemoryMeter,
} from './fuzz';

const fuzz = fuzzReader('jsonLines', 'JsonLinesFormatError');

/** Line items as Graph writes them: a few known attributes, then anything JSON holds. */
const lineItemArbitrary = fc.record(
	{
		CustomerId: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()),
		Quantity: fc.oneof(
			fc.double({ noNaN: true, noDefaultInfinity: true }),
			fc.integer(),
			fc.stringMatching(/^-?\d{1,6}(\.\d{1,4})?$/),
		),
		Extra: fc.jsonValue({ maxDepth: 3 }),
	},
	{ requiredKeys: [] },
);

function writeJsonLines(items: unknown[], lineBreak: string): Buffer {
	return Buffer.from(
		items.map((item) => JSON.stringify(item)).join(lineBreak) + (items.length ? lineBreak : ''),
		'utf8',
	);
}

const consumers: Record<string, () => JsonRecordConsumer> = {
	collect: () => ({ record: () => {} }),
	aggregate: () => new JsonAggregator({ groupBy: ['CustomerId'], sumFields: ['Quantity'] }),
};
const consumerArbitrary = fc.constantFrom(...Object.keys(consumers));

const read = (chunks: Buffer[], consumer: string, gzip: boolean) => () =>
	readJsonLines(Readable.from(chunks), consumers[consumer](), {
		gzip,
		sourceName: 'blob part-00000.json.gz',
	});

describe('JSON Lines reader fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('returns records or a JsonLinesFormatError for random bytes, plain or taken for gzip', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ maxLength: 2048 }),
				fc.array(fc.nat(), { maxLength: 8 }),
				consumerArbitrary,
				fc.boolean(),
				async (bytes, cuts, consumer, gzip) => {
					await fuzz.outcome(read(chunked(bytes, cuts), consumer, gzip), [JsonLinesFormatError]);
				},
			),
			fuzzParameters(400),
		);
	});

	it('returns records or a JsonLinesFormatError for a gzip file of random bytes', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ maxLength: 2048 }),
				consumerArbitrary,
				async (bytes, consumer) => {
					await fuzz.outcome(read([gzipSync(bytes)], consumer, true), [JsonLinesFormatError]);
				},
			),
			fuzzParameters(200),
		);
	});

	it('returns records or a JsonLinesFormatError for a valid file damaged byte by byte', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItemArbitrary, { maxLength: 15 }),
				fc.constantFrom('\n', '\r\n'),
				fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
				fc.array(fc.nat(), { maxLength: 8 }),
				consumerArbitrary,
				fc.boolean(),
				async (items, lineBreak, mutations, cuts, consumer, gzipAfter) => {
					const damaged = mutate(writeJsonLines(items, lineBreak), mutations);
					await fuzz.outcome(
						read(chunked(gzipAfter ? gzipSync(damaged) : damaged, cuts), consumer, gzipAfter),
						[JsonLinesFormatError],
					);
				},
			),
			fuzzParameters(400),
		);
	});

	it('refuses any valid gzip file cut short, never returning fewer records', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItemArbitrary, { minLength: 1, maxLength: 15 }),
				fc.nat(),
				consumerArbitrary,
				async (items, cut, consumer) => {
					const gzipped = gzipSync(writeJsonLines(items, '\n'));
					expect(
						await fuzz.outcome(read([gzipped.subarray(0, cut % gzipped.length)], consumer, true), [
							JsonLinesFormatError,
						]),
					).toBe('refused');
				},
			),
			fuzzParameters(300),
		);
	});

	it('returns records or a JsonLinesFormatError for a valid gzip file damaged byte by byte', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItemArbitrary, { minLength: 1, maxLength: 15 }),
				fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
				consumerArbitrary,
				async (items, mutations, consumer) => {
					await fuzz.outcome(
						read([mutate(gzipSync(writeJsonLines(items, '\n')), mutations)], consumer, true),
						[JsonLinesFormatError],
					);
				},
			),
			fuzzParameters(300),
		);
	});

	it('reads a valid file back exactly, plain or gzip, whatever its chunking', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItemArbitrary, { maxLength: 15 }),
				fc.constantFrom('\n', '\r\n'),
				fc.boolean(),
				fc.array(fc.nat(), { maxLength: 12 }),
				async (items, lineBreak, gzip, cuts) => {
					const text = writeJsonLines(items, lineBreak);
					const records: unknown[] = [];
					const collect = () =>
						readJsonLines(
							Readable.from(chunked(gzip ? gzipSync(text) : text, cuts)),
							{ record: (item) => records.push(item) },
							{ gzip },
						);
					expect(await fuzz.outcome(collect, [])).toBe('result');
					expect(records).toEqual(items.map((item) => JSON.parse(JSON.stringify(item))));
				},
			),
			fuzzParameters(300),
		);
	});

	it('aggregates a gzip export of 50 MiB of lines with flat memory', async () => {
		const lines = 450_000;
		const sink = new JsonAggregator({ groupBy: ['CustomerId'], sumFields: ['Quantity'] });
		const memory = liveMemoryMeter();
		const text = generatedLines(
			lines,
			(index) =>
				`{"CustomerId":"c-${index % 89}","Quantity":${index % 7}.25,"MeterName":"${'m'.repeat(80)}"}\n`,
			'',
			memory.sample,
		);
		await readJsonLines(text.pipe(createGzip({ level: 1 })), sink, { gzip: true });
		expect(sink.results().reduce((total, group) => total + group.rowCount, 0)).toBe(lines);
		expect(memory.growthMiB()).toBeLessThan(16);
	});
});
