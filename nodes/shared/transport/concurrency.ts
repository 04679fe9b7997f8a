import { throwIfCancelled } from './retry';

/**
 * Runs `worker` over the items with at most `limit` at a time, in order of start. The first
 * failure stops new items from starting and aborts the signal the workers were given, so the
 * items in flight stop their requests; the call settles only once they have, and rejects
 * with that first failure. Nothing of the run is left working after it returned.
 */
export async function forEachConcurrently<Item>(
	items: readonly Item[],
	limit: number,
	worker: (item: Item, index: number, signal: AbortSignal) => Promise<void>,
	signal?: AbortSignal,
): Promise<void> {
	const stop = new AbortController();
	const workerSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
	let next = 0;
	let failure: { error: unknown } | undefined;
	const runner = async () => {
		while (!failure && next < items.length) {
			const index = next++;
			try {
				throwIfCancelled(signal);
				await worker(items[index], index, workerSignal);
			} catch (error) {
				failure ??= { error };
				stop.abort();
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
	if (failure) throw failure.error;
}
