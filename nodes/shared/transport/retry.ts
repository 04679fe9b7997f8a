/**
 * Waiting done right: Retry-After honoured exactly, capped jittered backoff for transient
 * failures, every wait bounded by a deadline and cut short when the execution is cancelled.
 */
import * as workflow from 'n8n-workflow';

export const RETRYABLE_STATUS_CODES = new Set([423, 429, 500, 502, 503, 504]);

const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_STREAM_PREMATURE_CLOSE',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	// @azure/core-rest-pipeline: the request got no answer (its message holds the socket error)
	'REQUEST_SEND_ERROR',
]);

export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'ExecutionCancelledError';
	}
}

/**
 * A request that got no HTTP answer, stripped of the request configuration (URL, headers,
 * token) that errors from n8n's request helpers carry.
 */
export class ConnectionError extends Error {
	constructor(
		message: string,
		readonly code?: string,
		/** whether the failure it stands for is worth another attempt (a dropped connection) */
		readonly transient = false,
	) {
		super(message);
		this.name = 'ConnectionError';
	}

	/**
	 * Keeps whether the original failure was transient: its message is replaced, and an answer
	 * cut mid-body is recognised by that message alone (axios: "stream has been aborted").
	 */
	static from(error: unknown): Error {
		if (error instanceof ExecutionCancelledError || error instanceof ConnectionError) return error;
		return new ConnectionError(describeNetworkError(error), networkErrorCode(error), isTransientNetworkError(error));
	}
}

function networkErrorCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 4; depth++) {
		const { code, cause } = current as { code?: unknown; cause?: unknown };
		if (typeof code === 'string') return code;
		current = cause;
	}
	return undefined;
}

/**
 * A credential's token endpoint did not issue a token: a preAuthentication threw it, or n8n's
 * own OAuth2 client failed to get one. n8n wraps it on the way out of its request helper; the
 * transport finds it again so the user sees what the token endpoint said rather than a
 * connection failure, and a token endpoint that is only busy (429, 5xx) is asked again.
 */
export class TokenRequestError extends Error {
	constructor(
		message: string,
		/** the token endpoint was busy or failing (429, 5xx): worth another attempt */
		readonly transient = false,
	) {
		super(message);
		this.name = 'TokenRequestError';
	}

	static find(error: unknown): TokenRequestError | undefined {
		for (let current = error, depth = 0; current && depth < 5; depth++) {
			if ((current as Error).name === 'TokenRequestError') {
				return new TokenRequestError((current as Error).message, (current as TokenRequestError).transient === true);
			}
			current = (current as { cause?: unknown }).cause;
		}
		return undefined;
	}

	/**
	 * The failure of n8n's OAuth2 client to get a token ("Failed to acquire OAuth2 access
	 * token: …", its cause holding the token endpoint's status), without the request it
	 * carries (the client secret is in it).
	 */
	static fromOAuth2(error: unknown): TokenRequestError | undefined {
		let status: number | undefined;
		let failure: string | undefined;
		for (let current = error, depth = 0; current && depth < 5; depth++) {
			const { message, status: ownStatus, response, cause } = current as { message?: unknown; status?: unknown; response?: { status?: unknown }; cause?: unknown };
			if (failure === undefined && typeof message === 'string' && message.startsWith(OAUTH2_TOKEN_FAILURE)) failure = message;
			const found = typeof response?.status === 'number' ? response.status : typeof ownStatus === 'number' ? ownStatus : undefined;
			if (failure !== undefined && found !== undefined) status = found;
			current = cause;
		}
		if (failure === undefined) return undefined;
		if (status === undefined) {
			// No answer (a dropped connection, retried as one), or the endpoint's own refusal,
			// which n8n's message quotes (invalid_client and the like: no secret in it).
			return isTransientNetworkError(error) ? undefined : new TokenRequestError(`${failure}. Check the credential.`);
		}
		const busy = status === 429 || status >= 500;
		return new TokenRequestError(
			`The token endpoint did not issue an access token: it answered HTTP ${status}${busy ? ' (busy or failing)' : '; check the credential'}`,
			busy,
		);
	}
}

/** How n8n-core starts the message of a client-credentials token fetch that failed. */
const OAUTH2_TOKEN_FAILURE = 'Failed to acquire OAuth2 access token';

/** Thrown when the deadline leaves no room for another attempt or wait. */
export class DeadlineExceededError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DeadlineExceededError';
	}
}

export function throwIfCancelled(signal?: AbortSignal): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}

/**
 * n8n-workflow's abortable sleep. The pack runs on the host's n8n-workflow: 2.x's `sleep`
 * takes the signal, 1.x's ignores it and has `sleepWithAbort` (gone in 2.x) instead.
 */
const abortableSleep: (ms: number, signal?: AbortSignal) => Promise<void> =
	(workflow as { sleepWithAbort?: (ms: number, signal?: AbortSignal) => Promise<void> }).sleepWithAbort ??
	workflow.sleep;

/** Resolves after `ms`, or rejects at once when the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	throwIfCancelled(signal);
	if (ms <= 0) return;
	// Either version rejects only when the signal aborts, each with its own error: report ours.
	await abortableSleep(ms, signal).catch(() => throwIfCancelled(signal));
}

/**
 * The wait a Retry-After header asks for, in milliseconds: delta-seconds or an HTTP date.
 * Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: unknown, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value).trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** Capped exponential backoff with full jitter over its upper half (never zero). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A request or stream stopped by an abort signal (axios: CanceledError; Node: AbortError). */
function isAbort(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 4; depth++) {
		const { name, code, cause } = current as { name?: unknown; code?: unknown; cause?: unknown };
		if (name === 'AbortError' || name === 'CanceledError' || code === 'ERR_CANCELED' || code === 'ABORT_ERR') return true;
		current = cause;
	}
	return false;
}

