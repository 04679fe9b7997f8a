import AdmZip from 'adm-zip';
import type { Readable } from 'node:stream';

import {
	DEFAULT_ZIP_LIMITS,
	ZipFormatError,
	readZipStream,
	type ZipLimits,
} from '../../nodes/shared/readers/zip';
import { zipBuffer } from '../../sandbox/zipWriter';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;

function zipOf(files: Record<string, Buffer | string>): Buffer {
	const zip = new AdmZip(undefined, { noSort: true });
	for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
	return zip.toBuffer();
}

/** A ZIP's bytes as a download delivers them: in chunks of `size` bytes. */
async function* inChunks(bytes: Buffer, size = 65_536): AsyncGenerator<Buffer> {
	for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const readAll = async (stream: Readable) => {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
};

/** Reads the ZIP as the Cisco download does, returning each file's content by name. */
async function contents(
	source: AsyncIterable<Buffer>,
	limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<Record<string, string>> {
	const read: Record<string, string> = {};
	const names = await readZipStream(source, 'the ZIP', limits, async ({ name, content }) => {
		read[name] = (await readAll(content)).toString('utf8');
	});
	expect(names).toEqual(Object.keys(read));
	return read;
}

/** The offset of the first record with this signature (local or central header). */
function recordAt(bytes: Buffer, signature: number): number {
	const at = bytes.indexOf(Buffer.from([0x50, 0x4b, (signature >>> 16) & 0xff, signature >>> 24]));
	expect(bytes.readUInt32LE(at)).toBe(signature);
	return at;
}

function patched(bytes: Buffer, patch: (copy: Buffer) => void): Buffer {
	const copy = Buffer.from(bytes);
	patch(copy);
	return copy;
}

describe('readZipStream', () => {
	const usage = 'Invoice Number,Amount\r\n1,2.50\r\n'.repeat(1000);

	it.each([1, 7, 4096, 1 << 20])(
		'streams each entry exactly, in order, from chunks of %i bytes',
		async (size) => {
			const bytes = zipOf({ 'Header.csv': 'a\r\n1\r\n', 'Usage.csv': usage });
			expect(await contents(inChunks(bytes, size))).toEqual({
				'Header.csv': 'a\r\n1\r\n',
				'Usage.csv': usage,
			});
		},
	);

	it.each([1, 13, 65_536])(
		'reads entries whose checksum and sizes follow their content (data descriptors), from chunks of %i bytes',
		async (size) => {
			const bytes = await zipBuffer([
				{ name: 'Invoice_Header.csv', content: Buffer.from('a\r\n1\r\n'), dataDescriptor: true },
				{
					name: 'Consolidated_Usage.csv',
					content: [Buffer.from(usage), Buffer.from(usage)],
					dataDescriptor: true,
				},
				{ name: 'readme.txt', content: Buffer.from('stored'), method: 'store' },
			]);
			expect(await contents(inChunks(bytes, size))).toEqual({
				'Invoice_Header.csv': 'a\r\n1\r\n',
				'Consolidated_Usage.csv': usage + usage,
				'readme.txt': 'stored',
			});
		},
	);

	it('skips directories but lists every file', async () => {
		const zip = new AdmZip(undefined, { noSort: true });
		zip.addFile('invoice/', Buffer.alloc(0));
		zip.addFile('invoice/Usage.csv', Buffer.from(usage));
		expect(await contents(inChunks(zip.toBuffer()))).toEqual({ 'invoice/Usage.csv': usage });
	});

	it('refuses more entries than allowed when the first one too many begins', async () => {
		const many = Object.fromEntries(
			Array.from({ length: 21 }, (_, index) => [`f${index}.csv`, 'x']),
		);
		const seen: string[] = [];
		const reading = readZipStream(
			inChunks(zipOf(many)),
			'the ZIP',
			DEFAULT_ZIP_LIMITS,
			async ({ name, content }) => {
				seen.push(name);
				await readAll(content);
			},
		);
		await expect(reading).rejects.toThrow('the ZIP has more than the 20 entries allowed');
		expect(seen).toHaveLength(20);
	});

	it('refuses a large entry compressed more than the ratio allows, before reading it', async () => {
		const onEntry = jest.fn();
		await expect(
			readZipStream(
				inChunks(zipOf({ 'Usage.csv': Buffer.alloc(20 * 1024 * 1024, 'a') })),
				'the ZIP',
				DEFAULT_ZIP_LIMITS,
				onEntry,
			),
		).rejects.toThrow(
			/entry 'Usage\.csv' is compressed \d+ to 1, more than the 200 to 1 allowed: it looks like a zip bomb/,
		);
		expect(onEntry).not.toHaveBeenCalled();
	});

	it('stops a zip bomb whose sizes follow its content as soon as it passes the ratio', async () => {
		const megabyte = Buffer.alloc(1024 * 1024);
		const bomb = await zipBuffer([
			{
				name: 'Usage.csv',
				content: Array.from({ length: 64 }, () => megabyte),
				dataDescriptor: true,
			},
		]);
		let inflated = 0;
		const reading = readZipStream(
			inChunks(bomb),
			'the ZIP',
			DEFAULT_ZIP_LIMITS,
			async ({ content }) => {
				for await (const chunk of content) inflated += (chunk as Buffer).length;
			},
		);
		await expect(reading).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' is compressed more than 200 to 1, the most allowed: it looks like a zip bomb; the ZIP was refused",
		);
		expect(inflated).toBeLessThan(32 * 1024 * 1024);
	});

	it('refuses an entry declared larger than allowed before reading it', async () => {
		await expect(
			contents(inChunks(zipOf({ 'Usage.csv': 'x'.repeat(1000) })), {
				...DEFAULT_ZIP_LIMITS,
				maxEntryBytes: 999,
			}),
		).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' would unpack to 1000 bytes, more than the 999 bytes allowed",
		);
	});

	it('stops an entry whose sizes follow its content at the entry size limit', async () => {
		const bytes = await zipBuffer([
			{ name: 'Usage.csv', content: Buffer.from(usage), dataDescriptor: true },
		]);
		await expect(
			contents(inChunks(bytes), { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1000 }),
		).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' unpacks to more than the 1000 bytes allowed; the ZIP was refused",
		);
	});

	it('stops an entry that unpacks to more than it declares (a lying zip bomb)', async () => {
		const bytes = patched(zipOf({ 'Usage.csv': 'x'.repeat(100) }), (copy) =>
			copy.writeUInt32LE(10, recordAt(copy, LOCAL_HEADER) + 22),
		);
		await expect(contents(inChunks(bytes))).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' unpacks to more than the 10 bytes it declares; the ZIP was refused",
		);
	});

	it('fails, without an uncaught error, on a damaged entry that no reader reads', async () => {
		const bytes = zipOf({ 'Notes.txt': usage });
		// The first byte of the deflate data: block type 3, which does not exist.
		bytes[recordAt(bytes, LOCAL_HEADER) + 30 + 'Notes.txt'.length] = 0xff;
		const ignoreEveryEntry = async () => {};
		await expect(
			readZipStream(inChunks(bytes), 'the ZIP', DEFAULT_ZIP_LIMITS, ignoreEveryEntry),
		).rejects.toThrow("the ZIP: entry 'Notes.txt' is damaged (invalid block type)");
	});

	it('fails an entry whose content does not match its checksum', async () => {
		const zip = new AdmZip();
		zip.addFile('Usage.csv', Buffer.from('Invoice Number\r\n1\r\n'));
		zip.getEntries()[0].header.method = 0;
		const stored = zip.toBuffer();
		const corrupted = patched(
			stored,
			(copy) => (copy[copy.indexOf('Invoice Number')] = 'J'.charCodeAt(0)),
		);
		await expect(contents(inChunks(corrupted))).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' fails its checksum: the ZIP is damaged",
		);
	});

	it('fails an entry whose data descriptor disagrees with its content', async () => {
		const bytes = await zipBuffer([
			{ name: 'Usage.csv', content: Buffer.from(usage), dataDescriptor: true },
		]);
		const descriptor = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x07, 0x08]));
		const wrongSize = patched(bytes, (copy) =>
			copy.writeUInt32LE(usage.length + 1, descriptor + 12),
		);
		await expect(contents(inChunks(wrongSize))).rejects.toThrow(
			`the ZIP: entry 'Usage.csv' unpacks to ${usage.length} bytes but declares ${usage.length + 1}: the ZIP is damaged`,
		);
	});

	it('refuses a ZIP whose central directory describes an entry otherwise than the entry, after reading it', async () => {
		const bytes = zipOf({ 'Header.csv': 'a\r\n1\r\n', 'Usage.csv': usage });
		// Same length, another name: a reader trusting only the entries would take it for the usage file.
		const renamed = patched(bytes, (copy) =>
			copy.write('Usage.txt', copy.lastIndexOf('Usage.csv')),
		);
		const seen: string[] = [];
		const reading = readZipStream(
			inChunks(renamed),
			'the ZIP',
			DEFAULT_ZIP_LIMITS,
			async ({ name, content }) => {
				seen.push(name);
				await readAll(content);
			},
		);
		await expect(reading).rejects.toThrow(
			"the ZIP is damaged: its central directory describes entry 2 ('Usage.txt') otherwise than the entry itself",
		);
		expect(seen).toEqual(['Header.csv', 'Usage.csv']);
	});

	it('refuses a ZIP whose central directory leaves out an entry', async () => {
		const bytes = zipOf({ 'Header.csv': 'a\r\n1\r\n', 'Usage.csv': usage });
		const start = recordAt(bytes, CENTRAL_HEADER);
		const firstLength =
			46 +
			bytes.readUInt16LE(start + 28) +
			bytes.readUInt16LE(start + 30) +
			bytes.readUInt16LE(start + 32);
		const shortened = Buffer.concat([
			bytes.subarray(0, start + firstLength),
			bytes.subarray(bytes.length - 22),
		]);
		await expect(contents(inChunks(shortened))).rejects.toThrow(
			'the ZIP is damaged: its central directory lists 1 of its 2 entries',
		);
	});

	it('refuses an encrypted entry', async () => {
		const bytes = patched(zipOf({ 'Usage.csv': usage }), (copy) =>
			copy.writeUInt16LE(1, recordAt(copy, LOCAL_HEADER) + 6),
		);
		await expect(contents(inChunks(bytes))).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' is encrypted",
		);
	});

	it('refuses a stored entry whose size only follows its content', async () => {
		const bytes = await zipBuffer([
			{ name: 'Usage.csv', content: Buffer.from(usage), method: 'store', dataDescriptor: true },
		]);
		await expect(contents(inChunks(bytes))).rejects.toThrow(
			"the ZIP: entry 'Usage.csv' is stored with its size after its content, which cannot be read as the ZIP downloads; the ZIP was refused",
		);
	});

	it('refuses data that is not a ZIP with its own error', async () => {
		const reading = contents(inChunks(Buffer.from('<Error><Code>AccessDenied</Code></Error>')));
		await expect(reading).rejects.toBeInstanceOf(ZipFormatError);
		await expect(reading).rejects.toThrow(/^the ZIP is not a readable ZIP file/);
	});

	it('says where a ZIP cut short ends', async () => {
		const bytes = zipOf({ 'Header.csv': 'a\r\n1\r\n', 'Usage.csv': usage });
		await expect(contents(inChunks(bytes.subarray(0, bytes.length - 30)))).rejects.toThrow(
			`the ZIP ends early, after ${bytes.length - 30} bytes, in the central directory: the ZIP is damaged or incomplete`,
		);
	});

	it('passes a failing download on as it is, for the download to be retried', async () => {
		const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
		async function* dropped() {
			yield zipOf({ 'Usage.csv': usage }).subarray(0, 200);
			throw reset;
		}
		await expect(contents(dropped())).rejects.toBe(reset);
	});

	it('refuses absolute and drive-letter entry names as well as ../', async () => {
		for (const name of ['/etc/x.csv', 'C:/x.csv', 'a/../../x.csv']) {
			const zip = new AdmZip();
			zip.addFile('x.csv', Buffer.from('a'));
			zip.getEntries()[0].entryName = name;
			await expect(contents(inChunks(zip.toBuffer()))).rejects.toThrow(
				`the ZIP has an entry named '${name}', which is not a plain file name`,
			);
		}
	});
});
