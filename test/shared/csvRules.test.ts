/**
 * The CSV rules the pack's reader keeps: RFC 4180 as csv-parse (`bom`, `skip_empty_lines`,
 * strict quotes) read it before the reader was the pack's own.
 */
import { Readable } from 'node:stream';

import { CsvFormatError, readCsv } from '../../nodes/shared/readers/csv';

/** Every record as the reader hands it over, the header first. */
async function recordsOf(
	input: string | Buffer | Array<string | Buffer>,
	delimiter?: string,
): Promise<string[][]> {
	const chunks = (Array.isArray(input) ? input : [input]).map((chunk) => Buffer.from(chunk));
	const records: string[][] = [];
	await readCsv(
		Readable.from(chunks),
		{
			header: (fields) => void records.push(fields),
			row: (values) => void records.push([...values]),
		},
		delimiter === undefined ? {} : { delimiter },
	);
	return records;
}

/** The same bytes cut into chunks at every position, one cut at a time. */
function everySplit(bytes: Buffer): Buffer[][] {
	const splits: Buffer[][] = [];
	for (let cut = 1; cut < bytes.length; cut++)
		splits.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
	return splits;
}

const oneByteChunks = (bytes: Buffer) => [...bytes].map((byte) => Buffer.from([byte]));

describe('CSV reader rules', () => {
	describe('quoted fields', () => {
		it('hold the delimiter, CR and LF', async () => {
			expect(await recordsOf('A,B\n"1,5","x\r\ny\rz\n"\n')).toEqual([
				['A', 'B'],
				['1,5', 'x\r\ny\rz\n'],
			]);
		});

		it('hold a quote written as two', async () => {
			expect(await recordsOf('A,B\n"say ""hi""",""""\n')).toEqual([
				['A', 'B'],
				['say "hi"', '"'],
			]);
		});

		it('may be empty, which is an empty value', async () => {
			expect(await recordsOf('A,B\n"",x\n')).toEqual([
				['A', 'B'],
				['', 'x'],
			]);
		});
	});

	describe('record ends', () => {
		it('are LF', async () => {
			expect(await recordsOf('A,B\n1,2\n3,4\n')).toEqual([
				['A', 'B'],
				['1', '2'],
				['3', '4'],
			]);
		});

		it('are CRLF', async () => {
			expect(await recordsOf('A,B\r\n1,2\r\n3,4\r\n')).toEqual([
				['A', 'B'],
				['1', '2'],
				['3', '4'],
			]);
		});

		it('are a lone CR in a file whose first line ends with one', async () => {
			expect(await recordsOf('A,B\r1,2\r3,4\r')).toEqual([
				['A', 'B'],
				['1', '2'],
				['3', '4'],
			]);
		});

		it("are what the first line ends with: another line break is the field's own text", async () => {
			// As csv-parse: a CR before LF in an LF file, a lone LF in a CRLF file.
			expect(await recordsOf('A,B\n1,2\r\n3,4\n')).toEqual([
				['A', 'B'],
				['1', '2\r'],
				['3', '4'],
			]);
			expect(await recordsOf('A,B\r\n1,x\ny\r\n')).toEqual([
				['A', 'B'],
				['1', 'x\ny'],
			]);
		});

		it('are not needed after the last record', async () => {
			expect(await recordsOf('A,B\n1,2')).toEqual([
				['A', 'B'],
				['1', '2'],
			]);
		});

		it('after a delimiter end the record with an empty last field', async () => {
			expect(await recordsOf('A,B\n1,\n2,')).toEqual([
				['A', 'B'],
				['1', ''],
				['2', ''],
			]);
		});
	});

	describe('encoding', () => {
		it('skips a UTF-8 byte order mark at the start', async () => {
			expect(await recordsOf('\uFEFFA,B\n1,2\n')).toEqual([
				['A', 'B'],
				['1', '2'],
			]);
		});

		it('keeps a byte order mark anywhere else as text', async () => {
			expect(await recordsOf('A,B\n\uFEFF1,2\n')).toEqual([
				['A', 'B'],
				['\uFEFF1', '2'],
			]);
		});

		it('reads a UTF-16LE file by its byte order mark', async () => {
			const file = Buffer.concat([
				Buffer.from([0xff, 0xfe]),
				Buffer.from('A,B\n"é, ü",€\n', 'utf16le'),
			]);
			for (const chunks of [[file], oneByteChunks(file)]) {
				expect(await recordsOf(chunks)).toEqual([
					['A', 'B'],
					['é, ü', '€'],
				]);
			}
		});

		it('reads a UTF-16LE file whose first chunk is too short for its byte order mark', async () => {
			const file = Buffer.concat([
				Buffer.from([0xff, 0xfe]),
				Buffer.from('id\n10\n20\n', 'utf16le'),
			]);
			for (const chunks of [
				[Buffer.alloc(0), file],
				[file.subarray(0, 2), file.subarray(2)],
			]) {
				expect(await recordsOf(chunks)).toEqual([['id'], ['10'], ['20']]);
			}
		});

		it('ends a UTF-16LE file cut inside a character with a replacement character', async () => {
			const file = Buffer.concat([
				Buffer.from([0xff, 0xfe]),
				Buffer.from('A\n1', 'utf16le'),
				Buffer.from([0x3d, 0xd8]),
			]);
			expect(await recordsOf([file])).toEqual([['A'], ['1\uFFFD']]);
		});

		it('decodes multi-byte UTF-8 characters cut by any chunk boundary', async () => {
			const file = Buffer.from('Kunde,Betrag €\nMüller 🚀,"Größe, ½"\n');
			for (const chunks of [...everySplit(file), oneByteChunks(file)]) {
				expect(await recordsOf(chunks)).toEqual([
					['Kunde', 'Betrag €'],
					['Müller 🚀', 'Größe, ½'],
				]);
			}
		});

		it('replaces bytes that are not UTF-8 with U+FFFD, as Node decodes them', async () => {
			expect(await recordsOf(Buffer.from([0x41, 0x0a, 0xff, 0x62, 0x0a]))).toEqual([
				['A'],
				['\uFFFDb'],
			]);
		});
	});

	describe('chunks', () => {
		it('read a quoted field with a line break and a doubled quote cut at any byte', async () => {
			const file = Buffer.from('A,B\r\n"x,""\r\ny""",2\r\n3,4\r\n');
			for (const chunks of [...everySplit(file), oneByteChunks(file)]) {
				expect(await recordsOf(chunks)).toEqual([
					['A', 'B'],
					['x,"\r\ny"', '2'],
					['3', '4'],
				]);
			}
		});

		it.each([
			['on one line', 'x'.repeat(200_000)],
			['over many lines', `${'x'.repeat(99)}\n`.repeat(2_000)],
		])(
			'read a record far longer than its chunks, %s, copying its bytes a bounded number of times',
			async (_, field) => {
				// A record cut by a chunk's end is parsed again with the next bytes: done on every
				// small chunk, a long record would cost time in the square of its length.
				const file = Buffer.from(`A,B\n"${field}",1\n`);
				const chunks: Buffer[] = [];
				for (let at = 0; at < file.length; at += 16) chunks.push(file.subarray(at, at + 16));
				const concat = jest.spyOn(Buffer, 'concat');
				try {
					expect(await recordsOf(chunks)).toEqual([
						['A', 'B'],
						[field, '1'],
					]);
					const copied = concat.mock.results.reduce(
						(bytes, result) => bytes + (result.value as Buffer).length,
						0,
					);
					expect(copied).toBeLessThan(4 * file.length);
				} finally {
					concat.mockRestore();
				}
			},
		);
	});

	describe('copies', () => {
		it('join a record cut by a chunk to the next chunk up to its line end only', async () => {
			const rows = Array.from({ length: 10_000 }, (_, row) => `${row},${row * 7}\r\n`);
			const file = Buffer.from(`A,B\r\n${rows.join('')}`);
			const chunks: Buffer[] = [];
			for (let at = 0; at < file.length; at += 1000) chunks.push(file.subarray(at, at + 1000));
			const concat = jest.spyOn(Buffer, 'concat');
			try {
				const records = await recordsOf(chunks);
				expect(records).toHaveLength(10_001);
				expect(records[10_000]).toEqual(['9999', '69993']);
				const copied = concat.mock.results.reduce(
					(bytes, result) => bytes + (result.value as Buffer).length,
					0,
				);
				// Each cut record's own bytes, not the chunks after it.
				expect(copied).toBeLessThan(file.length / 20);
			} finally {
				concat.mockRestore();
			}
		});
	});

	describe('empty lines', () => {
		it('are skipped before the header, between records and at the end, LF or CRLF', async () => {
			expect(await recordsOf('\n\nA,B\n\n1,2\n\n')).toEqual([
				['A', 'B'],
				['1', '2'],
			]);
			expect(await recordsOf('\r\nA,B\r\n\r\n1,2\r\n\r\n')).toEqual([
				['A', 'B'],
				['1', '2'],
			]);
		});

		it('are not lines of spaces, nor a line holding an empty quoted field', async () => {
			expect(await recordsOf('A\n""\n \n')).toEqual([['A'], [''], [' ']]);
		});
	});

	describe('refusals', () => {
		it('a row with fewer or more fields than the header, naming its line and both counts', async () => {
			await expect(recordsOf('A,B,C\n1,2,3\n"x\ny",2\n')).rejects.toThrow(
				new CsvFormatError(
					'The CSV file is malformed: Invalid Record Length: the record on line 3 has 2 fields, the header has 3',
				),
			);
			await expect(recordsOf('A\n1\n2,3\n')).rejects.toThrow(
				'Invalid Record Length: the record on line 3 has 2 fields, the header has 1',
			);
		});

		it('counts the lines inside a quoted header field of a file of CR line ends by its CRs', async () => {
			await expect(recordsOf('"a\rb",c\r1,2\r1,2,3\r')).rejects.toThrow(
				'Invalid Record Length: the record on line 4 has 3 fields, the header has 2',
			);
			await expect(recordsOf('"a\r\nb",c\r1,2\r1,2,3\r')).rejects.toThrow(
				'Invalid Record Length: the record on line 4 has 3 fields, the header has 2',
			);
		});

		it('a file that ends inside a quoted field, naming the line the field starts on', async () => {
			await expect(recordsOf('A,B\n1,2\n3,"four\n\n')).rejects.toThrow(
				new CsvFormatError(
					'The CSV file is malformed: Quote Not Closed: the file ends inside the quoted field 2 that starts on line 3',
				),
			);
		});

		it('a quote inside an unquoted field', async () => {
			await expect(recordsOf('A,B\n1,2 "inch"\n')).rejects.toThrow(
				'Invalid Opening Quote: field 2 on line 2 has a quote after "2 "',
			);
		});

		it('a quote after a long unquoted text, quoting only its first 40 characters', async () => {
			await expect(recordsOf(`A\n${'x'.repeat(100_000)}"\n`)).rejects.toThrow(
				new CsvFormatError(
					`The CSV file is malformed: Invalid Opening Quote: field 1 on line 2 has a quote after "${'x'.repeat(40)}"; a field with quotes must be quoted whole, its quotes doubled`,
				),
			);
		});

		it('text after a closing quote', async () => {
			await expect(recordsOf('A,B\n"1" ,2\n')).rejects.toThrow(
				new CsvFormatError(
					'The CSV file is malformed: Invalid Closing Quote: field 1 on line 2 has " " after its closing quote, where a delimiter or the end of the line should be',
				),
			);
		});

		it('a character after a closing quote that is not ASCII', async () => {
			await expect(recordsOf('A,B\n1,"2"€\n')).rejects.toThrow(
				'field 2 on line 2 has "€" after its closing quote',
			);
		});

		it('a NUL byte after a closing quote, which csv-parse took into the field', async () => {
			await expect(recordsOf('A,B\n"1"\u0000,2\n')).rejects.toThrow(
				'field 1 on line 2 has "\\u0000" after its closing quote',
			);
		});

		it("a closing quote followed by a line break the file's lines do not end with", async () => {
			await expect(recordsOf('A,B\n1,"2"\r\n')).rejects.toThrow(
				'field 2 on line 2 has a carriage return after its closing quote',
			);
		});

		it('a delimiter that is not one ASCII character', async () => {
			await expect(recordsOf('A::B\n1::2\n', '::')).rejects.toThrow(
				"The CSV delimiter must be one ASCII character, not '::'",
			);
		});
	});

	it.each([
		[';', 'A;B\n"1;5";x\n'],
		['\t', 'A\tB\n"1\t5"\tx\n'],
		['|', 'A|B\n"1|5"|x\n'],
	])('splits fields on the delimiter %j, not inside quotes', async (delimiter, text) => {
		expect(await recordsOf(text, delimiter)).toEqual([
			['A', 'B'],
			[`1${delimiter}5`, 'x'],
		]);
	});

	it('reads records of any number of fields', async () => {
		const names = Array.from({ length: 300 }, (_, index) => `C${index}`);
		const values = names.map((_, index) => `"${index},"`);
		expect(await recordsOf(`${names.join(',')}\n${values.join(',')}\n`)).toEqual([
			names,
			names.map((_, index) => `${index},`),
		]);
	});

	it('decodes only the columns a consumer says it reads, the others empty', async () => {
		const rows: string[][] = [];
		await readCsv(Readable.from([Buffer.from('A,B,C\n"x,""1""",skip,é\n2,"skip",z\n')]), {
			header: () => undefined,
			columnsRead: () => [2, 0],
			row: (values) => void rows.push([...values]),
		});
		expect(rows).toEqual([
			['x,"1"', '', 'é'],
			['2', '', 'z'],
		]);
	});

	it("hands every row in the reader's own array, refilled row after row", async () => {
		// No array per row: each would be one more object for the garbage collector.
		const arrays = new Set<string[]>();
		await readCsv(Readable.from([Buffer.from('A,B\n1,x\n2,y\n3,z\n')]), {
			header: () => undefined,
			row: (values) => void arrays.add(values),
		});
		expect(arrays.size).toBe(1);
	});
});
