import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import type { NodeRun } from '../../../shared/n8n/router';
import { readJsonLinesOutput } from '../../../shared/output/jsonLinesOutput';
import {
	outputModeProperties,
	outputRecords,
	readOutputSettings,
	type OutputFormat,
} from '../../../shared/output/modes';
import { createGraphClient, operationFailedError, operationUrl } from '../../transport';
import { readFinishedExport } from '../../transport/exportReader';
import {
	operationIdProperty,
	readOperationId,
	timeoutMinutesOption,
	validateExportRequest,
} from './common';
import { RESTART_NEEDS, readDownloadOptions, unchangedExport } from './downloadRules';

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
	sumFieldExamples:
		'Total, Subtotal, BillableQuantity (reconciliation) or BillingPreTaxTotal, Quantity (usage)',
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
		description:
			'How to read the blobs, what to do when there is no data or the export expired, and how long to wait',
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
	},
];

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: NodeRun,
): Promise<INodeExecutionData[]> {
	const operationId = readOperationId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex, LINE_ITEMS);
	const options = readDownloadOptions(
		new ParameterRules(this, itemIndex),
		this.getNodeParameter('options', itemIndex, {}) as IDataObject,
	);
	const item = this.getInputData()[itemIndex]?.json ?? {};
	const client = await createGraphClient(this, itemIndex, options.timeoutMinutes);
	const { operation, manifest, blobs } = await readFinishedExport(
		client,
		operationUrl(client, operationId),
		{
			timeoutMinutes: options.timeoutMinutes,
			restartWith: options.restartOnExpired
				? () => validateExportRequest(this, itemIndex, item, RESTART_NEEDS)
				: undefined,
		},
	);
	if (!manifest) {
		if (options.onNoData === 'error') throw operationFailedError(client, operation);
		this.addExecutionHints({
			message: 'Microsoft has no data for this export (code 5000): no items were output',
			location: 'outputPane',
		});
		return [];
	}

	const seen =
		options.skipUnchanged && manifest.eTag
			? await unchangedExport(this, itemIndex, item, manifest.eTag)
			: undefined;
	if (seen?.unchanged) {
		this.addExecutionHints({
			message: `The export is unchanged since this node downloaded it (manifest eTag ${manifest.eTag}): no items were output`,
			location: 'outputPane',
		});
		return [];
	}

	const output = await readJsonLinesOutput(this, itemIndex, blobs, settings, LINE_ITEMS, {
		concurrency: options.concurrency,
		maxRecords: options.maxItems,
		file: {
			fileName: `microsoft-${operation.id ?? 'export'}.jsonl`,
			mimeType: 'application/x-ndjson',
		},
		signal: client.policy.signal,
	});
	seen?.rememberWhenComplete(run);

	const manifestETag = manifest.eTag ?? null;
	if (output.mode !== 'file')
		return outputRecords(output).map((json) => ({ json: { ...json, manifestETag } }));
	const json = {
		operationId: operation.id ?? null,
		manifestId: manifest.id ?? null,
		manifestETag,
		blobCount: blobs.count,
		rowCount: output.rowCount,
	};
	return [{ json, binary: { [settings.binaryPropertyName]: output.binary } }];
}
