import {
	NodeOperationError,
	type DeduplicationScope,
	type ICheckProcessedOptions,
	type IExecuteFunctions,
} from 'n8n-workflow';

/**
 * What a node has already delivered, remembered across executions in n8n's deduplication
 * store: the store behind the Remove Duplicates node, which n8n keeps in its database
 * (`processed_data`) and which a queue-mode worker reads like the main process does. Workflow
 * static data cannot do this: a worker runs each new trigger execution without it.
 *
 * Scope `node` (the default): n8n keys it by workflow ID and node ID, so renaming the node keeps
 * its memory, and nothing else writes to it. The `workflow` scope is for what one node records
 * and another reads (an invoice marked reconciled at the end of a workflow, skipped by the
 * invoice list at its start): it is one list shared with every Remove Duplicates node of the
 * workflow that uses that scope, so their "Clear Deduplication History" erases it too, and a
 * list they keep in another mode makes n8n refuse ours. Keys carry a prefix of their own.
 *
 * Entries are kept in insertion order; past `maxEntries` the oldest go (n8n trims the list).
 */
const STORE: ICheckProcessedOptions = { mode: 'entries', maxEntries: 1000 };

/**
 * Whether `key` is remembered, without remembering it. n8n's store can only answer by
 * recording a new key, so a new key is taken back at once: a key counts as seen only after
 * `rememberSeen`, which a node calls once its output is complete.
 */
export async function hasSeen(
	context: IExecuteFunctions,
	key: string,
	itemIndex: number,
	scope: DeduplicationScope = 'node',
): Promise<boolean> {
	return (await seenAmong(context, [key], itemIndex, scope)).has(key);
}

/** Which of `keys` are remembered, in two calls to the store whatever their number. */
export async function seenAmong(
	context: IExecuteFunctions,
	keys: string[],
	itemIndex: number,
	scope: DeduplicationScope = 'node',
): Promise<Set<string>> {
	if (keys.length === 0) return new Set();
	const answer = await storeCall(
		context,
		itemIndex,
		async () => await context.helpers.checkProcessedAndRecord(keys, scope, STORE),
	);
	if (answer.new.length > 0)
		await storeCall(
			context,
			itemIndex,
			async () => await context.helpers.removeProcessed(answer.new, scope, STORE),
		);
	return new Set(answer.processed.map(String));
}

/** Remembers `key`; whether it was remembered already. */
export async function rememberSeen(
	context: IExecuteFunctions,
	key: string,
	itemIndex: number,
	scope: DeduplicationScope = 'node',
): Promise<boolean> {
	const { processed } = await storeCall(
		context,
		itemIndex,
		async () => await context.helpers.checkProcessedAndRecord([key], scope, STORE),
	);
	return processed.length > 0;
}

async function storeCall<T>(
	context: IExecuteFunctions,
	itemIndex: number,
	call: () => Promise<T>,
): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw new NodeOperationError(
			context.getNode(),
			`n8n's deduplication store failed: ${(error as Error).message}`,
			{
				itemIndex,
				description:
					"The node remembers what it has downloaded in n8n's database; check that n8n can write to it.",
			},
		);
	}
}
