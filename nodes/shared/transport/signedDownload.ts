import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import type { Readable } from 'node:stream';

import { contentTypeLabel, isAllowedDownloadUrl, looksLikeMarkup, readSmallBody } from './http';
import { ConnectionError } from './errors';
import { errorBodyExcerpt } from './scrub';
import {
	RETRYABLE_STATUS_CODES,
	deadlineSignal,
	parseRetryAfter,
	retryUntilDone,
	type RetryPolicy,
} from './retry';

export class DownloadError extends Error {
	constructor(
		message: string,
		readonly statusCode?: number,
	) {
		super(message);
		this.name = 'DownloadError';
	}
}

/** How the storage host refused a link: its status and a short, URL-free excerpt of its answer. */
export interface Refusal {
	statusCode: number;
	detail: string;
}

export interface SignedDownload<Result> {
	/**
	 * A signed URL for the file. Called again with the refusal after the storage host refused
	 * the previous one (expired signature), to fetch a fresh one from the vendor API, or to
	 * throw when a fresh one cannot be had.
	 */
	getUrl(refusal?: Refusal): Promise<string>;
	/**
	 * Reads the whole body into a result. Called once per attempt with fresh state: a
	 * dropped connection restarts the file from its first byte, so a result never mixes
	 * two partial reads.
	 */
	consume(body: Readable): Promise<Result>;
	/** What is downloaded, for messages: "the report file". */
	what: string;
	policy: RetryPolicy;
	/**
	 * A credential to try once when the host refuses the link without it (401/403), for
	 * vendors whose file hosts may want the API token. `allowed(url)` keeps it to the hosts
	 * the user listed: the token never goes anywhere else.
	 */
	credentialFallback?: { credentialType: string; allowed(url: string): boolean };
}

/** Statuses with which storage hosts refuse an expired or revoked signature. */
const REFUSED_SIGNATURE_STATUS = new Set([401, 403, 410]);
const MAX_URL_REFRESHES = 3;
/** Longest a single download attempt may wait for an answer, whatever the timeout left. */
const ATTEMPT_TIMEOUT_MS = 120_000;

/**
 * Downloads a pre-signed file without any credentials (the signature is the credential;
 * a bearer token must never reach the storage host), streaming it into `consume`. No
 * attempt outlives the policy's deadline, answer and body alike.
 */
export async function downloadSignedFile<Result>(
	context: IExecuteFunctions,
	download: SignedDownload<Result>,
): Promise<Result> {
	let refreshes = 0;
	let refusal: Refusal | undefined;
	let withCredential = false;
	return await retryUntilDone<Result>(download.policy, async () => {
		const url = await download.getUrl(refusal);
		refusal = undefined;
		if (!isAllowedDownloadUrl(url)) {
			throw new DownloadError(
				`The download link for ${download.what} is not an https URL, so it was not fetched`,
			);
		}
		const request = {
			url,
			method: 'GET' as const,
			encoding: 'stream' as const,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, download.policy.deadline - Date.now())),
			abortSignal: deadlineSignal(download.policy),
		};
		const fallback = download.credentialFallback;
		const response = (await (
			withCredential && fallback
				? context.helpers.httpRequestWithAuthentication.call(
						context,
						fallback.credentialType,
						request,
					)
				: context.helpers.httpRequest(request)
		).catch((error: unknown) => {
			throw ConnectionError.from(error);
		})) as IN8nHttpFullResponse;
		const { statusCode } = response;
		const body = response.body as Readable;
		if (statusCode >= 200 && statusCode < 300) {
			const unexpected = await unexpectedFile(body, response.headers);
			if (unexpected) {
				body.destroy();
				return {
					done: false,
					reason: `The storage host answered HTTP ${statusCode} with ${unexpected} instead of ${download.what}`,
				};
			}
			return { done: true, value: await download.consume(body) };
		}
		const detail = errorBodyExcerpt(await readSmallBody(body, 4096));
		if ((statusCode === 401 || statusCode === 403) && !withCredential && fallback?.allowed(url)) {
			withCredential = true;
			return {
				done: false,
				reason: `The file host wants to be signed in to (HTTP ${statusCode}${detail})`,
				retryAfterMs: 0,
			};
		}
		if (REFUSED_SIGNATURE_STATUS.has(statusCode)) {
			refreshes++;
			if (refreshes > MAX_URL_REFRESHES) {
				throw new DownloadError(
					`The storage host kept refusing the download link for ${download.what} (HTTP ${statusCode}${detail}) after ${MAX_URL_REFRESHES} fresh links`,
					statusCode,
				);
			}
			refusal = { statusCode, detail };
			return {
				done: false,
				reason: `The download link was refused (HTTP ${statusCode}${detail})`,
				retryAfterMs: 0,
			};
		}
		if (RETRYABLE_STATUS_CODES.has(statusCode)) {
			return {
				done: false,
				reason: `The storage host answered ${statusCode}${detail}`,
				retryAfterMs: parseRetryAfter(response.headers['retry-after']),
			};
		}
		throw new DownloadError(
			`Downloading ${download.what} failed: the storage host answered HTTP ${statusCode}${detail}`,
			statusCode,
		);
	});
}

/**
 * What a successful answer holds instead of a file, in words, or undefined when it may be
 * the file: nothing at all, or a page (HTML or XML). No vendor file starts with markup — a
 * CSV starts with its header, a ZIP with 'PK', gzip with 0x1f 0x8b — so a page is a proxy's
 * or a sign-in page, whatever its Content-Type says. The bytes looked at stay in the body.
 */
async function unexpectedFile(
	body: Readable,
	headers: Record<string, unknown>,
): Promise<string | undefined> {
	const first = await firstChunk(body).catch((error: unknown) => {
		throw ConnectionError.from(error);
	});
	const labelled = contentTypeLabel(headers);
	if (first === null) return `an empty body${labelled}`;
	if (looksLikeMarkup(first.subarray(0, 512).toString('utf8'))) {
		return `an HTML or XML page${labelled}: a proxy, firewall or sign-in page may be in the way`;
	}
	return undefined;
}

/** The body's first chunk, put back so the body still reads whole; null when it is empty. */
function firstChunk(body: Readable): Promise<Buffer | null> {
	return new Promise((resolve, reject) => {
		const settle = (outcome: () => void) => {
			body.off('readable', onReadable);
			body.off('end', onEnd);
			body.off('error', onError);
			outcome();
		};
		const onReadable = () => {
			const chunk = body.read() as Buffer | null;
			if (chunk === null) return;
			settle(() => {
				body.unshift(chunk);
				resolve(chunk);
			});
		};
		const onEnd = () => settle(() => resolve(null));
		const onError = (error: Error) => settle(() => reject(error));
		body.on('readable', onReadable);
		body.on('end', onEnd);
		body.on('error', onError);
	});
}
