import fc from 'fast-check';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import { JsonLinesFormatError, readJsonLines } from '../../nodes/shared/readers/jsonLines';
import { JsonAggregator } from '../../nodes/shared/output/aggregate';

const collect = async (source: Readable, gzip = false) => {
	const records: unknown[] = [];
	await readJsonLines(
		source,
		{ record: (item) => records.push(item) },
		{ gzip, sourceName: 'blob part-1.json.gz' },
	);
	return records;
};

const chunks = (buffer: Buffer, size: number) =>
	Readable.from(
		Array.from({ length: Math.ceil(buffer.length / size) }, (_, index) =>
			buffer.subarray(index * size, (index + 1) * size),
		),
	);

describe('JSON Lines reader', () => {
	const text =
		'{"CustomerId":"c1","Total":1.5}\n{"CustomerId":"c2","Name":"Zoë"}\r\n\n{"CustomerId":"c3"}';

	it('reads gzip JSON Lines split at every byte, with CRLF, blank lines and no final newline', async () => {
		const gzipped = gzipSync(Buffer.from(text));
		for (const size of [1, 3, 7, 64]) {
			expect(await collect(chunks(gzipped, size), true)).toEqual([
				{ CustomerId: 'c1', Total: 1.5 },
				{ CustomerId: 'c2', Name: 'Zoë' },
				{ CustomerId: 'c3' },
			]);
		}
	});

	it('keeps multi-byte characters whole when a chunk splits them', async () => {
		expect(await collect(chunks(Buffer.from(text), 1))).toHaveLength(3);
	});

	it('refuses truncated gzip data instead of returning fewer records', async () => {
		const gzipped = gzipSync(Buffer.from(text.repeat(50)));
		await expect(
			collect(Readable.from([gzipped.subarray(0, gzipped.length - 20)]), true),
		).rejects.toBeInstanceOf(JsonLinesFormatError);
	});

	it('says gzip data is truncated when it ends early', async () => {
		const gzipped = gzipSync(Buffer.from(text.repeat(50)));
		await expect(collect(Readable.from([gzipped.subarray(0, 30)]), true)).rejects.toThrow(
			/^blob part-1.json.gz is truncated: its gzip data ends early after 30 bytes/,
		);
	});

	it('says a blob is empty rather than truncated', async () => {
		await expect(collect(Readable.from([]), true)).rejects.toThrow(
			'blob part-1.json.gz is empty: it holds no gzip data',
		);
	});

	it('says a proxy page came instead of gzip data', async () => {
		await expect(
			collect(Readable.from([Buffer.from('<html><body>502 Bad Gateway</body></html>')]), true),
		).rejects.toThrow(
			'blob part-1.json.gz is an HTML or XML page, not gzip data: a proxy, firewall or sign-in page may be in the way',
		);
	});

	it('names the line and the source of a malformed line', async () => {
		await expect(collect(Readable.from([Buffer.from('{"a":1}\n{"a":\n')]))).rejects.toThrow(
			/^Line 2 of blob part-1.json.gz is not valid JSON/,
		);
	});

	it('refuses a line that is not an object', async () => {
		await expect(collect(Readable.from([Buffer.from('[1,2]\n')]))).rejects.toThrow(
			'Line 1 of blob part-1.json.gz is not a JSON object',
		);
	});
});

describe('aggregate sink over JSON records', () => {
	const sink = () =>
		new JsonAggregator({
			groupBy: ['customerid', 'SubscriptionId'],
			sumFields: ['Total', 'billablequantity'],
		});

	it('groups and sums exactly, matching attribute names whatever their case', () => {
		const aggregate = sink();
		aggregate.record(
			{ CustomerId: 'c1', SubscriptionId: 's1', Total: 0.1, BillableQuantity: '2' },
			1,
		);
		aggregate.record(
			{ customerId: 'c1', SubscriptionId: 's1', total: 0.2, BillableQuantity: 1 },
			2,
		);
		aggregate.record(
			{ CustomerId: 'c2', SubscriptionId: 's1', Total: 1e-7, BillableQuantity: 3 },
			3,
		);
		expect(
			aggregate.results().map((group) => ({
				...group.keys,
				sums: group.sums.map(String),
				rowCount: group.rowCount,
			})),
		).toEqual([
			{ CustomerId: 'c1', SubscriptionId: 's1', sums: ['0.3', '3'], rowCount: 2 },
			{ CustomerId: 'c2', SubscriptionId: 's1', sums: ['0.0000001', '3'], rowCount: 1 },
		]);
		expect(aggregate.sumFieldNames).toEqual(['Total', 'BillableQuantity']);
	});

	it('stops on a record without a summed attribute, naming it', () => {
		expect(() => sink().record({ CustomerId: 'c1', SubscriptionId: 's1', Total: 1 }, 4)).toThrow(
			"Line 4 has no attribute 'billablequantity' named in 'Sum Fields'",
		);
	});

	it('stops on a summed attribute that is not a number', () => {
		expect(() =>
			sink().record(
				{ CustomerId: 'c1', SubscriptionId: 's1', Total: true, BillableQuantity: 1 },
				5,
			),
		).toThrow("Line 5: attribute 'Total' holds true, which is not a number");
	});
});

