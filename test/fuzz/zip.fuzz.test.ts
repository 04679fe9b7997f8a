/**
 * The guarded ZIP reader (Cisco's usage ZIPs) under hostile input: random bytes, valid ZIPs
 * cut short or damaged byte by byte. Opening and reading every entry ends in the entries'
 * content or a ZipFormatError; a valid ZIP reads back exactly.
 */
import AdmZip from 'adm-zip';
import fc from 'fast-check';

import { ZipFormatError, openZip, type ZipFile } from '../../nodes/shared/readers/zip';
import { fuzzParameters, fuzzReader, mutate, mutationArbitrary } from './fuzz';

const fuzz = fuzzReader('zip', 'ZipFormatError');

/** 1–3 CSV-like entries, stored or deflated, as adm-zip writes them (as the sandbox and Cisco do). */
const archiveArbitrary = fc.uniqueArray(
	fc.record({
		name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}\.csv$/),
		content: fc.oneof(fc.string({ maxLength: 400 }), fc.constant('Invoice Number,Amount\r\n537541276,12.50\r\n'.repeat(20))),
		stored: fc.boolean(),
	}),
	{ minLength: 1, maxLength: 3, selector: (entry) => entry.name },
);

function writeZip(entries: Array<{ name: string; content: string; stored: boolean }>): Buffer {
	const zip = new AdmZip(undefined, { noSort: true });
	for (const { name, content, stored } of entries) {
		const entry = zip.addFile(name, Buffer.from(content, 'utf8'));
		if (stored) entry.header.method = 0;
	}
	return zip.toBuffer();
}

async function readEntry(file: ZipFile): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of file.open()) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Opens the ZIP and reads every entry, as the Cisco download does. */
const readAll = (bytes: Buffer) => async () => {
	const contents: Record<string, string> = {};
	for (const file of openZip(bytes, 'the usage ZIP')) contents[file.name] = (await readEntry(file)).toString('utf8');
	return contents;
};

describe('ZIP reader fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('returns entries or a ZipFormatError for random bytes', async () => {
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
				await fuzz.outcome(readAll(Buffer.from(bytes)), [ZipFormatError]);
			}),
			fuzzParameters(300),
		);
	});

	it('returns entries or a ZipFormatError for random bytes behind a ZIP signature', async () => {
		// Past its first four bytes, random data reaches the header parsing.
		const signatures = [Buffer.from('504b0304', 'hex'), Buffer.from('504b0102', 'hex'), Buffer.from('504b0506', 'hex')];
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...signatures), fc.uint8Array({ maxLength: 1024 }), async (signature, bytes) => {
				await fuzz.outcome(readAll(Buffer.concat([signature, Buffer.from(bytes), signatures[2], Buffer.alloc(18)])), [ZipFormatError]);
			}),
			fuzzParameters(600),
		);
	});

	it('returns entries or a ZipFormatError for a valid ZIP damaged byte by byte', async () => {
		await fc.assert(
			fc.asyncProperty(archiveArbitrary, fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }), async (entries, mutations) => {
				await fuzz.outcome(readAll(mutate(writeZip(entries), mutations)), [ZipFormatError]);
			}),
			fuzzParameters(1500),
		);
	});

	it('refuses any valid ZIP cut short', async () => {
		await fc.assert(
			fc.asyncProperty(archiveArbitrary, fc.nat(), async (entries, cut) => {
				const bytes = writeZip(entries);
				expect(await fuzz.outcome(readAll(bytes.subarray(0, cut % bytes.length)), [ZipFormatError])).toBe('refused');
			}),
			fuzzParameters(300),
		);
	});

	it('reads a valid ZIP back exactly', async () => {
		await fc.assert(
			fc.asyncProperty(archiveArbitrary, async (entries) => {
				let contents: Record<string, string> = {};
				expect(await fuzz.outcome(async () => (contents = await readAll(writeZip(entries))()), [])).toBe('result');
				expect(contents).toEqual(Object.fromEntries(entries.map(({ name, content }) => [name, content])));
			}),
			fuzzParameters(200),
		);
	});
});
