import {
	ConnectionError,
	DeadlineExceededError,
	ExecutionCancelledError,
} from '../../nodes/shared/transport/errors';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
	backoffDelay,
	deadlineSignal,
	parseRetryAfter,
	retryUntilDone,
	sleep,
} from '../../nodes/shared/transport/retry';

describe('Retry-After', () => {
	it('reads delta-seconds', () => {
		expect(parseRetryAfter('7')).toBe(7000);
	});

	it('reads an HTTP date relative to now', () => {
		const now = Date.parse('2026-11-21T10:00:00Z');
		expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000);
	});

	it('treats a date in the past as no wait, and garbage as absent', () => {
		const now = Date.parse('2026-11-21T10:00:00Z');
		expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(undefined)).toBeUndefined();
	});
});

describe('backoff', () => {
	it('grows exponentially with jitter in the upper half and stops at the cap', () => {
		expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
		expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
		expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(3000);
		expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
	});
});

describe('retryUntilDone', () => {
	it('waits exactly as long as Retry-After asks', async () => {
		const started = Date.now();
		const times: number[] = [];
		const value = await retryUntilDone({ deadline: Date.now() + 5000 }, async (attempt) => {
			times.push(Date.now() - started);
			return attempt === 0
				? { done: false, reason: '429', retryAfterMs: 300 }
				: { done: true, value: 'ok' };
		});
		expect(value).toBe('ok');
		expect(times[1]).toBeGreaterThanOrEqual(300);
		expect(times[1]).toBeLessThan(450);
	});

	it('gives up with the last answer when the wait would pass the deadline', async () => {
		const value = await retryUntilDone({ deadline: Date.now() + 100 }, async () => ({
			done: false,
			reason: '429',
			retryAfterMs: 10_000,
			giveUpWith: 'last response',
		}));
		expect(value).toBe('last response');
	});

	it('says why it gave up when there is no answer to return', async () => {
		await expect(
			retryUntilDone({ deadline: Date.now() + 5000, maxAttempts: 2, baseDelayMs: 1 }, async () => {
				throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
			}),
		).rejects.toThrow(
			new DeadlineExceededError(
				'The connection failed: the connection was reset; gave up after 2 attempts',
			),
		);
	});

	it('retries an answer cut mid-body once its error is stripped of the request', async () => {
		// What axios throws for a JSON answer whose connection dropped: no network code to go by.
		const cut = Object.assign(new Error('stream has been aborted'), { code: 'ERR_BAD_RESPONSE' });
		let attempts = 0;
		const value = await retryUntilDone(
			{ deadline: Date.now() + 5000, baseDelayMs: 1 },
			async () => {
				if (attempts++ === 0) throw ConnectionError.from(cut);
				return { done: true, value: 'whole answer' };
			},
		);
		expect(value).toBe('whole answer');
		expect(attempts).toBe(2);
	});

	it('says the timeout cut an attempt short, keeping what failed before it', async () => {
		let attempts = 0;
		await expect(
			retryUntilDone({ deadline: Date.now() + 300, baseDelayMs: 1 }, async () => {
				if (attempts++ === 0)
					throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
				await sleep(400);
				// What axios throws when the deadline's abort signal stops the request.
				throw Object.assign(new Error('canceled'), { name: 'CanceledError', code: 'ERR_CANCELED' });
			}),
		).rejects.toThrow(
			new DeadlineExceededError(
				'The connection failed: the connection was reset; the timeout passed during attempt 2: raise the Timeout (Minutes) option or try again later',
			),
		);
	});

	it('rethrows errors that are not transient at once', async () => {
		let attempts = 0;
		await expect(
			retryUntilDone({ deadline: Date.now() + 5000 }, async () => {
				attempts++;
				throw new Error('bad input');
			}),
		).rejects.toThrow('bad input');
		expect(attempts).toBe(1);
	});

	it('stops waiting the moment the execution is cancelled', async () => {
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		await expect(sleep(10_000, controller.signal)).rejects.toBeInstanceOf(ExecutionCancelledError);
		expect(Date.now() - started).toBeLessThan(1000);
	});
});

describe('deadlineSignal', () => {
	it('aborts at the deadline even when garbage is collected before it', async () => {
		setFlagsFromString('--expose-gc');
		const collectGarbage = runInNewContext('gc') as () => void;
		const execution = new AbortController();
		const signal = deadlineSignal({ deadline: Date.now() + 300, signal: execution.signal });
		for (let round = 0; round < 3; round++) {
			collectGarbage();
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(signal.aborted).toBe(true);
		expect(execution.signal.aborted).toBe(false);
	});

	it('aborts when the execution is cancelled before the deadline', () => {
		const execution = new AbortController();
		const signal = deadlineSignal({ deadline: Date.now() + 60_000, signal: execution.signal });
		execution.abort();
		expect(signal.aborted).toBe(true);
	});
});