describe('aggregating JSON Lines without parsing whole lines', () => {
	const spec = { groupBy: ['customerid', 'SubscriptionId'], sumFields: ['Total', 'Quantity'] };
	const summary = (aggregate: JsonAggregator) =>
		aggregate
			.results()
			.map((group) => ({ ...group.keys, sums: group.sums.map(String), rowCount: group.rowCount }));
	/** The same sink reached only through parsed records: the reference for the fast path. */
	const parsedOnly = (aggregate: JsonAggregator) => ({ record: aggregate.record.bind(aggregate) });

	const lineItem = fc.record({
		CustomerId: fc.constantFrom('c1', 'c2', 'C1', 'c\u00e9', ''),
		SubscriptionId: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
		Total: fc.oneof(
			fc
				.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 9 }))
				.map(([units, scale]) => units / 10 ** scale),
			fc.constantFrom(1e21, 1.5e-7, 0.1 + 0.2, '12.50', '-0.001', '1e3'),
		),
		Quantity: fc.integer({ min: -1000, max: 1000 }),
		Tags: fc.constantFrom('', '{"costCenter":"cc-1"}', 'tab\there', 'Zoë "quoted"'),
	});

	it('gives exactly the groups and sums of parsing every line, whatever the chunking', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItem, { maxLength: 40 }),
				fc.constantFrom('\n', '\r\n'),
				fc.integer({ min: 1, max: 200 }),
				async (items, newline, chunkSize) => {
					const gzipped = gzipSync(
						Buffer.from(items.map((item) => JSON.stringify(item)).join(newline)),
					);
					const fast = new JsonAggregator(spec);
					const reference = new JsonAggregator(spec);
					await readJsonLines(chunks(gzipped, chunkSize), fast, { gzip: true });
					await readJsonLines(chunks(gzipped, chunkSize), parsedOnly(reference), { gzip: true });
					expect(summary(fast)).toEqual(summary(reference));
					expect(fast.sumFieldNames).toEqual(reference.sumFieldNames);
				},
			),
			{ numRuns: 300 },
		);
	});

	it('refuses a raw control character wherever it stands, as parsing every line does, whatever the chunking', async () => {
		const outcome = async (run: Promise<unknown>, aggregate: JsonAggregator) =>
			await run.then(
				() => summary(aggregate),
				(error: Error) => error.message,
			);
		await fc.assert(
			fc.asyncProperty(
				fc.array(lineItem, { minLength: 1, maxLength: 20 }),
				fc.nat(),
				fc.integer({ min: 0, max: 0x1f }).filter((code) => code !== 0x0a),
				fc.integer({ min: 1, max: 200 }),
				async (items, position, code, chunkSize) => {
					const text = items.map((item) => JSON.stringify(item)).join('\n');
					const at = position % text.length;
					const gzipped = gzipSync(
						Buffer.from(text.slice(0, at) + String.fromCharCode(code) + text.slice(at)),
					);
					const fast = new JsonAggregator(spec);
					const reference = new JsonAggregator(spec);
					expect(
						await outcome(readJsonLines(chunks(gzipped, chunkSize), fast, { gzip: true }), fast),
					).toEqual(
						await outcome(
							readJsonLines(chunks(gzipped, chunkSize), parsedOnly(reference), { gzip: true }),
							reference,
						),
					);
				},
			),
			{ numRuns: 500 },
		);
	});

	it('refuses a malformed line even when the summed attributes in it look fine', async () => {
		const text =
			'{"CustomerId":"c1","SubscriptionId":"s1","Total":1,"Quantity":2}\n{"CustomerId":"c1","SubscriptionId":"s1","Total":1,"Quantity":2,,"x":1}';
		await expect(
			readJsonLines(Readable.from([Buffer.from(text)]), new JsonAggregator(spec), {
				sourceName: 'blob b1',
			}),
		).rejects.toThrow('Line 2 of blob b1 is not valid JSON');
	});
});

describe('JSON Lines copy', () => {
	it('copies every record of several files into one open stream, one line each', async () => {
		const { PassThrough } = await import('node:stream');
		const out = new PassThrough();
		const chunks: Buffer[] = [];
		out.on('data', (chunk: Buffer) => chunks.push(chunk));
		const consumer = { record: () => undefined };
		await readJsonLines(Readable.from([gzipSync('{"a":1}\r\n{"a":2}')]), consumer, {
			gzip: true,
			copyTo: out,
		});
		await readJsonLines(Readable.from([Buffer.from('\n{"a":3}\n')]), consumer, { copyTo: out });
		expect(out.writableEnded).toBe(false);
		out.end();
		await new Promise((resolve) => out.on('end', resolve));
		expect(Buffer.concat(chunks).toString()).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
	});
});

describe('merging per-blob aggregates', () => {
	it('adds sums exactly and row counts, keeping groups in order of first sight', async () => {
		const { mergeAggregates } = await import('../../nodes/shared/output/aggregate');
		const spec = { groupBy: ['CustomerId'], sumFields: ['Total'] };
		const first = new JsonAggregator(spec);
		first.record({ CustomerId: 'c2', Total: 0.1 }, 1);
		first.record({ CustomerId: 'c1', Total: 5 }, 2);
		const second = new JsonAggregator(spec);
		second.record({ CustomerId: 'c1', Total: 0.25 }, 1);
		second.record({ CustomerId: 'c2', Total: 0.2 }, 2);
		second.record({ CustomerId: 'c3', Total: 1 }, 3);
		const merged = mergeAggregates([first, second]);
		expect(merged.sumFieldNames).toEqual(['Total']);
		expect(
			merged.groups.map((group) => [group.keys.CustomerId, String(group.sums[0]), group.rowCount]),
		).toEqual([
			['c2', '0.3', 2],
			['c1', '5.25', 2],
			['c3', '1', 1],
		]);
	});
});
