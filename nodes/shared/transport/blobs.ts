import { AnonymousCredential, BlobClient } from '@azure/storage-blob';
import { PassThrough, type Readable } from 'node:stream';

import { isAllowedDownloadUrl } from './http';
import {
	DeadlineExceededError,
	ExecutionCancelledError,
	describeNetworkError,
	isTransientNetworkError,
} from './errors';
import { withoutUrls } from './scrub';
import {
	RETRYABLE_STATUS_CODES,
	deadlineSignal,
	parseRetryAfter,
	retryUntilDone,
	type RetryPolicy,
} from './retry';

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

/** However much progress each resume makes, a blob is resumed at most maxResumes × this often. */
const MAX_RESUMES_FACTOR = 20;

export interface OpenBlobOptions {
	/** the cancel signal and the deadline: reading stops when either comes */
	policy: RetryPolicy;
	/** how often in a row a dropped connection is resumed without receiving a new byte */
	maxResumes?: number;
}

/**
 * Opens a blob for streaming with a SAS URL and no other credential. A connection that drops
 * part-way is resumed from the byte where it broke (a ranged read pinned to the blob's ETag),
 * so the consumer sees the blob's bytes exactly once, in order. The SDK's own resume gives
 * up on Node's 'aborted' event, which is what a reset produces, so the resume is done here.
 */
export async function openBlobStream(
	blobUrl: string,
	blobName: string,
	{ policy, maxResumes = 5 }: OpenBlobOptions,
): Promise<Readable> {
	if (!isAllowedDownloadUrl(blobUrl)) {
		throw new BlobAccessError(
			`The storage URL of blob ${blobName} is not https, so it was not fetched`,
		);
	}
	const output = new PassThrough();
	let finished = false;
	/** Ends the stream, or fails it with why reading stopped. */
	const finish = (error?: Error) => {
		finished = true;
		if (error) output.destroy(error);
		else output.end();
	};
	/** The storage answer being read into the stream. */
	let response: Readable | undefined;
	// A consumer that closes the stream before it was finished (say, at a malformed line) is
	// done with the blob: its answer, left paused, would hold the connection until the deadline.
	output.once('close', () => {
		if (!finished) response?.destroy();
	});
	// The SDK's own retries and every resume end with the execution or at the deadline.
	const signal = deadlineSignal(policy);
	/** Why reading stopped when the signal aborted it, in words the user can act on. */
	const stopped = (): Error =>
		policy.signal?.aborted
			? new ExecutionCancelledError()
			: new BlobAccessError(
					`Reading blob ${blobName} from Azure Blob Storage timed out: it took longer than the timeout allows; raise the Timeout (Minutes) option or try again later`,
				);
	// The SDK's own retries are off: its policy skips 429, 502 and 504 and knows no deadline.
	const client = new BlobClient(blobUrl, new AnonymousCredential(), {
		retryOptions: { maxTries: 1 },
	});
	let eTag: string | undefined;
	/**
	 * Reads the blob from `offset` (pinned to the first read's ETag). Busy or failing storage
	 * (429, 5xx) is asked again as Retry-After says, dropped connections after a backoff,
	 * until the deadline.
	 */
	const read = async (offset: number) =>
		await retryUntilDone(policy, async () => {
			try {
				const conditions = eTag ? { ifMatch: eTag } : undefined;
				return {
					done: true,
					value: await client.download(offset, undefined, {
						abortSignal: signal,
						maxRetryRequests: 0,
						conditions,
					}),
				};
			} catch (error) {
				const { statusCode, code, response } = error as {
					statusCode?: number;
					code?: string;
					response?: { headers?: { get(name: string): string | undefined } };
				};
				if (signal.aborted || statusCode === undefined || !RETRYABLE_STATUS_CODES.has(statusCode))
					throw error;
				return {
					done: false,
					reason: `Azure Blob Storage answered HTTP ${statusCode}${code ? ` (${code})` : ''}`,
					retryAfterMs: parseRetryAfter(response?.headers?.get('retry-after')),
				};
			}
		}).catch((error: unknown) => {
			throw signal.aborted ? stopped() : toBlobAccessError(error, blobName);
		});
	const first = await read(0);
	const total = first.contentLength;
	eTag = first.etag;
	let received = 0;
	// Resumes in a row without a new byte: a connection that keeps making progress may go on.
	let resumes = 0;
	let totalResumes = 0;
	let receivedAtLastResume = 0;

	const follow = (source: NodeJS.ReadableStream | undefined): void => {
		if (!source) {
			finish(new BlobAccessError(`Blob ${blobName} has no content`));
			return;
		}
		response = source as Readable;
		// The consumer closed the stream while this answer was asked for.
		if (output.destroyed) {
			response.destroy();
			return;
		}
		let settled = false;
		const stop = (error?: unknown) => {
			if (settled) return;
			settled = true;
			source.removeAllListeners('data');
			if (error === undefined && (total === undefined || received === total)) finish();
			else void resume(error);
		};
		source.on('data', (chunk: Buffer) => {
			received += chunk.length;
			if (!output.write(chunk)) {
				source.pause();
				output.once('drain', () => source.resume());
			}
		});
		source.on('end', () => stop());
		source.on('error', (error: unknown) => stop(error ?? new Error('aborted')));
		source.on('aborted', () => stop(new Error('aborted')));
	};

	const resume = async (cause: unknown): Promise<void> => {
		if (signal.aborted) {
			finish(stopped());
			return;
		}
		if (received > receivedAtLastResume) resumes = 0;
		receivedAtLastResume = received;
		if (cause instanceof BlobAccessError) {
			finish(cause);
			return;
		}
		if (++resumes > maxResumes || ++totalResumes > maxResumes * MAX_RESUMES_FACTOR) {
			finish(
				new BlobAccessError(
					`The connection to storage kept dropping while reading blob ${blobName} (${totalResumes - 1} resumes)`,
				),
			);
			return;
		}
		try {
			follow((await read(received)).readableStreamBody);
		} catch (error) {
			finish(error as Error);
		}
	};

	follow(first.readableStreamBody);
	return output;
}

