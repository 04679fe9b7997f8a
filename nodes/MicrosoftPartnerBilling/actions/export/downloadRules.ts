import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';

/** The Download operation's Options, checked before any request. */
export function readDownloadOptions(rules: ParameterRules, given: IDataObject) {
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
