/**
 * Writes export blobs to Azurite and signs read+list SAS tokens for them.
 *
 * [spec] Each blob is gzip-compressed JSON Lines with PascalCase keys; a partition may be split
 * into several blobs sharing one `partitionValue`.
 * [sandbox] One container per export instance (dataset, request, attribute set, data version):
 * a container SAS (`sr=c`, permissions `rl`) then reaches exactly that export's blobs, which is
 * what Microsoft's directory-scoped SAS (`sr=d`) reaches. Azurite's blob service (non-HNS) does
 * not implement directory SAS, and @azure/storage-blob cannot sign one.
 * [sandbox] Blobs are written as a stream (generator -> gzip -> uploadStream); nothing holds a
 * whole export in memory. Lines per blob: `linesPerBlob`; `blobsPerPartition` consecutive blobs
 * share a partitionValue.
 */

import { createGzip, constants } from 'zlib';
import { once } from 'events';
import {
	BlobServiceClient,
	StorageSharedKeyCredential,
	generateBlobSASQueryParameters,
	ContainerSASPermissions,
} from '@azure/storage-blob';
import { hash32, hex8 } from '../webex/prng';
import type { AzuriteHandle } from './azurite';
import type { UploadResult } from './store';

/** Lines are batched into chunks of about this many characters before gzip. */
const CHUNK_CHARS = 256 * 1024;

interface UploadSpec {
	/** container name (3-63 chars, lower-case, digits, '-') */
	container: string;
	/** directory inside the container (no leading/trailing '/') */
	directory: string;
	lines: Iterable<Record<string, unknown>>;
	linesPerBlob: number;
	blobsPerPartition: number;
}

export class BlobWriter {
	azurite: AzuriteHandle;
	credential: StorageSharedKeyCredential;
	service: BlobServiceClient;

	constructor(azurite: AzuriteHandle) {
		this.azurite = azurite;
		this.credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
		this.service = new BlobServiceClient(azurite.blobEndpoint, this.credential);
	}

	/** Upload an export's line items as blobs into a fresh container. */
	async upload(spec: UploadSpec): Promise<UploadResult> {
		const container = this.service.getContainerClient(spec.container);
		await container.createIfNotExists();
		const blobs: UploadResult['blobs'] = [];
		let lineCount = 0;
		const it = spec.lines[Symbol.iterator]();
		let next = it.next();
		while (!next.done || blobs.length === 0) {
			const index = blobs.length;
			const name = `part-${String(index).padStart(5, '0')}-${hex8(hash32(spec.container, index))}.json.gz`;
			// Fastest level: blob size does not matter here, the bench's write time does.
			const gzip = createGzip({ level: constants.Z_BEST_SPEED });
			const upload = container
				.getBlockBlobClient(`${spec.directory}/${name}`)
				.uploadStream(gzip, 4 * 1024 * 1024, 4, {
					// No Content-Encoding: the blob is a .json.gz file, not a transfer-encoded JSON document.
					blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
				});
			let inBlob = 0;
			let chunk = '';
			while (!next.done && inBlob < spec.linesPerBlob) {
				chunk += `${JSON.stringify(next.value)}\n`;
				inBlob++;
				next = it.next();
				if (chunk.length >= CHUNK_CHARS) {
					if (!gzip.write(chunk)) await once(gzip, 'drain');
					chunk = '';
				}
			}
			if (chunk) gzip.write(chunk);
			gzip.end();
			await upload;
			lineCount += inBlob;
			blobs.push({ name, partitionValue: String(Math.floor(index / spec.blobsPerPartition) + 1) });
		}
		return { container: spec.container, directory: spec.directory, blobs, lineCount };
	}

	/**
	 * A container SAS, read+list, valid from 5 minutes ago until `ttlSeconds` from now
	 * (a negative ttl gives an already expired token).
	 */
	sas(container: string, ttlSeconds: number) {
		const now = Date.now();
		return generateBlobSASQueryParameters(
			{
				containerName: container,
				permissions: ContainerSASPermissions.parse('rl'),
				startsOn: new Date(Math.min(now, now + ttlSeconds * 1000) - 300000),
				expiresOn: new Date(now + ttlSeconds * 1000),
			},
			this.credential,
		).toString();
	}

	rootDirectory(container: string, directory: string) {
		return `${this.azurite.blobEndpoint}/${container}/${directory}`;
	}
}
