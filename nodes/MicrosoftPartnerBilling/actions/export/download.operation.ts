import {
	updateDisplayOptions,
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
import { operationIdProperty, readOperationId } from './common';
import {
	RESTART_NEEDS,
	downloadOptions,
	readDownloadOptions,
	unchangedExport,
} from './downloadRules';
import { validateExportRequest } from './exportRequest';

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
	downloadOptions,
];

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	run: NodeRun,
): Promise<INodeExecutionData[]> {
	const operationId = readOperationId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex, LINE_ITEMS);
	const options = readDownloadOptions(new ParameterRules(this, itemIndex));
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
