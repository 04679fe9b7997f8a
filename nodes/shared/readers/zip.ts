import AdmZip from 'adm-zip';
import { Readable, Transform } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

export class ZipFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ZipFormatError';
	}
}

/** What a vendor ZIP may hold before it is refused: the defence against zip bombs. */
export interface ZipLimits {
	maxEntries: number;
	/** uncompressed bytes of one entry */
	maxEntryBytes: number;
	/** uncompressed bytes ÷ compressed bytes of one entry (checked from 10 MiB up) */
	maxCompressionRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
	maxEntries: 20,
	maxEntryBytes: 2 * 1024 * 1024 * 1024,
	maxCompressionRatio: 200,
};

export interface ZipFile {
	/** the entry's name exactly as stored: matched against patterns, never used as a path */
	name: string;
	/** uncompressed size as the ZIP declares it (enforced while inflating) */
	size: number;
	/** the entry's content, inflated as it is read; fails on more bytes than declared or a bad CRC */
	open(): Readable;
}

/** Below this, an entry cannot do harm whatever its ratio, and tiny repetitive files compress very well. */
const RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

/**
 * Lists the files of a ZIP held in memory after checking every entry against the limits.
 * Entry names are only ever compared with patterns, but a name that would climb out of a
 * folder (`../x`), is absolute or holds a NUL is refused outright: no honest vendor file has
 * one, and a later step that saved files must never meet it.
 */
export function openZip(buffer: Buffer, what: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipFile[] {
	let entries: AdmZip.IZipEntry[];
	try {
		entries = new AdmZip(buffer).getEntries();
	} catch (error) {
		throw new ZipFormatError(`${what} is not a readable ZIP file (${(error as Error).message})`);
	}
	if (entries.length > limits.maxEntries) {
		throw new ZipFormatError(`${what} has ${entries.length} entries, more than the ${limits.maxEntries} allowed`);
	}
	const files: ZipFile[] = [];
	for (const entry of entries) {
		const name = entry.entryName;
		if (isUnsafeName(name)) {
			throw new ZipFormatError(`${what} has an entry named '${printable(name)}', which is not a plain file name; the ZIP was refused`);
		}
		if (entry.isDirectory) continue;
		const { size, compressedSize, method, encrypted } = entry.header;
		if (encrypted) throw new ZipFormatError(`${what}: entry '${printable(name)}' is encrypted`);
		if (method !== STORED && method !== DEFLATED) {
			throw new ZipFormatError(`${what}: entry '${printable(name)}' uses compression method ${method}; only stored and deflated entries are read`);
		}
		if (size > limits.maxEntryBytes) {
			throw new ZipFormatError(
				`${what}: entry '${printable(name)}' would unpack to ${formatBytes(size)}, more than the ${formatBytes(limits.maxEntryBytes)} allowed`,
			);
		}
		if (size > RATIO_CHECK_MIN_BYTES && size > compressedSize * limits.maxCompressionRatio) {
			throw new ZipFormatError(
				`${what}: entry '${printable(name)}' is compressed ${Math.round(size / Math.max(compressedSize, 1))} to 1, more than the ${limits.maxCompressionRatio} to 1 allowed: it looks like a zip bomb`,
			);
		}
		files.push({
			name,
			size,
			open: () => inflateEntry(entry, method, size, `${what}: entry '${printable(name)}'`),
		});
	}
	return files;
}

/** Streams an entry's content, holding it to its declared size and CRC. */
function inflateEntry(entry: AdmZip.IZipEntry, method: number, declaredSize: number, what: string): Readable {
	let compressed: Buffer;
	try {
		compressed = entry.getCompressedData();
	} catch (error) {
		throw new ZipFormatError(`${what} is damaged (${(error as Error).message})`);
	}
	let produced = 0;
	let checksum = 0;
	const guard = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			produced += chunk.length;
			if (produced > declaredSize) {
				callback(new ZipFormatError(`${what} unpacks to more than the ${formatBytes(declaredSize)} it declares; the ZIP was refused`));
				return;
			}
			checksum = crc32(chunk, checksum);
			callback(null, chunk);
		},
		flush(callback) {
			if (produced !== declaredSize) {
				callback(new ZipFormatError(`${what} unpacks to ${produced} bytes but declares ${declaredSize}: the ZIP is damaged`));
			} else if (checksum >>> 0 !== entry.header.crc >>> 0) {
				callback(new ZipFormatError(`${what} fails its checksum: the ZIP is damaged`));
			} else {
				callback();
			}
		},
	});
	const source = Readable.from([compressed]);
	if (method === STORED) return source.pipe(guard);
	const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
	inflate.on('error', (error: Error) => guard.destroy(new ZipFormatError(`${what} is damaged (${error.message})`)));
	return source.pipe(inflate).pipe(guard);
}

function isUnsafeName(name: string): boolean {
	return (
		name.includes('\0') ||
		name.startsWith('/') ||
		name.startsWith('\\') ||
		/^[a-zA-Z]:/.test(name) ||
		name.split(/[\\/]/).some((segment) => segment === '..')
	);
}

/** Entry names come from the file: shown without control characters, and not too long. */
function printable(name: string): string {
	return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 120);
}

function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
	if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
	return `${bytes} bytes`;
}
