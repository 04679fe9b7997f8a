import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection } from '../../../shared/n8n/properties';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';
import { timeoutMinutesOption } from './common';

/** Download's Options: reading the blobs, no data, an expired export, waiting. */
export const downloadOptions: INodeProperties = optionsCollection(
	'How to read the blobs, what to do when there is no data or the export expired, and how long to wait',
	[
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 2,
			description:
				'How many blobs to download at once. Two keep one core reading while the other inflates; more add memory, not speed, since lines are read on one thread.',
		},
		{
			displayName: 'Max Line Items',
			name: 'maxItems',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 100000,
			description:
				'Line Items output only: fail rather than make more items than this (use Aggregate or File for larger exports)',
		},
		{
			displayName: 'On No Data',
			name: 'onNoData',
			type: 'options',
			options: [
				{
					name: 'Output Nothing',
					value: 'empty',
					description: 'Turn on Always Output Data to continue the workflow',
				},
				{
					name: 'Error',
					value: 'error',
					description: 'Fail, so that the error output or an error workflow takes over',
				},
			],
			default: 'empty',
			description:
				'What to do when Microsoft answers that the invoice or period has no data (code 5000)',
		},
		{
			displayName: 'Restart Expired Exports',
			name: 'restartOnExpired',
			type: 'boolean',
			default: true,
			description:
				'Whether to start the same export again when Microsoft says the operation expired (410), using dataset and request fields of the input item',
		},
		{
			displayName: 'Skip Unchanged Exports',
			name: 'skipUnchanged',
			type: 'boolean',
			default: false,
			description:
				'Whether to output nothing for an export this node has already downloaded completely: the same dataset and invoice or period with the same manifest eTag. n8n remembers them in its database (the store of the Remove Duplicates node, per workflow and node), on queue-mode workers too, and manual test runs count. A failed or stopped download is not remembered. To download a remembered export again, run once with this option off; a copy of the node starts with an empty memory.',
		},
		timeoutMinutesOption,
	],
);

/** The Download operation's Options, checked before any request. */
export function readDownloadOptions(rules: ParameterRules) {
	const given = rules.collection('options');
	return {
		concurrency: rules.number(given.concurrency, 'Concurrency', {
			min: 1,
			max: 16,
			whole: true,
			fallback: 2,
		}),
		maxItems: rules.number(given.maxItems, 'Max Line Items', {
			min: 1,
			whole: true,
			fallback: 100_000,
		}),
		onNoData: rules.oneOf(given.onNoData ?? 'empty', 'On No Data', [
			['empty', 'Output Nothing'],
			['error', 'Error'],
		]),
		restartOnExpired: rules.flag(given.restartOnExpired, 'Restart Expired Exports', true),
		skipUnchanged: rules.flag(given.skipUnchanged, 'Skip Unchanged Exports', false),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
	};
}

/** Why an expired export cannot be started again from the input item. */
export const RESTART_NEEDS =
	'The export expired (410). To start it again, the input item must carry dataset and its request fields, as the Start operation outputs them.';

/**
 * Skip Unchanged Exports, through n8n's deduplication store (only read, and written, when the
 * option asks for it): whether this node already downloaded the export completely, and
 * otherwise a way to remember it once the node's whole output is ready, so that a download
 * that fails, here or in a later item, or a stopped execution, leaves it to be downloaded again.
 */
export async function unchangedExport(
	context: IExecuteFunctions,
	itemIndex: number,
	item: IDataObject,
	manifestETag: string,
): Promise<{ unchanged: boolean; rememberWhenComplete: (run: NodeRun) => void }> {
	const key = downloadKey(item, manifestETag);
	return {
		unchanged: await hasSeen(context, key, itemIndex),
		rememberWhenComplete: (run) =>
			run.whenOutputComplete(async () => void (await rememberSeen(context, key, itemIndex))),
	};
}

/**
 * What "unchanged" means: the export the input item asks for (the request fields Start
 * outputs, so eTags of different exports never mix) and the manifest eTag Microsoft gives
 * its content. The operation ID is left out on purpose: every Start makes a new one.
 */
function downloadKey(item: IDataObject, manifestETag: string): string {
	const part = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : '');
	return JSON.stringify([
		part('dataset'),
		part('invoiceId'),
		part('billingPeriod'),
		part('currencyCode'),
		part('attributeSet'),
		manifestETag,
	]);
}
