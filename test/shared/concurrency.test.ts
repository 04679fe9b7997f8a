import { forEachConcurrently } from '../../nodes/shared/transport/concurrency';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bounded concurrency', () => {
	it('never runs more than the limit at once and runs every item', async () => {
		let running = 0;
		let peak = 0;
		const done: number[] = [];
		await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
			running++;
			peak = Math.max(peak, running);
			await tick(5 + (item % 3));
			running--;
			done.push(item);
		});
		expect(peak).toBe(3);
		expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
	});

	it('starts no new item after a failure and rejects with it', async () => {
		const started: number[] = [];
		await expect(
			forEachConcurrently([1, 2, 3, 4, 5], 2, async (item) => {
				started.push(item);
				await tick(5);
				if (item === 1) throw new Error('blob 1 failed');
			}),
		).rejects.toThrow('blob 1 failed');
		expect(started).toEqual([1, 2]);
	});

	it('stops the items in flight after a failure and settles only once they have', async () => {
		const stopped: number[] = [];
		const failed = forEachConcurrently([1, 2, 3], 3, async (item, _index, signal) => {
			if (item === 1) {
				await tick(5);
				throw new Error('blob 1 failed');
			}
			await new Promise<void>((resolve) =>
				signal.addEventListener('abort', () => resolve(), { once: true }),
			);
			await tick(20);
			stopped.push(item);
		});
		await expect(failed).rejects.toThrow('blob 1 failed');
		expect(stopped.sort()).toEqual([2, 3]);
	});

	it('stops starting items once the execution is cancelled', async () => {
		const controller = new AbortController();
		const started: number[] = [];
		await expect(
			forEachConcurrently(
				[1, 2, 3],
				1,
				async (item) => {
					started.push(item);
					controller.abort();
				},
				controller.signal,
			),
		).rejects.toThrow('The execution was cancelled');
		expect(started).toEqual([1]);
	});
});
