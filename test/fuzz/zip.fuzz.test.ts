/**
 * The guarded ZIP reader (Cisco's usage ZIPs) under hostile input: random bytes, valid ZIPs
 * cut short or damaged byte by byte, each delivered in chunks of random sizes as a download
 * is. Reading every entry ends in the entries' content or a ZipFormatError; a valid ZIP reads
 * back exactly.
 */
import AdmZip from 'adm-zip';
import fc from 'fast-check';

import { DEFAULT_ZIP_LIMITS, ZipFormatError, readZipStream } from '../../nodes/shared/readers/zip';
import { zipBuffer } from '../../sandbox/zipWriter';
import { fuzzParameters, fuzzReader, mutate, mutationArbitrary } from './fuzz';

const fuzz = fuzzReader('zip', 'ZipFormatError');

/**
 * 1–3 CSV-like entries, stored or deflated, with sizes up front as adm-zip writes them (as the
 * sandbox does) or, deflated, after the content as a streaming writer does.
 */
const archiveArbitrary = fc.uniqueArray(
	fc.record({
		name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}\.csv$/),
		content: fc.oneof(
			fc.string({ maxLength: 400 }),
			fc.constant('Invoice Number,Amount\r\n537541276,12.50\r\n'.repeat(20)),
		),
		layout: fc.constantFrom('stored', 'deflated', 'descriptor'),
	}),
	{ minLength: 1, maxLength: 3, selector: (entry) => entry.name },
);

/** How a download cuts the bytes into chunks. */
const chunkSizeArbitrary = fc.integer({ min: 1, max: 4096 });

type Archive = Array<{
	name: string;
	content: string;
	layout: 'stored' | 'deflated' | 'descriptor';
}>;

async function writeZip(entries: Archive): Promise<Buffer> {
	if (entries.some((entry) => entry.layout === 'descriptor')) {
		return await zipBuffer(
			entries.map(({ name, content, layout }) => ({
				name,
				content: Buffer.from(content, 'utf8'),
				method: layout === 'stored' ? 'store' : 'deflate',
				dataDescriptor: layout === 'descriptor',
			})),
		);
	}
	const zip = new AdmZip(undefined, { noSort: true });
	for (const { name, content, layout } of entries) {
		const entry = zip.addFile(name, Buffer.from(content, 'utf8'));
		if (layout === 'stored') entry.header.method = 0;
	}
	return zip.toBuffer();
}

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
	for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Reads the ZIP and every entry, as the Cisco download does. */
const readAll =
	(bytes: Buffer, chunkSize = 1024) =>
	async () => {
		const contents: Record<string, string> = {};
		await readZipStream(
			inChunks(bytes, chunkSize),
			'the usage ZIP',
			DEFAULT_ZIP_LIMITS,
			async ({ name, content }) => {
				const chunks: Buffer[] = [];
				for await (const chunk of content) chunks.push(chunk as Buffer);
				contents[name] = Buffer.concat(chunks).toString('utf8');
			},
		);
		return contents;
	};

describe('ZIP reader fuzz', () => {
	afterAll(() => fuzz.expectBoundedMemory());

	it('returns entries or a ZipFormatError for random bytes', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({ maxLength: 2048 }),
				chunkSizeArbitrary,
				async (bytes, chunkSize) => {
					await fuzz.outcome(readAll(Buffer.from(bytes), chunkSize), [ZipFormatError]);
				},
			),
			fuzzParameters(300),
		);
	});

	it('returns entries or a ZipFormatError for random bytes behind a ZIP signature', async () => {
		// Past its first four bytes, random data reaches the header parsing.
		const signatures = [
			Buffer.from('504b0304', 'hex'),
			Buffer.from('504b0102', 'hex'),
			Buffer.from('504b0506', 'hex'),
		];
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...signatures),
				fc.uint8Array({ maxLength: 1024 }),
				chunkSizeArbitrary,
				async (signature, bytes, chunkSize) => {
					await fuzz.outcome(
						readAll(
							Buffer.concat([signature, Buffer.from(bytes), signatures[2], Buffer.alloc(18)]),
							chunkSize,
						),
						[ZipFormatError],
					);
				},
			),
			fuzzParameters(600),
		);
	});

	it('returns entries or a ZipFormatError for a valid ZIP damaged byte by byte', async () => {
		await fc.assert(
			fc.asyncProperty(
				archiveArbitrary,
				fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
				chunkSizeArbitrary,
				async (entries, mutations, chunkSize) => {
					await fuzz.outcome(readAll(mutate(await writeZip(entries), mutations), chunkSize), [
						ZipFormatError,
					]);
				},
			),
			fuzzParameters(1500),
		);
	});

	it('refuses any valid ZIP cut short', async () => {
		await fc.assert(
			fc.asyncProperty(
				archiveArbitrary,
				fc.nat(),
				chunkSizeArbitrary,
				async (entries, cut, chunkSize) => {
					const bytes = await writeZip(entries);
					expect(
						await fuzz.outcome(readAll(bytes.subarray(0, cut % bytes.length), chunkSize), [
							ZipFormatError,
						]),
					).toBe('refused');
				},
			),
			fuzzParameters(300),
		);
	});

	it('reads a valid ZIP back exactly', async () => {
		await fc.assert(
			fc.asyncProperty(archiveArbitrary, chunkSizeArbitrary, async (entries, chunkSize) => {
				let contents: Record<string, string> = {};
				const bytes = await writeZip(entries);
				expect(
					await fuzz.outcome(async () => (contents = await readAll(bytes, chunkSize)()), []),
				).toBe('result');
				expect(contents).toEqual(
					Object.fromEntries(entries.map(({ name, content }) => [name, content])),
				);
			}),
			fuzzParameters(200),
		);
	});
});
