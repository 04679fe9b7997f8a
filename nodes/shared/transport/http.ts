import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { ConnectionError, TokenRequestError } from './errors';
import { RETRYABLE_STATUS_CODES, parseRetryAfter, retryUntilDone, type RetryPolicy } from './retry';

export interface HttpResponse<Body = unknown> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: Body;
}

/** Longest a single request may take before it counts as a transient failure. */
const REQUEST_TIMEOUT_MS = 120_000;

export interface SendOptions {
	/** Credential type to authenticate with; none for pre-signed download URLs. */
	credentialType?: string;
	policy: RetryPolicy;
	/**
	 * A successful answer must be a JSON object. One that is not (an empty body, a proxy's
	 * HTML page answered with 200) is asked again like a transient failure, and ends in an
	 * error saying what came instead: read as "no data", it would look like a valid empty
	 * result.
	 */
	jsonBody?: boolean;
}

/**
 * Sends one API request, retrying 423/429/5xx and dropped connections within the policy.
 * Returns the final response whatever its status, so the vendor layer can turn an error
 * answer into a NodeApiError with the vendor's own message and tracking id.
 */
export async function sendWithRetry<Body = unknown>(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	request: IHttpRequestOptions,
	{ credentialType, policy, jsonBody = false }: SendOptions,
): Promise<HttpResponse<Body>> {
	return await retryUntilDone<HttpResponse<Body>>(policy, async () => {
		const response = await sendOnce<Body>(context, request, credentialType, policy);
		if (RETRYABLE_STATUS_CODES.has(response.statusCode)) {
			return {
				done: false,
				reason: `The server answered ${response.statusCode}`,
				retryAfterMs: parseRetryAfter(response.headers['retry-after']),
				giveUpWith: response,
			};
		}
		const unexpected =
			jsonBody && response.statusCode < 300
				? describeNonJsonBody(response.body, response.headers)
				: undefined;
		if (unexpected) {
			return {
				done: false,
				reason: `The server answered HTTP ${response.statusCode} where JSON was expected, with ${unexpected}`,
			};
		}
		return { done: true, value: response };
	});
}

/**
 * What a body that should have been a JSON object is instead, in words; undefined when it
 * is a JSON object. n8n hands over a body that does not parse as JSON as text.
 */
function describeNonJsonBody(
	body: unknown,
	headers: Record<string, unknown> = {},
): string | undefined {
	if (isJsonObject(body)) return undefined;
	const labelled = contentTypeLabel(headers);
	if (
		body === undefined ||
		body === null ||
		body === '' ||
		(Buffer.isBuffer(body) && body.length === 0)
	)
		return `an empty body${labelled}`;
	if (Array.isArray(body)) return 'a JSON list instead of an object';
	const text = Buffer.isBuffer(body)
		? body.subarray(0, 1024).toString('utf8')
		: String(body).slice(0, 1024);
	if (looksLikeMarkup(text)) {
		return /<html|<!doctype html/i.test(text)
			? `an HTML page${labelled}: a proxy, firewall or sign-in page may be in the way`
			: `an XML or HTML document${labelled}`;
	}
	return `a body that is not JSON${labelled}`;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
	return (
		typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)
	);
}

/** An answer's media type as ` (text/html)`, to name what came; '' without one. */
export function contentTypeLabel(headers: Record<string, unknown>): string {
	const contentType = String(headers['content-type'] ?? '')
		.split(';')[0]
		.trim();
	return contentType ? ` (${contentType})` : '';
}

/** Whether text starts (after a byte order mark and white space) like HTML or XML does. */
export function looksLikeMarkup(text: string): boolean {
	return /^\ufeff?\s*<[!?a-zA-Z]/.test(text);
}

async function sendOnce<Body>(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	request: IHttpRequestOptions,
	credentialType: string | undefined,
	policy: RetryPolicy,
): Promise<HttpResponse<Body>> {
	const remaining = Math.max(1000, policy.deadline - Date.now());
	const options: IHttpRequestOptions = {
		...request,
		returnFullResponse: true,
		// A 401 must throw inside n8n's helper: that is what makes it refresh an OAuth2 token
		// or re-run a credential's preAuthentication and send the request once more.
		ignoreHttpStatusErrors: credentialType ? { ignore: true, except: [401] } : true,
		// A redirect must never carry the bearer token to another host.
		sendCredentialsOnCrossOriginRedirect: false,
		timeout: Math.min(REQUEST_TIMEOUT_MS, remaining),
		abortSignal: policy.signal,
	};
	let response: IN8nHttpFullResponse;
	try {
		response = (
			credentialType
				? await context.helpers.httpRequestWithAuthentication.call(context, credentialType, options)
				: await context.helpers.httpRequest(options)
		) as IN8nHttpFullResponse;
	} catch (error) {
		const refused = unauthorisedResponse(error);
		if (refused) return refused as HttpResponse<Body>;
		throw (
			TokenRequestError.find(error) ??
			TokenRequestError.fromOAuth2(error) ??
			ConnectionError.from(error)
		);
	}
	return {
		statusCode: response.statusCode,
		headers: response.headers as Record<string, unknown>,
		body: response.body as Body,
	};
}

/**
 * The 401 answer inside an error thrown by n8n's request helper, as a plain response. The
 * thrown error itself is dropped: it carries the request configuration, token included.
 */
function unauthorisedResponse(error: unknown): HttpResponse | undefined {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const candidate of candidates) {
		const response = (
			candidate as { response?: { status?: number; headers?: unknown; data?: unknown } }
		)?.response;
		if (response?.status === 401) {
			return {
				statusCode: 401,
				headers: (response.headers ?? {}) as Record<string, unknown>,
				body: response.data,
			};
		}
	}
	return undefined;
}

/** Whether a download URL may be fetched: https, or plain http to this machine (the sandbox). */
export function isAllowedDownloadUrl(url: string): boolean {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return false;
	}
	if (parsed.protocol === 'https:') return true;
	return parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname);
}

function isLoopbackHost(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Reads the full body of a streamed error response, bounded, as text. */
export async function readSmallBody(body: unknown, limit = 64 * 1024): Promise<string> {
	if (typeof body === 'string') return body.slice(0, limit);
	if (Buffer.isBuffer(body)) return body.subarray(0, limit).toString('utf8');
	if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		return body === undefined ? '' : JSON.stringify(body).slice(0, limit);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body as AsyncIterable<Buffer>) {
		if (size < limit) chunks.push(chunk);
		size += chunk.length;
	}
	return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
