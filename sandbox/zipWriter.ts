/**
 * A ZIP written as a stream, the way a file host that generates ZIPs on the fly writes them:
 * entries of any size never held in memory, deflated or stored, with their checksum and sizes
 * in the local header or (flag bit 3) in a data descriptor after their content. For the tests
 * and the Cisco benchmark; adm-zip writes the sandbox's small ZIPs, always with sizes up front.
 */
import { Readable, Transform } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

export interface ZipWriterEntry {
	name: string;
	/** a Buffer, or chunks produced as the ZIP is written (needs dataDescriptor) */
	content: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
	/** default deflate */
	method?: 'deflate' | 'store';
	/** zlib level, default 6 */
	level?: number;
	/** checksum and sizes after the content (flag bit 3), as a streaming writer must */
	dataDescriptor?: boolean;
}

const MAX32 = 0xffffffff;

/** The ZIP's bytes, entry after entry, then the central directory. No ZIP64: up to 4 GiB. */
export async function* zipStream(entries: ZipWriterEntry[]): AsyncGenerator<Buffer> {
	const central: Buffer[] = [];
	let offset = 0;
	for (const entry of entries) {
		const name = Buffer.from(entry.name, 'utf8');
		const method = entry.method === 'store' ? 0 : 8;
		const flags = 0x0800 | (entry.dataDescriptor ? 0x0008 : 0);
		const start = offset;
		let crc = 0;
		let size = 0;
		let compressedSize = 0;
		if (entry.dataDescriptor) {
			yield localHeader(name, flags, method, 0, 0, 0);
			offset += 30 + name.length;
			const counter = new Transform({
				transform(chunk: Buffer, _encoding, callback) {
					crc = crc32(chunk, crc);
					size += chunk.length;
					callback(null, chunk);
				},
			});
			const input = Readable.from(Buffer.isBuffer(entry.content) ? [entry.content] : entry.content);
			input.on('error', (error) => counter.destroy(error));
			let output: Readable = input.pipe(counter);
			if (method === 8) {
				const deflate = createDeflateRaw({ level: entry.level ?? 6 });
				counter.on('error', (error) => deflate.destroy(error));
				output = counter.pipe(deflate);
			}
			for await (const chunk of output) {
				compressedSize += (chunk as Buffer).length;
				yield chunk as Buffer;
			}
			const descriptor = Buffer.alloc(16);
			descriptor.writeUInt32LE(0x08074b50, 0);
			descriptor.writeUInt32LE(crc >>> 0, 4);
			descriptor.writeUInt32LE(checked(compressedSize), 8);
			descriptor.writeUInt32LE(checked(size), 12);
			yield descriptor;
			offset += compressedSize + 16;
		} else {
			if (!Buffer.isBuffer(entry.content))
				throw new Error(`${entry.name}: content given as chunks needs dataDescriptor`);
			const data =
				method === 8 ? deflateRawSync(entry.content, { level: entry.level ?? 6 }) : entry.content;
			crc = crc32(entry.content);
			size = entry.content.length;
			compressedSize = data.length;
			yield localHeader(name, flags, method, crc, compressedSize, size);
			yield data;
			offset += 30 + name.length + data.length;
		}
		const header = Buffer.alloc(46);
		header.writeUInt32LE(0x02014b50, 0);
		header.writeUInt16LE(20, 4);
		header.writeUInt16LE(20, 6);
		header.writeUInt16LE(flags, 8);
		header.writeUInt16LE(method, 10);
		header.writeUInt32LE(crc >>> 0, 16);
		header.writeUInt32LE(checked(compressedSize), 20);
		header.writeUInt32LE(checked(size), 24);
		header.writeUInt16LE(name.length, 28);
		header.writeUInt32LE(checked(start), 42);
		central.push(header, name);
	}
	const directory = Buffer.concat(central);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(directory.length, 12);
	end.writeUInt32LE(checked(offset), 16);
	yield directory;
	yield end;
}

function localHeader(
	name: Buffer,
	flags: number,
	method: number,
	crc: number,
	compressedSize: number,
	size: number,
): Buffer {
	const header = Buffer.alloc(30);
	header.writeUInt32LE(0x04034b50, 0);
	header.writeUInt16LE(20, 4);
	header.writeUInt16LE(flags, 6);
	header.writeUInt16LE(method, 8);
	header.writeUInt32LE(crc >>> 0, 14);
	header.writeUInt32LE(checked(compressedSize), 18);
	header.writeUInt32LE(checked(size), 22);
	header.writeUInt16LE(name.length, 26);
	return Buffer.concat([header, name]);
}

function checked(value: number): number {
	if (value > MAX32)
		throw new Error('zipStream writes no ZIP64: an entry or the ZIP is over 4 GiB');
	return value;
}

/** The whole ZIP in one Buffer, for small test ZIPs. */
export async function zipBuffer(entries: ZipWriterEntry[]): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of zipStream(entries)) chunks.push(chunk);
	return Buffer.concat(chunks);
}
