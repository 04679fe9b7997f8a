import { NodeOperationError } from 'n8n-workflow';

import { formatDuration, retryUntilDone } from './retry';
import type { VendorClient } from './vendorApi';

/** A vendor job to wait for: a report being generated, an export being produced. */
export interface Poll<State> {
	/** the job in messages: "Webex report Y2l…" */
	what: string;
	/** reads the job's state once; `retryAfterMs` when the answer says when to ask again */
	read(): Promise<{ state: State; retryAfterMs?: number }>;
	/** finished, well or not */
	isFinished(state: State): boolean;
	/** the state in words while the job runs */
	status(state: State): string;
	/** waits between reads when the answer names none; the last one repeats */
	scheduleMs: readonly number[];
	/** the Timeout (Minutes) option, and what to do when it passes */
	timeoutMinutes: number;
	advice: string;
}

/**
 * Reads the job's state until it is finished, sleeping exactly as long as each answer's
 * Retry-After asks, else as the schedule says, on the retry loop that bounds every wait by
 * the client's deadline. When the next wait would pass it, fails saying how long the job ran.
 */
export async function pollUntilFinished<State>(
	client: VendorClient,
	poll: Poll<State>,
): Promise<State> {
	const started = Date.now();
	type Last = { state: State; finished: boolean } | { failure: unknown };
	const last = await retryUntilDone<Last>(
		{ ...client.policy, maxAttempts: Infinity },
		async (reads) => {
			let read: Awaited<ReturnType<Poll<State>['read']>>;
			try {
				read = await poll.read();
			} catch (failure) {
				// Each read retried what was transient already: its failure ends the wait as it is.
				return { done: true, value: { failure } };
			}
			const { state, retryAfterMs } = read;
			if (poll.isFinished(state)) return { done: true, value: { state, finished: true } };
			const scheduled = poll.scheduleMs[Math.min(reads, poll.scheduleMs.length - 1)];
			return {
				done: false,
				reason: poll.status(state),
				retryAfterMs: retryAfterMs ?? scheduled,
				giveUpWith: { state, finished: false },
			};
		},
	);
	if ('failure' in last) throw last.failure;
	if (last.finished) return last.state;
	throw new NodeOperationError(
		client.context.getNode(),
		`${poll.what} was still ${poll.status(last.state)} after ${formatDuration(Date.now() - started)} (Timeout: ${poll.timeoutMinutes} min)`,
		{ itemIndex: client.itemIndex, description: poll.advice },
	);
}
