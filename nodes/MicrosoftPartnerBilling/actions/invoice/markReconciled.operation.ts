import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';
import { readInvoiceId, reconciledKey } from './common';

const properties: INodeProperties[] = [
	{
		displayName: 'Invoice ID',
		name: 'invoiceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. G012345678',
		description:
			"The invoice this workflow has reconciled. Get Many's option Skip Invoices Marked as Reconciled leaves it out from now on, in every execution of this workflow.",
		hint: "Put this step last, after the emails, and take the ID from the invoice node by name (e.g. {{ $('Newest invoice').first().json.id }}): a run that fails before it leaves the invoice unmarked, so the next run reconciles it again",
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['invoice'], operation: ['markReconciled'] } },
	properties,
);

/**
 * Records the invoice in the workflow's memory (n8n's deduplication store, scope workflow: the
 * list reads it from another node, and a queue-mode worker reads the same database). Nothing
 * is sent to Microsoft. Recorded once the node's output is complete, so a run whose node failed
 * marks nothing.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: NodeRun,
): Promise<INodeExecutionData[]> {
	const invoiceId = readInvoiceId(this, new ParameterRules(this, itemIndex), itemIndex);
	const markedBefore = await hasSeen(this, reconciledKey(invoiceId), itemIndex, 'workflow');
	run.whenOutputComplete(
		async () => void (await rememberSeen(this, reconciledKey(invoiceId), itemIndex, 'workflow')),
	);
	return [{ json: { id: invoiceId, reconciled: true, markedBefore } }];
}
