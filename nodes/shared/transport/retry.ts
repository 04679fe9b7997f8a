/**
 * Waiting done right: Retry-After honoured exactly, capped jittered backoff for transient
 * failures, every wait bounded by a deadline and cut short when the execution is cancelled.
 * The one loop every retry, resume and poll of the pack runs on.
 */
import * as workflow from 'n8n-workflow';

import {
	ConnectionError,
	DeadlineExceededError,
	ExecutionCancelledError,
	TokenRequestError,
	describeNetworkError,
	isAbort,
	isTransientNetworkError,
} from './errors';

export const RETRYABLE_STATUS_CODES = new Set([423, 429, 500, 502, 503, 504]);

export function throwIfCancelled(signal?: AbortSignal): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}

/**
 * n8n-workflow's abortable sleep. The pack runs on the host's n8n-workflow: 2.x's `sleep`
 * takes the signal, 1.x's ignores it and has `sleepWithAbort` (gone in 2.x) instead.
 */
const abortableSleep: (ms: number, signal?: AbortSignal) => Promise<void> =
	(workflow as { sleepWithAbort?: (ms: number, signal?: AbortSignal) => Promise<void> })
		.sleepWithAbort ?? workflow.sleep;

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
export function backoffDelay(
	attempt: number,
	baseMs: number,
	maxMs: number,
	random = Math.random,
): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryPolicy {
	/** epoch ms after which no attempt starts and no wait ends */
	deadline: number;
	signal?: AbortSignal;
	maxAttempts?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
}

const DEFAULT_MAX_ATTEMPTS = 8;
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
			outcome = {
				done: false,
				reason: described ? (error as Error).message : describeNetworkError(error),
			};
		}
		if (outcome.done) return outcome.value;
		lastReason = outcome.reason;
		giveUpWith = outcome.giveUpWith;
		if (attemptNumber === maxAttempts - 1) break;
		const wait = outcome.retryAfterMs ?? backoffDelay(attemptNumber, baseDelay, maxDelay);
		if (Date.now() + wait > policy.deadline) {
			if (outcome.giveUpWith !== undefined) return outcome.giveUpWith;
			const asked =
				outcome.retryAfterMs !== undefined ? ` and was asked to wait ${formatDuration(wait)}` : '';
			throw new DeadlineExceededError(
				`${lastReason}${asked}; gave up after ${attemptNumber + 1} attempt(s) because the timeout would pass`,
			);
		}
		await sleep(wait, policy.signal);
	}
	if (giveUpWith !== undefined) return giveUpWith;
	throw new DeadlineExceededError(`${lastReason}; gave up after ${maxAttempts} attempts`);
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
	if (!policy.signal) return timeout;
	const either = AbortSignal.any([policy.signal, timeout]);
	// AbortSignal.any holds its sources weakly, and Node collects an AbortSignal.timeout that
	// nothing else holds before it fires (nodejs/node#57736): the transfer would then outlive
	// its deadline. The combined signal keeps its timeout alive for as long as it lives.
	timeoutOf.set(either, timeout);
	return either;
}

/** Each combined signal's timeout, held as long as the combined signal is (an ephemeron). */
const timeoutOf = new WeakMap<AbortSignal, AbortSignal>();

/** Budget for a plain API call (retries included) when no timeout option applies. */
export const DEFAULT_CALL_BUDGET_MS = 5 * 60_000;

/** The deadline for a "Timeout (Minutes)" option, 60 minutes when unset or invalid. */
export function deadlineFromMinutes(minutes: unknown): number {
	const value = Number(minutes);
	return Date.now() + (Number.isFinite(value) && value > 0 ? value : 60) * 60_000;
}