/** The storage error as a message without the request (whose URL holds the SAS). */
export function toBlobAccessError(error: unknown, blobName: string): Error {
	if (error instanceof BlobAccessError || (error as Error)?.name === 'AbortError')
		return error as Error;
	if (error instanceof DeadlineExceededError) {
		return new BlobAccessError(
			`Azure Blob Storage could not be read for blob ${blobName}: ${error.message}`,
		);
	}
	const { statusCode, code, message } = (error ?? {}) as {
		statusCode?: number;
		code?: string;
		message?: unknown;
	};
	if (!statusCode && !isTransientNetworkError(error) && typeof message === 'string' && message) {
		// The SDK refuses a 200 without storage's ETag: no blob answers without one, a page from
		// something in front of storage (a proxy's error or sign-in page) does.
		if (/etag/i.test(message)) {
			return new BlobAccessError(
				`The answer for blob ${blobName} did not come from Azure Blob Storage (it has no ETag): a proxy, firewall or sign-in page may be in the way`,
			);
		}
		return new BlobAccessError(
			`Azure Blob Storage gave an answer for blob ${blobName} that could not be read: ${withoutUrls(message).slice(0, 300)}`,
		);
	}
	if (!statusCode) {
		return new BlobAccessError(
			`Azure Blob Storage could not be read for blob ${blobName}: ${describeNetworkError(error).replace(/^The connection failed: /, '')}`,
		);
	}
	return new BlobAccessError(
		`Azure Blob Storage answered HTTP ${statusCode}${code ? ` (${code})` : ''} for blob ${blobName}`,
		statusCode,
		code,
	);
}
