import { throwIfCancelled } from './retry';

/**
 * Runs `worker` over the items with at most `limit` at a time, in order of start. The first
 * failure stops new items from starting and is what the call rejects with.
 */
export async function forEachConcurrently<Item>(
	items: readonly Item[],
	limit: number,
	worker: (item: Item, index: number) => Promise<void>,
	signal?: AbortSignal,
): Promise<void> {
	let next = 0;
	let failed = false;
	const runner = async () => {
		while (!failed && next < items.length) {
			throwIfCancelled(signal);
			const index = next++;
			try {
				await worker(items[index], index);
			} catch (error) {
				failed = true;
				throw error;
			}
		}
	};
	const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner);
	await Promise.all(runners);
}
