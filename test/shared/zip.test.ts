import AdmZip from 'adm-zip';
import { Readable } from 'node:stream';

import { DEFAULT_ZIP_LIMITS, ZipFormatError, openZip } from '../../nodes/shared/readers/zip';

const CENTRAL_HEADER = 0x02014b50;

function zipOf(files: Record<string, Buffer | string>): Buffer {
	const zip = new AdmZip();
	for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
	return zip.toBuffer();
}

/** Rewrites the uncompressed size the central directory declares for the first entry. */
function declareSize(buffer: Buffer, size: number): Buffer {
	const copy = Buffer.from(buffer);
	const at = copy.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
	expect(copy.readUInt32LE(at)).toBe(CENTRAL_HEADER);
	copy.writeUInt32LE(size, at + 24);
	return copy;
}

const readAll = async (stream: Readable) => {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
};

describe('openZip', () => {
	it('lists the files and streams each one exactly', async () => {
		const usage = 'Invoice Number,Amount\r\n1,2.50\r\n'.repeat(1000);
		const files = openZip(zipOf({ 'Header.csv': 'a\r\n1\r\n', 'Usage.csv': usage }), 'the ZIP');
		expect(files.map((file) => [file.name, file.size])).toEqual([
			['Header.csv', 6],
			['Usage.csv', usage.length],
		]);
		expect((await readAll(files[1].open())).toString()).toBe(usage);
	});

	it('refuses more entries than allowed', () => {
		const many = Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`f${index}.csv`, 'x']));
		expect(() => openZip(zipOf(many), 'the ZIP')).toThrow('the ZIP has 21 entries, more than the 20 allowed');
	});

	it('refuses a large entry compressed more than the ratio allows, before reading it', () => {
		expect(() => openZip(zipOf({ 'Usage.csv': Buffer.alloc(20 * 1024 * 1024, 'a') }), 'the ZIP')).toThrow(/entry 'Usage\.csv' is compressed \d+ to 1, more than the 200 to 1 allowed: it looks like a zip bomb/);
	});

	it('refuses an entry declared larger than allowed before reading it', () => {
		expect(() => openZip(zipOf({ 'Usage.csv': 'x'.repeat(1000) }), 'the ZIP', { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 999 })).toThrow(
			"the ZIP: entry 'Usage.csv' would unpack to 1000 bytes, more than the 999 bytes allowed",
		);
	});

	it('stops an entry that unpacks to more than it declares (a lying zip bomb)', async () => {
		const [file] = openZip(declareSize(zipOf({ 'Usage.csv': 'x'.repeat(100) }), 10), 'the ZIP');
		await expect(readAll(file.open())).rejects.toThrow("the ZIP: entry 'Usage.csv' unpacks to more than the 10 bytes it declares; the ZIP was refused");
	});

	it('fails an entry whose content does not match its checksum', async () => {
		const zip = new AdmZip();
		zip.addFile('Usage.csv', Buffer.from('Invoice Number\r\n1\r\n'));
		zip.getEntries()[0].header.method = 0;
		const stored = zip.toBuffer();
		const corrupted = Buffer.from(stored);
		const at = corrupted.indexOf('Invoice Number');
		corrupted[at] = 'J'.charCodeAt(0);
		const [file] = openZip(corrupted, 'the ZIP');
		await expect(readAll(file.open())).rejects.toBeInstanceOf(ZipFormatError);
	});

	it('refuses data that is not a ZIP', () => {
		expect(() => openZip(Buffer.from('<Error><Code>AccessDenied</Code></Error>'), 'the ZIP')).toThrow(/^the ZIP is not a readable ZIP file/);
	});

	it('refuses absolute and drive-letter entry names as well as ../', () => {
		for (const name of ['/etc/x.csv', 'C:/x.csv', 'a/../../x.csv']) {
			const zip = new AdmZip();
			zip.addFile('x.csv', Buffer.from('a'));
			zip.getEntries()[0].entryName = name;
			expect(() => openZip(zip.toBuffer(), 'the ZIP')).toThrow(`the ZIP has an entry named '${name}', which is not a plain file name`);
		}
	});
});
