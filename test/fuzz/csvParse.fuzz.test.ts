/**
 * The pack's CSV reader against csv-parse, the library it replaced, with the options the pack
 * used (`bom`, `delimiter`, `skip_empty_lines`): on random CSV text (quoted and bare fields
 * with delimiters, quotes, CR, LF and multi-byte UTF-8, empty fields and lines, mixed line
 * ends, stray quotes, a BOM or not) cut into random chunks, both give the same records or
 * both refuse the file. Seeded: the same inputs every run (FUZZ_SEED picks others).
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { Readable } from 'node:stream';

import { CsvFormatError, readCsv } from '../../nodes/shared/readers/csv';
import { chunked, fuzzParameters, fuzzReader } from './fuzz';

const fuzz = fuzzReader('csvParse', 'CsvFormatError');

const SEED = 17;
const parameters = (runs: number) => ({ seed: SEED, ...fuzzParameters(runs) });

/** Text of a field: what CSV must quote, and what it need not. */
const textArbitrary = (delimiter: string) =>
	fc.string({
		unit: fc.constantFrom('a', 'Z', '7', ' ', '.', 'é', '€', '🚀', delimiter, '"', '\r', '\n'),
		maxLength: 8,
	});

/** Text that needs no quotes (it may still hold a CR or LF: how it reads depends on the line ends). */
const bareArbitrary = (delimiter: string) =>
	fc
		.string({ unit: fc.constantFrom('a', 'Z', '7', ' ', '-', 'ß', '€', '\r', '\n'), maxLength: 8 })
		.map((text) => text.split(delimiter).join(''));

const wellFormedFieldArbitrary = (delimiter: string) =>
	fc.oneof(
		bareArbitrary(delimiter),
		textArbitrary(delimiter).map((text) => `"${text.replace(/"/g, '""')}"`),
	);

/** Damage: a quote left undoubled, text after a closing quote, a quote in a bare field. */
const damagedFieldArbitrary = (delimiter: string) =>
	fc.oneof(
		textArbitrary(delimiter).map((text) => `"${text}"`),
		textArbitrary(delimiter).map((text) => `"a"${text}`),
		textArbitrary(delimiter).map((text) => `a${text}`),
	);

const lineBreakArbitrary = fc.constantFrom('\n', '\r\n', '\r');

/** A header of plain names (the pack trims names and refuses empty ones; csv-parse does not). */
const headerArbitrary = fc.array(fc.stringMatching(/^[A-Za-zé][A-Za-z0-9_ é]{0,6}[A-Za-z0-9_]$/), {
	minLength: 1,
	maxLength: 4,
});

const fileArbitrary = fc
	.record({
		delimiter: fc.constantFrom(',', ';', '\t', '|'),
		lineBreak: lineBreakArbitrary,
		bom: fc.boolean(),
		header: headerArbitrary,
		blankLinesFirst: fc.nat({ max: 2 }),
		endsWithBreak: fc.boolean(),
		// Half the files are well formed; in the others any row may be damaged.
		damaged: fc.boolean(),
	})
	.chain((file) => {
		const sometimes = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
			file.damaged
				? fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: other })
				: usual;
		const width = file.header.length;
		return fc.record({
			file: fc.constant(file),
			rows: fc.array(
				fc.record({
					fields: fc.array(
						sometimes(
							wellFormedFieldArbitrary(file.delimiter),
							damagedFieldArbitrary(file.delimiter),
						),
						{ minLength: width + 1, maxLength: width + 1 },
					),
					// Mostly the header's width, sometimes not.
					width: sometimes(fc.constant(width), fc.nat({ max: width + 1 })),
					// Mostly the file's line break, sometimes another.
					lineBreak: sometimes(fc.constant(file.lineBreak), lineBreakArbitrary),
					emptyLineBefore: fc.oneof(
						{ weight: 6, arbitrary: fc.constant(false) },
						{ weight: 1, arbitrary: fc.constant(true) },
					),
				}),
				{ maxLength: 12 },
			),
		});
	})
	.map(({ file, rows }) => {
		let text = `${file.bom ? '\uFEFF' : ''}${file.lineBreak.repeat(file.blankLinesFirst)}`;
		text += file.header.join(file.delimiter);
		for (const row of rows) {
			const fields = Array.from({ length: row.width }, (_, index) => row.fields[index] ?? '');
			if (row.emptyLineBefore) text += row.lineBreak;
			text += row.lineBreak + fields.join(file.delimiter);
		}
		if (file.endsWithBreak) text += file.lineBreak;
		return { bytes: Buffer.from(text, 'utf8'), delimiter: file.delimiter };
	});

type Outcome = { records: string[][] } | { refused: true };

function csvParseOutcome(bytes: Buffer, delimiter: string): Outcome {
	try {
		return {
			records: parse(bytes, { bom: true, delimiter, skip_empty_lines: true }) as string[][],
		};
	} catch {
		return { refused: true };
	}
}

async function readerOutcome(chunks: Buffer[], delimiter: string): Promise<Outcome> {
	const records: string[][] = [];
	const outcome = await fuzz.outcome(
		() =>
			readCsv(
				Readable.from(chunks),
				{
					header: (fields) => void records.push(fields),
					row: (values) => void records.push([...values]),
				},
				{ delimiter },
			),
		[CsvFormatError],
	);
	return outcome === 'result' ? { records } : { refused: true };
}

/**
 * csv-parse's outcome with the header rules the pack adds: header names are trimmed, and a
 * file without a header row or with an empty name in it is refused.
 */
function withHeaderRules(outcome: Outcome): Outcome {
	if (!('records' in outcome)) return outcome;
	const [header, ...rows] = outcome.records;
	const names = header?.map((name) => name.trim());
	if (!names || names.includes('')) return { refused: true };
	return { records: [names, ...rows] };
}

describe('CSV reader against csv-parse', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('gives the same records, or refuses the file as csv-parse does, in random chunks', async () => {
		await fc.assert(
			fc.asyncProperty(fileArbitrary, fc.array(fc.nat(), { maxLength: 10 }), async (file, cuts) => {
				const theirs = withHeaderRules(csvParseOutcome(file.bytes, file.delimiter));
				expect(await readerOutcome(chunked(file.bytes, cuts), file.delimiter)).toEqual(theirs);
			}),
			parameters(1200),
		);
	});

	it('gives the same records, or refuses the file as csv-parse does, one byte at a time', async () => {
		await fc.assert(
			fc.asyncProperty(fileArbitrary, async (file) => {
				const theirs = withHeaderRules(csvParseOutcome(file.bytes, file.delimiter));
				const bytes = [...file.bytes].map((byte) => Buffer.from([byte]));
				expect(await readerOutcome(bytes, file.delimiter)).toEqual(theirs);
			}),
			parameters(250),
		);
	});
});
