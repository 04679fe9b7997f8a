import { AnonymousCredential, BlobClient } from '@azure/storage-blob';
import type { Readable } from 'node:stream';

import { isAllowedDownloadUrl } from './http';

/** Storage refused or failed a blob; carries no URL and no SAS. */
export class BlobAccessError extends Error {
	constructor(
		message: string,
		readonly statusCode?: number,
		readonly code?: string,
	) {
		super(message);
		this.name = 'BlobAccessError';
	}

	/** Storage refuses an expired or revoked SAS with 403 (AuthenticationFailed). */
	get isRefusedSignature(): boolean {
		return this.statusCode === 403;
	}
}

export interface OpenBlobOptions {
	signal?: AbortSignal;
	/** how often a dropped connection is resumed from the byte it stopped at */
	maxResumes?: number;
}

/**
 * Opens a blob for streaming with a SAS URL and no other credential. The SDK's download
 * stream resumes a dropped connection from the byte where it broke, so the consumer sees
 * the blob's bytes exactly once, in order.
 */
export async function openBlobStream(
	blobUrl: string,
	blobName: string,
	{ signal, maxResumes = 5 }: OpenBlobOptions = {},
): Promise<Readable> {
	if (!isAllowedDownloadUrl(blobUrl)) {
		throw new BlobAccessError(`The storage URL of blob ${blobName} is not https, so it was not fetched`);
	}
	const client = new BlobClient(blobUrl, new AnonymousCredential(), {
		retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 10_000 },
	});
	try {
		const response = await client.download(0, undefined, {
			abortSignal: signal,
			maxRetryRequests: maxResumes,
		});
		if (!response.readableStreamBody) throw new BlobAccessError(`Blob ${blobName} has no content`);
		return response.readableStreamBody as Readable;
	} catch (error) {
		throw toBlobAccessError(error, blobName);
	}
}

/** The storage error as a message without the request (whose URL holds the SAS). */
export function toBlobAccessError(error: unknown, blobName: string): Error {
	if (error instanceof BlobAccessError || (error as Error)?.name === 'AbortError') return error as Error;
	const { statusCode, code } = (error ?? {}) as { statusCode?: number; code?: string };
	const status = statusCode ? `HTTP ${statusCode}` : 'no answer';
	return new BlobAccessError(
		`Azure Blob Storage failed on blob ${blobName} (${status}${code ? `, ${code}` : ''})`,
		statusCode,
		code,
	);
}