export function isTransientNetworkError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	if (error instanceof ConnectionError || error instanceof TokenRequestError) return error.transient;
	const { code, message, cause } = error as { code?: string; message?: string; cause?: unknown };
	if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
	if (typeof message === 'string' && /socket hang up|aborted|premature close|terminated/i.test(message)) {
		return true;
	}
	return cause !== undefined && cause !== error && isTransientNetworkError(cause);
}

export interface RetryPolicy {
	/** epoch ms after which no attempt starts and no wait ends */
	deadline: number;
	signal?: AbortSignal;
	maxAttempts?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;

/** What one attempt came to: a value, or a reason to try again (with the server's wait). */
export type AttemptOutcome<T> =
	| { done: true; value: T }
	| { done: false; reason: string; retryAfterMs?: number; giveUpWith?: T };

/**
 * Runs `attempt` until it is done, waiting between tries as the outcome asks (Retry-After
 * exactly, else backoff). When the attempts or the deadline run out it returns the last
 * outcome's `giveUpWith` (say, the vendor's last error response, for the caller to report)
 * or throws a DeadlineExceededError naming the last reason. Transient network errors thrown
 * by `attempt` count as retryable; anything else is rethrown at once.
 */
export async function retryUntilDone<T>(
	policy: RetryPolicy,
	attempt: (attemptNumber: number) => Promise<AttemptOutcome<T>>,
): Promise<T> {
	const maxAttempts = policy.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
	const baseDelay = policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
	const maxDelay = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
	let lastReason = '';
	let giveUpWith: T | undefined;
	for (let attemptNumber = 0; attemptNumber < maxAttempts; attemptNumber++) {
		throwIfCancelled(policy.signal);
		let outcome: AttemptOutcome<T>;
		try {
			outcome = await attempt(attemptNumber);
		} catch (error) {
			throwIfCancelled(policy.signal);
			if (Date.now() >= policy.deadline && (isAbort(error) || isTransientNetworkError(error))) {
				// The deadline cut this attempt short: say so, with what failed before it.
				const before = lastReason ? `${lastReason}; ` : 'No complete answer came; ';
				throw new DeadlineExceededError(
					`${before}the timeout passed during attempt ${attemptNumber + 1}: raise the Timeout (Minutes) option or try again later`,
				);
			}
			if (!isTransientNetworkError(error)) throw error;
			// Errors of our own already say what failed; a raw network error gets plain words.
			const described = error instanceof TokenRequestError || error instanceof ConnectionError;
			outcome = { done: false, reason: described ? (error as Error).message : describeNetworkError(error) };
		}
		if (outcome.done) return outcome.value;
		lastReason = outcome.reason;
		giveUpWith = outcome.giveUpWith;
		if (attemptNumber === maxAttempts - 1) break;
		const wait = outcome.retryAfterMs ?? backoffDelay(attemptNumber, baseDelay, maxDelay);
		if (Date.now() + wait > policy.deadline) {
			if (outcome.giveUpWith !== undefined) return outcome.giveUpWith;
			const asked = outcome.retryAfterMs !== undefined ? ` and was asked to wait ${formatDuration(wait)}` : '';
			throw new DeadlineExceededError(
				`${lastReason}${asked}; gave up after ${attemptNumber + 1} attempt(s) because the timeout would pass`,
			);
		}
		await sleep(wait, policy.signal);
	}
	if (giveUpWith !== undefined) return giveUpWith;
	throw new DeadlineExceededError(`${lastReason}; gave up after ${maxAttempts} attempts`);
}

/**
 * Plain words for network error codes. The raw codes stay out of messages: n8n replaces any
 * message that mentions one with its own generic text, which would hide what was retried.
 */
const NETWORK_ERROR_WORDS: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	EPIPE: 'the connection broke',
	EAI_AGAIN: 'the host name could not be looked up for now',
	ERR_STREAM_PREMATURE_CLOSE: 'the transfer ended early',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection timed out',
	UND_ERR_SOCKET: 'the connection broke',
	ECONNREFUSED: 'the server refused the connection',
	ENOTFOUND: 'the host name was not found',
	ERR_CANCELED: 'the request was cancelled',
};

export function describeNetworkError(error: unknown): string {
	const code = networkErrorCode(error);
	const { message } = (error ?? {}) as { message?: string };
	const words =
		(code && NETWORK_ERROR_WORDS[code]) ??
		(typeof message === 'string' && /aborted|premature close|socket hang up/i.test(message)
			? 'the transfer ended early'
			: 'there was no answer');
	return `The connection failed: ${words}`;
}

export function formatDuration(ms: number): string {
	if (ms < 1000) return `${ms} ms`;
	const seconds = Math.round(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	return `${Math.round(seconds / 60)} min`;
}

/**
 * The policy's cancel signal, also aborted when its deadline passes: for a transfer that must
 * not outlive the timeout even while bytes keep trickling in.
 */
export function deadlineSignal(policy: RetryPolicy): AbortSignal {
	const timeout = AbortSignal.timeout(Math.max(1, policy.deadline - Date.now()));
	return policy.signal ? AbortSignal.any([policy.signal, timeout]) : timeout;
}

/** Budget for a plain API call (retries included) when no timeout option applies. */
export const DEFAULT_CALL_BUDGET_MS = 5 * 60_000;

/** The deadline for a "Timeout (Minutes)" option, 60 minutes when unset or invalid. */
export function deadlineFromMinutes(minutes: unknown): number {
	const value = Number(minutes);
	return Date.now() + (Number.isFinite(value) && value > 0 ? value : 60) * 60_000;
}
