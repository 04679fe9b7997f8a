import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';
import { readJsonLinesOutput } from '../../../shared/output/jsonLinesOutput';
import { outputModeProperties, outputRecords, readOutputSettings, type OutputFormat } from '../../../shared/output/modes';
import { createGraphClient, operationFailedError, operationUrl } from '../../transport';
import { readFinishedExport } from '../../transport/exportReader';
import { operationIdProperty, readOperationId, timeoutMinutesOption, validateExportRequest } from './common';

const displayOptions = { show: { resource: ['export'], operation: ['download'] } };

const LINE_ITEMS: OutputFormat = {
	records: {
		value: 'lineItems',
		name: 'Line Items',
		description: 'One item per line item, attributes as Microsoft names them',
		singular: 'line item',
		plural: 'line items',
	},
	field: 'attribute',
	source: 'export',
	file: { description: 'All line items as one uncompressed JSON Lines file' },
	groupBy: 'CustomerId, SubscriptionId',
	sumFields: 'Total',
	sumFieldExamples: 'Total, Subtotal, BillableQuantity (reconciliation) or BillingPreTaxTotal, Quantity (usage)',
};

const properties: INodeProperties[] = [
	operationIdProperty(['download']),
	...outputModeProperties(LINE_ITEMS),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'How to read the blobs, what to do when there is no data or the export expired, and how long to wait',
		options: [
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
				description: 'Line Items output only: fail rather than make more items than this (use Aggregate or File for larger exports)',
			},
			{
				displayName: 'On No Data',
				name: 'onNoData',
				type: 'options',
				options: [
					{ name: 'Output Nothing', value: 'empty', description: 'Turn on Always Output Data to continue the workflow' },
					{ name: 'Error', value: 'error', description: 'Fail, so that the error output or an error workflow takes over' },
				],
				default: 'empty',
				description: 'What to do when Microsoft answers that the invoice or period has no data (code 5000)',
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
					"Whether to output nothing for an export this node has already downloaded completely: the same dataset and invoice or period with the same manifest eTag. n8n remembers them in its database (the store of the Remove Duplicates node, per workflow and node), on queue-mode workers too, and manual test runs count. A failed or stopped download is not remembered. To download a remembered export again, run once with this option off; a copy of the node starts with an empty memory.",
			},
			timeoutMinutesOption,
		],
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

function readOptions(rules: ParameterRules, given: IDataObject) {
	return {
		concurrency: rules.number(given.concurrency, 'Concurrency', { min: 1, max: 16, whole: true, fallback: 2 }),
		maxItems: rules.number(given.maxItems, 'Max Line Items', { min: 1, whole: true, fallback: 100_000 }),
		onNoData: rules.oneOf(given.onNoData ?? 'empty', 'On No Data', [
			['empty', 'Output Nothing'],
			['error', 'Error'],
		]),
		restartOnExpired: rules.flag(given.restartOnExpired, 'Restart Expired Exports', true),
		skipUnchanged: rules.flag(given.skipUnchanged, 'Skip Unchanged Exports', false),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number, run: NodeRun): Promise<INodeExecutionData[]> {
	const operationId = readOperationId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex, LINE_ITEMS);
	const options = readOptions(new ParameterRules(this, itemIndex), this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	const item = this.getInputData()[itemIndex]?.json ?? {};
	const client = await createGraphClient(this, itemIndex, options.timeoutMinutes);
	const { operation, manifest, blobs } = await readFinishedExport(client, operationUrl(client, operationId), {
		timeoutMinutes: options.timeoutMinutes,
		restartWith: options.restartOnExpired ? () => validateExportRequest(this, itemIndex, item, RESTART_NEEDS) : undefined,
	});
	if (!manifest) {
		if (options.onNoData === 'error') throw operationFailedError(client, operation);
		this.addExecutionHints({ message: 'Microsoft has no data for this export (code 5000): no items were output', location: 'outputPane' });
		return [];
	}

	// Skip Unchanged Exports: n8n's deduplication store is only read, and written, when the option asks for it.
	const seenKey = options.skipUnchanged && manifest.eTag ? downloadKey(item, manifest.eTag) : undefined;
	if (seenKey && (await hasSeen(this, seenKey, itemIndex))) {
		this.addExecutionHints({
			message: `The export is unchanged since this node downloaded it (manifest eTag ${manifest.eTag}): no items were output`,
			location: 'outputPane',
		});
		return [];
	}

	const output = await readJsonLinesOutput(this, itemIndex, blobs, settings, LINE_ITEMS, {
		concurrency: options.concurrency,
		maxRecords: options.maxItems,
		file: { fileName: `microsoft-${operation.id ?? 'export'}.jsonl`, mimeType: 'application/x-ndjson' },
		signal: client.policy.signal,
	});
	// Remembered only once the node's whole output is ready: a download that fails, here or
	// in a later item, or a stopped execution, leaves the export to be downloaded again.
	if (seenKey) run.whenOutputComplete(async () => void (await rememberSeen(this, seenKey, itemIndex)));

	const manifestETag = manifest.eTag ?? null;
	if (output.mode !== 'file') return outputRecords(output).map((json) => ({ json: { ...json, manifestETag } }));
	const json = { operationId: operation.id ?? null, manifestId: manifest.id ?? null, manifestETag, blobCount: blobs.count, rowCount: output.rowCount };
	return [{ json, binary: { [settings.binaryPropertyName]: output.binary } }];
}

const RESTART_NEEDS =
	'The export expired (410). To start it again, the input item must carry dataset and its request fields, as the Start operation outputs them.';

/**
 * What "unchanged" means: the export the input item asks for (the request fields Start
 * outputs, so eTags of different exports never mix) and the manifest eTag Microsoft gives
 * its content. The operation ID is left out on purpose: every Start makes a new one.
 */
function downloadKey(item: IDataObject, manifestETag: string): string {
	const part = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : '');
	return JSON.stringify([part('dataset'), part('invoiceId'), part('billingPeriod'), part('currencyCode'), part('attributeSet'), manifestETag]);
}
