import { Transform, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
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

/** A file of the ZIP, handed over while the ZIP downloads. */
export interface ZipEntry {
	/** the entry's name exactly as stored: matched against patterns, never used as a path */
	name: string;
	/**
	 * Its content, inflated as the ZIP arrives; ends in an error on more bytes than declared,
	 * a bad checksum or a ratio above the limit. Whatever the reader leaves unread is read
	 * (and checked) after it is done.
	 */
	content: Readable;
}

/** Below this, an entry cannot do harm whatever its ratio, and tiny repetitive files compress very well. */
const RATIO_CHECK_MIN_BYTES = 10 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_EXTRA = 0x0001;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** A ZIP64 end record's extensible data is empty in practice; more is refused, not buffered. */
const MAX_ZIP64_END_RECORD = 64 * 1024;

/** What the local header and data descriptor said of an entry, checked against the central directory at the end. */
interface LocalEntry {
	offset: number;
	nameBytes: Buffer;
	flags: number;
	method: number;
	crc: number;
	compressedSize: number;
	size: number;
}

/**
 * Reads a ZIP as it downloads, one entry after the other in the order they are stored, and
 * never holds more of it than one chunk and one header. Each file entry goes to `onEntry`
 * (directories are skipped); the result is the names of the files, once the central directory
 * at the end of the ZIP has confirmed every entry exactly (name, method, checksum, sizes,
 * offset): a ZIP whose directory says anything else than its entries is refused, so the
 * caller must not use what it read before this returns.
 *
 * The limits hold before an entry is inflated whenever its local header declares its sizes,
 * and while it is inflated when they come after its data (flag bit 3, "data descriptor"). A
 * stored entry with a data descriptor cannot be delimited without its size and is refused.
 * Entry names are only ever compared with patterns, but a name that would climb out of a
 * folder (`../x`), is absolute or holds a NUL is refused outright: no honest vendor file has
 * one, and a later step that saved files must never meet it.
 */
export async function readZipStream(
	source: AsyncIterable<Buffer>,
	what: string,
	limits: ZipLimits,
	onEntry: (entry: ZipEntry) => Promise<void>,
): Promise<string[]> {
	const iterator = source[Symbol.asyncIterator]();
	const bytes = new ByteSource(iterator, what);
	try {
		const entries: LocalEntry[] = [];
		const names: string[] = [];
		let signature = await bytes.uint32('the first entry');
		if (
			signature !== LOCAL_HEADER &&
			signature !== CENTRAL_HEADER &&
			signature !== END_OF_CENTRAL_DIRECTORY
		) {
			throw new ZipFormatError(
				`${what} is not a readable ZIP file (it does not start with a ZIP entry)`,
			);
		}
		while (signature === LOCAL_HEADER) {
			if (entries.length === limits.maxEntries) {
				throw new ZipFormatError(`${what} has more than the ${limits.maxEntries} entries allowed`);
			}
			const entry = await readEntry(bytes, bytes.offset - 4, what, limits, onEntry);
			entries.push(entry.local);
			if (entry.name !== undefined) names.push(entry.name);
			signature = await bytes.uint32('the next entry or the central directory');
		}
		await readCentralDirectory(bytes, signature, entries, what);
		return names;
	} finally {
		// Closes the body, also when the ZIP was refused before its end; a body still waiting
		// for bytes is closed by the caller.
		void iterator.return?.()?.catch(() => {});
	}
}

/** The body's bytes, pulled as they are needed, with the position in the ZIP. */
class ByteSource {
	/** bytes taken from the body and not yet used */
	private pending: Buffer | undefined;
	/** position in the ZIP of the next byte handed out */
	offset = 0;

	constructor(
		private readonly iterator: AsyncIterator<Buffer>,
		private readonly what: string,
	) {}

	/** The next bytes, at most `max` of them; null at the end of the body. */
	async chunk(max: number): Promise<Buffer | null> {
		let chunk = this.pending;
		this.pending = undefined;
		while (!chunk?.length) {
			const next = await this.iterator.next();
			if (next.done) return null;
			chunk = next.value;
		}
		if (chunk.length > max) {
			this.pending = chunk.subarray(max);
			chunk = chunk.subarray(0, max);
		}
		this.offset += chunk.length;
		return chunk;
	}

	/** Gives back the end of the last chunk, which the entry it was read for did not use. */
	unread(bytes: Buffer): void {
		if (!bytes.length) return;
		this.pending = this.pending ? Buffer.concat([bytes, this.pending]) : bytes;
		this.offset -= bytes.length;
	}

	/** Exactly `length` bytes; the ZIP is cut short when the body ends first. */
	async exact(length: number, part: string): Promise<Buffer> {
		const parts: Buffer[] = [];
		let missing = length;
		while (missing > 0) {
			const chunk = await this.chunk(missing);
			if (!chunk) throw this.cutShort(part);
			parts.push(chunk);
			missing -= chunk.length;
		}
		return parts.length === 1 ? parts[0] : Buffer.concat(parts);
	}

	async uint32(part: string): Promise<number> {
		return (await this.exact(4, part)).readUInt32LE(0);
	}

	cutShort(part: string): ZipFormatError {
		return new ZipFormatError(
			`${this.what} ends early, after ${this.offset} bytes, in ${part}: the ZIP is damaged or incomplete`,
		);
	}
}

/** Reads one entry from just after its signature, hands a file to `onEntry` and checks it whole. */
async function readEntry(
	bytes: ByteSource,
	offset: number,
	what: string,
	limits: ZipLimits,
	onEntry: (entry: ZipEntry) => Promise<void>,
): Promise<{ local: LocalEntry; name?: string }> {
	const header = await bytes.exact(26, 'an entry header');
	const flags = header.readUInt16LE(2);
	const method = header.readUInt16LE(4);
	const nameBytes = await bytes.exact(header.readUInt16LE(22), 'an entry name');
	const extra = await bytes.exact(header.readUInt16LE(24), 'an entry header');
	const name = nameBytes.toString('utf8');
	const label = `${what}: entry '${printable(name)}'`;
	if (isUnsafeName(name)) {
		throw new ZipFormatError(
			`${what} has an entry named '${printable(name)}', which is not a plain file name; the ZIP was refused`,
		);
	}
	if (flags & FLAG_ENCRYPTED) throw new ZipFormatError(`${label} is encrypted`);
	if (method !== STORED && method !== DEFLATED) {
		throw new ZipFormatError(
			`${label} uses compression method ${method}; only stored and deflated entries are read`,
		);
	}
	const zip64 = zip64Field(extra, label);
	const described = (flags & FLAG_DATA_DESCRIPTOR) !== 0;
	if (described && method === STORED) {
		throw new ZipFormatError(
			`${label} is stored with its size after its content, which cannot be read as the ZIP downloads; the ZIP was refused`,
		);
	}
	let declared: { crc: number; compressedSize: number; size: number } | undefined;
	if (!described) {
		let size = header.readUInt32LE(18);
		let compressedSize = header.readUInt32LE(14);
		if (size === MAX32 || compressedSize === MAX32) {
			if (!zip64 || zip64.length < 16)
				throw new ZipFormatError(
					`${label} has no ZIP64 sizes where its header points to them: the ZIP is damaged`,
				);
			size = readUInt64(zip64, 0, label);
			compressedSize = readUInt64(zip64, 8, label);
		}
		declared = { crc: header.readUInt32LE(10), compressedSize, size };
		checkDeclaredSize(declared, label, limits);
	}

	const guard = new EntryGuard(label, limits, declared);
	// Its errors reach the caller through `feeding` and `reading` below; without a listener of
	// its own, an entry nobody reads (a directory, a file no reader wants) would turn a damaged
	// entry into an uncaught exception that ends the process.
	guard.on('error', () => {});
	const isFile = !name.endsWith('/');
	const feeding = (async () => {
		const compressedSize =
			method === STORED
				? await copyStored(bytes, guard, label, declared?.compressedSize ?? 0)
				: await inflateEntry(bytes, guard, label, declared?.compressedSize);
		if (described) {
			const descriptor = await readDataDescriptor(bytes, zip64 !== undefined);
			if (descriptor.compressedSize !== compressedSize) {
				throw new ZipFormatError(
					`${label} takes ${compressedSize} compressed bytes but its data descriptor says ${descriptor.compressedSize}: the ZIP is damaged`,
				);
			}
			guard.expect(descriptor);
		}
		guard.end();
		await finished(guard);
		return compressedSize;
	})();
	// A directory is skipped, but its (empty) content is read and checked all the same.
	const reading = isFile ? onEntry({ name, content: guard }) : Promise.resolve();
	// Either side's failure stops the other: the reader sees the ZIP's error as its stream's,
	// and a reader that gave up leaves nothing waiting on it.
	const [fed, read] = await Promise.allSettled([
		feeding.catch((error: unknown) => {
			guard.destroy(error as Error);
			throw error;
		}),
		reading.then(
			// Whatever the reader left unread is still inflated and checked.
			() => void guard.resume(),
			(error: unknown) => {
				guard.destroy(error as Error);
				throw error;
			},
		),
	]);
	if (read.status === 'rejected') throw read.reason;
	if (fed.status === 'rejected') throw fed.reason;
	const compressedSize = fed.value;
	const local = {
		offset,
		nameBytes,
		flags,
		method,
		crc: guard.expected.crc,
		compressedSize,
		size: guard.expected.size,
	};
	return { local, name: isFile ? name : undefined };
}

function checkDeclaredSize(
	{ size, compressedSize }: { size: number; compressedSize: number },
	label: string,
	limits: ZipLimits,
): void {
	if (size > limits.maxEntryBytes) {
		throw new ZipFormatError(
			`${label} would unpack to ${formatBytes(size)}, more than the ${formatBytes(limits.maxEntryBytes)} allowed`,
		);
	}
	if (size > RATIO_CHECK_MIN_BYTES && size > compressedSize * limits.maxCompressionRatio) {
		throw new ZipFormatError(
			`${label} is compressed ${Math.round(size / Math.max(compressedSize, 1))} to 1, more than the ${limits.maxCompressionRatio} to 1 allowed: it looks like a zip bomb`,
		);
	}
}

/**
 * An entry's inflated content on its way to the reader: counts it, checks its checksum, and
 * stops it at the first byte beyond what it declares, beyond the entry size limit, or beyond
 * the compression ratio (an entry whose sizes come after it is a zip bomb all the same).
 */
class EntryGuard extends Transform {
	/** compressed bytes given to the inflater so far */
	compressedBytes = 0;
	private produced = 0;
	private checksum = 0;
	private known: { crc: number; size: number } | undefined;

	constructor(
		private readonly label: string,
		private readonly limits: ZipLimits,
		declared: { crc: number; size: number } | undefined,
	) {
		super({ highWaterMark: 64 * 1024 });
		this.known = declared && { crc: declared.crc, size: declared.size };
	}

	/** The checksum and size the entry must have (known from its header, or from its data descriptor). */
	get expected(): { crc: number; size: number } {
		return this.known ?? { crc: this.checksum >>> 0, size: this.produced };
	}

	expect({ crc, size }: { crc: number; size: number }): void {
		this.known = { crc, size };
	}

	override _transform(
		chunk: Buffer,
		_encoding: BufferEncoding,
		callback: (error?: Error | null, data?: Buffer) => void,
	): void {
		this.produced += chunk.length;
		if (this.known && this.produced > this.known.size) {
			callback(
				new ZipFormatError(
					`${this.label} unpacks to more than the ${formatBytes(this.known.size)} it declares; the ZIP was refused`,
				),
			);
			return;
		}
		if (this.produced > this.limits.maxEntryBytes) {
			callback(
				new ZipFormatError(
					`${this.label} unpacks to more than the ${formatBytes(this.limits.maxEntryBytes)} allowed; the ZIP was refused`,
				),
			);
			return;
		}
		if (
			this.produced > RATIO_CHECK_MIN_BYTES &&
			this.produced > this.compressedBytes * this.limits.maxCompressionRatio
		) {
			callback(
				new ZipFormatError(
					`${this.label} is compressed more than ${this.limits.maxCompressionRatio} to 1, the most allowed: it looks like a zip bomb; the ZIP was refused`,
				),
			);
			return;
		}
		this.checksum = crc32(chunk, this.checksum);
		// Handed on once zlib's callback has returned, not from within it: zlib has then started
		// inflating the next chunk on its thread while this one is parsed here.
		queueMicrotask(() => callback(null, chunk));
	}

	override _flush(callback: (error?: Error | null) => void): void {
		const { crc, size } = this.expected;
		if (this.produced !== size) {
			callback(
				new ZipFormatError(
					`${this.label} unpacks to ${this.produced} bytes but declares ${size}: the ZIP is damaged`,
				),
			);
		} else if (this.checksum >>> 0 !== crc >>> 0) {
			callback(new ZipFormatError(`${this.label} fails its checksum: the ZIP is damaged`));
		} else {
			callback();
		}
	}
}

/** Passes a stored entry's `size` bytes to the guard; returns how many it took. */
async function copyStored(
	bytes: ByteSource,
	guard: EntryGuard,
	label: string,
	size: number,
): Promise<number> {
	for (let left = size; left > 0; ) {
		const chunk = await bytes.chunk(left);
		if (!chunk) throw bytes.cutShort(`the content of ${label}`);
		left -= chunk.length;
		guard.compressedBytes += chunk.length;
		await written(guard, chunk);
	}
	return size;
}

/**
 * Inflates an entry into the guard and returns how many compressed bytes it took: exactly
 * `compressedSize` when the header declares it, else as many as the deflate stream holds
 * (it marks its own end), the rest of the last chunk going back to the byte source.
 */
async function inflateEntry(
	bytes: ByteSource,
	guard: EntryGuard,
	label: string,
	compressedSize: number | undefined,
): Promise<number> {
	const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
	// zlib's own errors mean bad deflate data; any other (the download's, the reader's) passes as it is.
	const damaged = (error: Error) =>
		(error as { code?: unknown }).code?.toString().startsWith('Z_')
			? new ZipFormatError(`${label} is damaged (${error.message})`)
			: error;
	inflate.on('error', (error: Error) => guard.destroy(damaged(error)));
	guard.on('close', () => inflate.destroy(guard.errored ?? undefined));
	inflate.pipe(guard, { end: false });
	const inflated = finished(inflate, { writable: false });
	// Awaited after the last chunk; a failure before then comes through the writes.
	inflated.catch(() => {});
	let fed = 0;
	while (fed !== compressedSize) {
		const chunk = await bytes.chunk(compressedSize === undefined ? Infinity : compressedSize - fed);
		if (!chunk) {
			if (compressedSize === undefined) throw bytes.cutShort(`the content of ${label}`);
			break;
		}
		const before = inflate.bytesWritten;
		guard.compressedBytes += chunk.length;
		await written(inflate, chunk).catch((error: Error) => {
			throw damaged(error);
		});
		const taken = inflate.bytesWritten - before;
		fed += taken;
		if (taken < chunk.length) {
			// The deflate stream ended inside this chunk: what follows is the next part of the ZIP.
			guard.compressedBytes -= chunk.length - taken;
			bytes.unread(chunk.subarray(taken));
			if (compressedSize !== undefined) {
				throw new ZipFormatError(
					`${label} ends after ${fed} of the ${compressedSize} compressed bytes it declares: the ZIP is damaged`,
				);
			}
			break;
		}
	}
	inflate.end();
	await inflated.catch((error: Error) => {
		throw damaged(error);
	});
	return fed;
}

/** Writes a chunk and waits until the stream has taken it (for an inflater: processed it). */
function written(stream: Writable, chunk: Buffer): Promise<void> {
	return new Promise((resolve, reject) => {
		const onClose = () =>
			reject(stream.errored ?? new ZipFormatError('The ZIP entry was closed before it was read'));
		stream.once('close', onClose);
		stream.write(chunk, (error) => {
			stream.off('close', onClose);
			if (error) reject(error);
			else resolve();
		});
	});
}

/** The data descriptor after an entry's content: its checksum and sizes, with or without its optional signature. */
async function readDataDescriptor(
	bytes: ByteSource,
	zip64: boolean,
): Promise<{ crc: number; compressedSize: number; size: number }> {
	const part = 'a data descriptor';
	let crc = await bytes.uint32(part);
	if (crc === DATA_DESCRIPTOR) crc = await bytes.uint32(part);
	const sizes = await bytes.exact(zip64 ? 16 : 8, part);
	return zip64
		? { crc, compressedSize: readUInt64(sizes, 0, part), size: readUInt64(sizes, 8, part) }
		: { crc, compressedSize: sizes.readUInt32LE(0), size: sizes.readUInt32LE(4) };
}

/**
 * Reads the central directory from its first signature and checks that it lists exactly the
 * entries that came before it, and that the end records point to it.
 */
async function readCentralDirectory(
	bytes: ByteSource,
	firstSignature: number,
	entries: LocalEntry[],
	what: string,
): Promise<void> {
	const damaged = (why: string) => new ZipFormatError(`${what} is damaged: ${why}`);
	const start = bytes.offset - 4;
	let signature = firstSignature;
	let count = 0;
	for (; signature === CENTRAL_HEADER; count++) {
		const header = await bytes.exact(42, 'the central directory');
		const nameBytes = await bytes.exact(header.readUInt16LE(24), 'the central directory');
		const extra = await bytes.exact(header.readUInt16LE(26), 'the central directory');
		await bytes.exact(header.readUInt16LE(28), 'the central directory');
		const local = entries[count];
		const name = printable(nameBytes.toString('utf8'));
		if (!local) throw damaged(`its central directory lists more entries than it holds ('${name}')`);
		let size = header.readUInt32LE(20);
		let compressedSize = header.readUInt32LE(16);
		let offset = header.readUInt32LE(38);
		let disk = header.readUInt16LE(30);
		const zip64 = zip64Field(extra, `${what}: entry '${name}'`);
		// The ZIP64 field holds, in this order, only the values too large for their 32-bit field.
		let at = 0;
		const nextWide = () => {
			if (!zip64 || zip64.length < at + 8)
				throw damaged(
					`entry '${name}' has no ZIP64 field where the central directory points to it`,
				);
			const value = readUInt64(zip64, at, name);
			at += 8;
			return value;
		};
		if (size === MAX32) size = nextWide();
		if (compressedSize === MAX32) compressedSize = nextWide();
		if (offset === MAX32) offset = nextWide();
		if (disk === MAX16 && zip64 && zip64.length >= at + 4) disk = zip64.readUInt32LE(at);
		const flags = header.readUInt16LE(4);
		const same =
			nameBytes.equals(local.nameBytes) &&
			(flags & FLAG_ENCRYPTED) === (local.flags & FLAG_ENCRYPTED) &&
			header.readUInt16LE(6) === local.method &&
			header.readUInt32LE(12) >>> 0 === local.crc >>> 0 &&
			compressedSize === local.compressedSize &&
			size === local.size &&
			offset === local.offset &&
			disk === 0;
		if (!same)
			throw damaged(
				`its central directory describes entry ${count + 1} ('${name}') otherwise than the entry itself`,
			);
		signature = await bytes.uint32('the central directory');
	}
	if (count !== entries.length)
		throw damaged(`its central directory lists ${count} of its ${entries.length} entries`);
	const size = bytes.offset - 4 - start;
	let zip64End: { entries: number; size: number; offset: number } | undefined;
	if (signature === ZIP64_END) {
		const recordSize = readUInt64(
			await bytes.exact(8, 'the ZIP64 end record'),
			0,
			'the ZIP64 end record',
		);
		if (recordSize < 44 || recordSize > MAX_ZIP64_END_RECORD)
			throw damaged('its ZIP64 end record has an impossible size');
		const record = await bytes.exact(recordSize, 'the ZIP64 end record');
		if (record.readUInt32LE(4) !== 0 || record.readUInt32LE(8) !== 0)
			throw damaged('it spans several disks');
		zip64End = {
			entries: readUInt64(record, 20, what),
			size: readUInt64(record, 28, what),
			offset: readUInt64(record, 36, what),
		};
		if ((await bytes.uint32('the ZIP64 end locator')) !== ZIP64_LOCATOR)
			throw damaged('its ZIP64 end record has no locator');
		await bytes.exact(16, 'the ZIP64 end locator');
		signature = await bytes.uint32('the end of the central directory');
	}
	if (signature !== END_OF_CENTRAL_DIRECTORY)
		throw damaged(`unexpected bytes at offset ${bytes.offset - 4}`);
	const end = await bytes.exact(18, 'the end of the central directory');
	await bytes.exact(end.readUInt16LE(16), 'the ZIP comment');
	const wide = (value: number, max: number, field: 'entries' | 'size' | 'offset') =>
		value === max && zip64End ? zip64End[field] : value;
	const consistent =
		end.readUInt16LE(0) === 0 &&
		end.readUInt16LE(2) === 0 &&
		wide(end.readUInt16LE(6), MAX16, 'entries') === count &&
		wide(end.readUInt32LE(8), MAX32, 'size') === size &&
		wide(end.readUInt32LE(12), MAX32, 'offset') === start;
	if (!consistent) throw damaged('its end record does not match its central directory');
	if (await bytes.chunk(1)) throw damaged('it has data after its end');
}

/** The data of the ZIP64 extra field, if the extra fields hold one. */
function zip64Field(extra: Buffer, label: string): Buffer | undefined {
	for (let at = 0; at + 4 <= extra.length; ) {
		const id = extra.readUInt16LE(at);
		const length = extra.readUInt16LE(at + 2);
		if (at + 4 + length > extra.length)
			throw new ZipFormatError(`${label} has a damaged extra field`);
		if (id === ZIP64_EXTRA) return extra.subarray(at + 4, at + 4 + length);
		at += 4 + length;
	}
	return undefined;
}

/** A ZIP64 size or offset; beyond 2^53 it cannot be a real one. */
function readUInt64(buffer: Buffer, at: number, label: string): number {
	const value = buffer.readBigUInt64LE(at);
	if (value > BigInt(Number.MAX_SAFE_INTEGER))
		throw new ZipFormatError(`${label} declares an impossible ZIP64 size`);
	return Number(value);
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
