/**
 * The harness's stand-in for n8n's database behind the deduplication helpers
 * (`this.helpers.checkProcessedAndRecord` and friends, the store of the Remove Duplicates
 * node). In n8n, the cli's `DeduplicationHelper` keeps one `processed_data` row per workflow
 * and context, which the main process and every queue-mode worker read and write. Here the
 * rows live in memory, one table per test process: every run, every fresh `WorkflowExecute`
 * and every module registry (`loadPackage(…, { isolateModules: true })`, another "worker")
 * sees the same rows, and nothing else carries them — not workflow static data.
 *
 * It follows the `DeduplicationHelper` of n8n 1.123 and 2.40 for mode `entries`: context
 * `n:<node id>` for scope `node` and `''` for `workflow`; a workflow ID is required; entries
 * stay in insertion order and only the newest `maxEntries` are kept; a row written in another
 * mode is refused. Values are compared by their text, as n8n's hashes of `value.toString()`
 * are. The `latest…` modes are not implemented: nothing here uses them.
 */
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

interface Row {
	mode: ICheckProcessedOptions['mode'];
	entries: string[];
}

type Table = Map<string, Row>;

// On globalThis so that a second copy of this module (a fresh module registry) shares it.
const TABLE = Symbol.for('n8n-nodes-billing-reconciliation.harness.processedData');

function table(): Table {
	const global = globalThis as { [TABLE]?: Table };
	return (global[TABLE] ??= new Map());
}

function rowKey(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
	const workflowId = contextData.workflow.id;
	if (!workflowId)
		throw new UserError('The deduplication store needs a workflow ID (n8n asserts one)');
	if (scope === 'workflow') return JSON.stringify([workflowId, '']);
	if (!contextData.node)
		throw new UserError("No node information has been provided and so cannot use scope 'node'");
	return JSON.stringify([workflowId, `n:${contextData.node.id}`]);
}

function onlyEntries(options: ICheckProcessedOptions): void {
	if (options.mode !== 'entries') {
		throw new UserError(
			`The harness's deduplication store implements mode "entries" only, not "${options.mode}"`,
		);
	}
}

export class HarnessProcessedData implements IDataDeduplicator {
	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		onlyEntries(options);
		const key = rowKey(scope, contextData);
		const row = table().get(key) ?? { mode: options.mode, entries: [] };
		if (row.mode !== options.mode) {
			throw new UserError(
				'Deduplication data was originally saved with an incompatible setting of the ‘Keep Items Where’ parameter',
			);
		}
		const output: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			if (row.entries.includes(String(item))) {
				output.processed.push(item);
			} else {
				output.new.push(item);
				row.entries.push(String(item));
			}
		}
		if (options.maxEntries) row.entries.splice(0, row.entries.length - options.maxEntries);
		table().set(key, row);
		return output;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<void> {
		onlyEntries(options);
		const row = table().get(rowKey(scope, contextData));
		if (!row) return;
		for (const item of items) {
			const index = row.entries.indexOf(String(item));
			if (index !== -1) row.entries.splice(index, 1);
		}
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		table().delete(rowKey(scope, contextData));
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<number> {
		const row = table().get(rowKey(scope, contextData));
		return options.mode === 'entries' && row?.mode === 'entries' ? row.entries.length : 0;
	}
}
