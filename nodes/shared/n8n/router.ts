import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IPairedItemData,
} from 'n8n-workflow';

export type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	run: NodeRun,
) => Promise<INodeExecutionData[]>;

/** What an operation may ask of the node's run as a whole, beyond its own item. */
export interface NodeRun {
	/**
	 * Runs `commit` once every item is done and the node is about to hand its output on; not
	 * at all when an item's error stops the node or the execution was cancelled. For state that
	 * says "this was delivered" (n8n's deduplication store): output that never leaves the
	 * node was not delivered, and a retry must produce it again.
	 */
	whenOutputComplete(commit: () => Promise<void>): void;
}

/**
 * Runs the chosen operation once per input item, pairing every output item with its input.
 * With "Continue on Fail" an item's error becomes an output item paired with it, and the
 * other items carry on. What operations asked to do once the output is complete runs last,
 * in item order.
 */
export async function executePerItem(
	context: IExecuteFunctions,
	operations: Record<string, Record<string, OperationExecute>>,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const resource = context.getNodeParameter('resource', 0) as string;
	const operation = context.getNodeParameter('operation', 0) as string;
	const execute = operations[resource]?.[operation];
	if (!execute) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	const returnData: INodeExecutionData[] = [];
	const commits: Array<() => Promise<void>> = [];
	const run: NodeRun = { whenOutputComplete: (commit) => void commits.push(commit) };
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await execute.call(context, itemIndex, run);
			for (const result of results) returnData.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (caught) {
			// n8n's errors are built to be shown as they are. Any other error (a file that is not
			// what it should be, a connection that failed) becomes one here, for every operation:
			// the message (not the error object) keeps n8n from swapping in a generic text for
			// connection errors, and what to do about it travels as the description.
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(context.getNode(), (caught as Error).message, {
							itemIndex,
							description: descriptionOf(caught),
						});
			if (!context.continueOnFail()) throw error;
			returnData.push(errorOutputItem(error, { item: itemIndex }));
		}
	}
	// A cancelled execution discards this output even when every item got through.
	if (context.getExecutionCancelSignal()?.aborted) return [returnData];
	for (const commit of commits) await commit();
	return [returnData];
}

/**
 * The item an error becomes under "Continue on Fail": `error` says what failed, `message` why
 * or what to do. n8n moves it to the error output when the node has one only if its json has
 * no other keys: n8n 1.x accepts exactly `{error}` or `{error, message}`, 2.x also `details`.
 */
export function errorOutputItem(
	error: NodeApiError | NodeOperationError,
	pairedItem: IPairedItemData | IPairedItemData[],
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.message = error.description;
	return { json, pairedItem };
}

/** What to do about an error of our own, when it says (a refused download link does). */
function descriptionOf(error: unknown): string | undefined {
	const { description } = (error ?? {}) as { description?: unknown };
	return typeof description === 'string' ? description : undefined;
}
