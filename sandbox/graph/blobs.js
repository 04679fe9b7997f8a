// @ts-check
'use strict';

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

const zlib = require('zlib');
const { once } = require('events');
const { BlobServiceClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, ContainerSASPermissions } = require('@azure/storage-blob');
const { hash32, hex8 } = require('../webex/prng');

/** Lines are batched into chunks of about this many characters before gzip. */
const CHUNK_CHARS = 256 * 1024;

class BlobWriter {
	/**
	 * @param {import('./azurite').AzuriteHandle} azurite
	 */
	constructor(azurite) {
		this.azurite = azurite;
		this.credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
		this.service = new BlobServiceClient(azurite.blobEndpoint, this.credential);
	}

	/**
	 * Upload an export's line items as blobs into a fresh container.
	 * @param {object} spec
	 * @param {string} spec.container           container name (3-63 chars, lower-case, digits, '-')
	 * @param {string} spec.directory           directory inside the container (no leading/trailing '/')
	 * @param {Iterable<Record<string, unknown>>} spec.lines
	 * @param {number} spec.linesPerBlob
	 * @param {number} spec.blobsPerPartition
	 * @returns {Promise<{ container: string, directory: string, blobs: Array<{ name: string, partitionValue: string }>, lineCount: number }>}
	 */
	async upload(spec) {
		const container = this.service.getContainerClient(spec.container);
		await container.createIfNotExists();
		/** @type {Array<{ name: string, partitionValue: string }>} */
		const blobs = [];
		let lineCount = 0;
		const it = spec.lines[Symbol.iterator]();
		let next = it.next();
		while (!next.done || blobs.length === 0) {
			const index = blobs.length;
			const name = `part-${String(index).padStart(5, '0')}-${hex8(hash32(spec.container, index))}.json.gz`;
			// Fastest level: blob size does not matter here, the bench's write time does.
			const gzip = zlib.createGzip({ level: zlib.constants.Z_BEST_SPEED });
			const upload = container.getBlockBlobClient(`${spec.directory}/${name}`).uploadStream(gzip, 4 * 1024 * 1024, 4, {
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
	 * @param {string} container
	 * @param {number} ttlSeconds
	 */
	sas(container, ttlSeconds) {
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

	/** @param {string} container @param {string} directory */
	rootDirectory(container, directory) {
		return `${this.azurite.blobEndpoint}/${container}/${directory}`;
	}
}

module.exports = { BlobWriter };
