import { NodeOperationError, type ICheckProcessedOptions, type IExecuteFunctions } from 'n8n-workflow';

/**
 * What a node has already delivered, remembered across executions in n8n's deduplication
 * store: the store behind the Remove Duplicates node, which n8n keeps in its database
 * (`processed_data`) and which a queue-mode worker reads like the main process does. Workflow
 * static data cannot do this: a worker runs each new trigger execution without it.
 *
 * Scope `node`: n8n keys it by workflow ID and node ID, so renaming the node keeps its memory,
 * and nothing else writes to it. The `workflow` scope is one list shared with every Remove
 * Duplicates node of the workflow that uses that scope: their history size would trim our
 * entries, their "Clear Deduplication History" would erase them, and a list they keep in
 * another mode makes n8n refuse ours.
 *
 * Entries are kept in insertion order; past `maxEntries` the oldest go (n8n trims the list).
 */
const STORE: ICheckProcessedOptions = { mode: 'entries', maxEntries: 1000 };

/**
 * Whether `key` is remembered, without remembering it. n8n's store can only answer by
 * recording a new key, so a new key is taken back at once: a key counts as seen only after
 * `rememberSeen`, which a node calls once its output is complete.
 */
export async function hasSeen(context: IExecuteFunctions, key: string, itemIndex: number): Promise<boolean> {
	const { processed } = await storeCall(context, itemIndex, async () => await context.helpers.checkProcessedAndRecord([key], 'node', STORE));
	if (processed.length > 0) return true;
	await storeCall(context, itemIndex, async () => await context.helpers.removeProcessed([key], 'node', STORE));
	return false;
}

export async function rememberSeen(context: IExecuteFunctions, key: string, itemIndex: number): Promise<void> {
	await storeCall(context, itemIndex, async () => await context.helpers.checkProcessedAndRecord([key], 'node', STORE));
}

async function storeCall<T>(context: IExecuteFunctions, itemIndex: number, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `n8n's deduplication store failed: ${(error as Error).message}`, {
			itemIndex,
			description: "The node remembers what it has downloaded in n8n's database; check that n8n can write to it.",
		});
	}
}
