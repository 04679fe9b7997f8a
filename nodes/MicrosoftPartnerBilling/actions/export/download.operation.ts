import {
	NodeOperationError,
	updateDisplayOptions,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';
import { ParameterRules, TIMEOUT_MINUTES } from '../../../shared/n8n/parameters';
import { PassThrough } from 'node:stream';

import { BlobAccessError, openBlobStream } from '../../../shared/transport/blobs';
import { forEachConcurrently } from '../../../shared/transport/concurrency';
import { readJsonLines, type JsonRecordConsumer } from '../../../shared/readers/jsonLines';
import { parseFieldList } from '../../../shared/output/csvOutput';
import type { NodeRun } from '../../../shared/n8n/router';
import { hasSeen, rememberSeen } from '../../../shared/n8n/seenStore';
import { AggregateSink, groupToJson, mergeAggregates } from '../../../shared/output/sinks';
import {
	OperationExpiredError,
	blobUrl,
	createGraphClient,
	isNoData,
	isFailed,
	operationFailedError,
	operationUrl,
	readManifest,
	startExport,
	waitForOperation,
	type GraphClient,
	type Manifest,
} from '../../transport';
import {
	exportBody,
	operationIdProperty,
	readOperationId,
	timeoutMinutesOption,
	validateExportRequest,
	type ExportRequest,
} from './common';

const displayOptions = { show: { resource: ['export'], operation: ['download'] } };

const properties: INodeProperties[] = [
	operationIdProperty(['download']),
	{
		displayName: 'Output',
		name: 'outputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Line Items', value: 'lineItems', description: 'One item per line item, attributes as Microsoft names them' },
			{ name: 'Aggregate', value: 'aggregate', description: 'One item per group with exact sums: the way to reconcile large exports' },
			{ name: 'File', value: 'file', description: 'All line items as one uncompressed JSON Lines file' },
		],
		default: 'aggregate',
		hint: 'Aggregate and File keep memory flat however large the export is',
	},
	{
		displayName: 'Group By',
		name: 'groupBy',
		type: 'string',
		default: 'CustomerId, SubscriptionId',
		required: true,
		description: 'Comma-separated attribute names to group line items by. Case does not matter.',
		displayOptions: { show: { ...displayOptions.show, outputMode: ['aggregate'] } },
	},
	{
		displayName: 'Sum Fields',
		name: 'sumFields',
		type: 'string',
		default: 'Total',
		required: true,
		description:
			'Comma-separated numeric attributes to sum per group, e.g. Total, Subtotal, BillableQuantity (reconciliation) or BillingPreTaxTotal, Quantity (usage). Sums are exact decimals.',
		displayOptions: { show: { ...displayOptions.show, outputMode: ['aggregate'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The name of the binary field of the output item that holds the JSON Lines file',
		displayOptions: { show: { ...displayOptions.show, outputMode: ['file'] } },
	},
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

interface DownloadOptions {
	concurrency: number;
	maxItems: number;
	onNoData: 'empty' | 'error';
	restartOnExpired: boolean;
	skipUnchanged: boolean;
	timeoutMinutes: number;
}

function readOptions(rules: ParameterRules, given: IDataObject): DownloadOptions {
	return {
		concurrency: rules.number(given.concurrency, 'Concurrency', { min: 1, max: 16, whole: true, fallback: 2 }),
		maxItems: rules.number(given.maxItems, 'Max Line Items', { min: 1, whole: true, fallback: 100_000 }),
		onNoData: rules.oneOf(given.onNoData ?? 'empty', 'On No Data', [
			['empty', 'Output Nothing'],
			['error', 'Error'],
		]),
		restartOnExpired: rules.flag(given.restartOnExpired, 'Restart Expired Exports', true),
		skipUnchanged: rules.flag(given.skipUnchanged, 'Skip Unchanged Exports', false),
		timeoutMinutes: rules.number(given.timeoutMinutes, 'Timeout (Minutes)', { ...TIMEOUT_MINUTES, fallback: 60 }),
	};
}

const MAX_SAS_REFRESHES = 3;

export async function execute(this: IExecuteFunctions, itemIndex: number, run: NodeRun): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const operationId = readOperationId(this, itemIndex);
	const mode = rules.oneOf(this.getNodeParameter('outputMode', itemIndex), 'Output', [
		['lineItems', 'Line Items'],
		['aggregate', 'Aggregate'],
		['file', 'File'],
	]);
	const groupBy = mode === 'aggregate' ? parseFieldList(this.getNodeParameter('groupBy', itemIndex)) : [];
	const sumFields = mode === 'aggregate' ? parseFieldList(this.getNodeParameter('sumFields', itemIndex)) : [];
	if (mode === 'aggregate' && groupBy.length === 0) throw rules.refuse('Group By', 'needs at least one attribute name');
	if (mode === 'aggregate' && sumFields.length === 0) throw rules.refuse('Sum Fields', 'needs at least one attribute name');
	const binaryPropertyName = mode === 'file' ? rules.text(this.getNodeParameter('binaryPropertyName', itemIndex), 'Put Output File in Field').trim() : '';
	if (mode === 'file' && !binaryPropertyName) throw rules.refuse('Put Output File in Field', 'must not be empty');
	const options = readOptions(rules, this.getNodeParameter('options', itemIndex, {}) as IDataObject);
	const client = await createGraphClient(this, itemIndex, options.timeoutMinutes);
	let url = operationUrl(client, operationId);

	let { operation, manifest } = await finishedExport(client, url, options).catch(async (error: unknown) => {
		if (!(error instanceof OperationExpiredError) || !options.restartOnExpired) throw error;
		url = await restartExport(client, this.getInputData()[itemIndex].json);
		return await finishedExport(client, url, options);
	});
	if (!manifest) {
		if (options.onNoData === 'error') throw operationFailedError(client, operation);
		this.addExecutionHints({ message: 'Microsoft has no data for this export (code 5000): no items were output', location: 'outputPane' });
		return [];
	}
	checkBlobCount(client, manifest);
	// n8n's deduplication store is only read, and written, when the option asks for it.
	const seenKey = options.skipUnchanged && manifest.eTag ? downloadKey(this.getInputData()[itemIndex]?.json ?? {}, manifest.eTag) : undefined;
	if (seenKey && (await hasSeen(this, seenKey, itemIndex))) {
		this.addExecutionHints({
			message: `The export is unchanged since this node downloaded it (manifest eTag ${manifest.eTag}): no items were output`,
			location: 'outputPane',
		});
		return [];
	}
	// Remembered only once the node's whole output is ready: a download that fails, here or
	// in a later item, or a stopped execution, leaves the export to be downloaded again.
	const remember = () => {
		if (seenKey) run.whenOutputComplete(async () => await rememberSeen(this, seenKey, itemIndex));
	};

	// Each blob is read on its own. A SAS refused (expired) re-reads the operation for a fresh
	// one and reads that blob again from its start into a fresh consumer, so nothing counts
	// twice; in File mode only while none of the blob's lines has been written yet. `signal`
	// stops a blob read in parallel with one that failed.
	let sasRefreshes = 0;
	const readBlob = async (
		name: string,
		makeConsumer: () => JsonRecordConsumer,
		{ copyTo, signal = client.policy.signal }: { copyTo?: PassThrough; signal?: AbortSignal } = {},
	) => {
		const reader: GraphClient = { ...client, policy: { ...client.policy, signal } };
		for (;;) {
			let records = 0;
			const consumer = makeConsumer();
			const counting: JsonRecordConsumer = {
				record: (item, lineNumber) => {
					records++;
					consumer.record(item, lineNumber);
				},
			};
			if (consumer.line) {
				const readLine = consumer.line.bind(consumer);
				counting.line = (text, start, end, lineNumber, controlFree) => readLine(text, start, end, lineNumber, controlFree) && ++records > 0;
			}
			try {
				const stream = await openBlobStream(blobUrl(manifest!, name), name, { policy: reader.policy });
				return await readJsonLines(stream, counting, { gzip: true, sourceName: `blob ${name}`, copyTo });
			} catch (error) {
				const refused = error instanceof BlobAccessError && error.isRefusedSignature;
				if (!refused || (copyTo && records > 0)) throw error;
				if (++sasRefreshes > MAX_SAS_REFRESHES) throw refusedSasError(error, manifest!);
				({ manifest } = await finishedExport(reader, url, options));
			}
		}
	};
	const blobs = manifest.blobs;
	const eTag = manifest.eTag ?? null;
	const concurrency = options.concurrency;

	if (mode === 'aggregate') {
		const spec = { groupBy, sumFields, groupByParameter: 'Group By', sumFieldsParameter: 'Sum Fields' };
		const perBlob: AggregateSink[] = blobs.map(() => new AggregateSink(spec));
		await forEachConcurrently(
			blobs,
			concurrency,
			async (blob, index, signal) => {
				await readBlob(blob.name, () => (perBlob[index] = new AggregateSink(spec)), { signal });
			},
			client.policy.signal,
		);
		const merged = mergeAggregates(perBlob);
		remember();
		return merged.groups.map((group) => ({ json: { ...groupToJson(group, merged.sumFieldNames), manifestETag: eTag } }));
	}

	if (mode === 'lineItems') {
		const maxItems = options.maxItems;
		let total = 0;
		const perBlob: IDataObject[][] = blobs.map(() => []);
		const collectInto = (index: number): JsonRecordConsumer => {
			total -= perBlob[index].length;
			perBlob[index] = [];
			return {
				record: (item) => {
					if (++total > maxItems) {
						throw new NodeOperationError(this.getNode(), `The export has more than ${maxItems} line items, the Max Line Items option`, {
							itemIndex,
							description: 'Use the Aggregate or File output for exports this large, or raise Max Line Items.',
						});
					}
					perBlob[index].push(item);
				},
			};
		};
		await forEachConcurrently(
			blobs,
			concurrency,
			async (blob, index, signal) => {
				await readBlob(blob.name, () => collectInto(index), { signal });
			},
			client.policy.signal,
		);
		remember();
		return perBlob.flat().map((item) => ({ json: { ...item, manifestETag: eTag } }));
	}

	// File: blobs one after another in manifest order, gunzipped, into one JSON Lines binary
	// that goes to n8n's binary data service as it is written.
	const file = new PassThrough();
	// n8n starts reading the file only once it has made its folder: a blob that fails before
	// then destroys the file with an error nobody listens to yet, which would crash the
	// process. The error reaches the node through `writing`.
	file.on('error', () => {});
	let lineCount = 0;
	const counter: JsonRecordConsumer = { record: () => void lineCount++ };
	const writing = (async () => {
		for (const blob of blobs) await readBlob(blob.name, () => counter, { copyTo: file });
		file.end();
	})().catch((error: unknown) => {
		file.destroy(error as Error);
		throw error;
	});
	const [binary] = (await Promise.all([
		this.helpers.prepareBinaryData(file, `microsoft-${operation.id ?? 'export'}.jsonl`, 'application/x-ndjson'),
		writing,
	])) as [IBinaryData, void];
	remember();
	return [
		{
			json: { operationId: operation.id ?? null, manifestId: manifest.id ?? null, manifestETag: eTag, blobCount: blobs.length, rowCount: lineCount },
			binary: { [binaryPropertyName]: binary },
		},
	];
}

async function finishedExport(client: GraphClient, url: string, options: DownloadOptions) {
	const operation = await waitForOperation(client, url, options.timeoutMinutes);
	if (isNoData(operation)) return { operation, manifest: undefined };
	if (isFailed(operation)) throw operationFailedError(client, operation);
	return { operation, manifest: await readManifest(client, operation) };
}

async function restartExport(client: GraphClient, item: IDataObject): Promise<string> {
	const request: ExportRequest = validateExportRequest(
		client.context,
		client.itemIndex,
		item as Partial<ExportRequest>,
		'The export expired (410). To start it again, the input item must carry dataset and its request fields, as the Start operation outputs them.',
	);
	client.context.addExecutionHints({ message: 'The export had expired (410), so it was started again', location: 'outputPane' });
	return await startExport(client, request.dataset, exportBody(request));
}

/**
 * Storage kept refusing the SAS of every fresh manifest. Says so, and when the SAS had
 * expired by its own `se` (signed expiry), says that: the usual cause, and one a user can
 * only wait out or report.
 */
function refusedSasError(error: BlobAccessError, manifest: Manifest): BlobAccessError {
	const signedExpiry = new URLSearchParams(manifest.sasToken.replace(/^\?/, '')).get('se');
	const expiredAt = signedExpiry !== null && Date.parse(signedExpiry) <= Date.now() ? signedExpiry : undefined;
	const why = expiredAt ? `: its SAS token had expired (at ${expiredAt})` : ' with its SAS token';
	return new BlobAccessError(
		`${error.message}${why}, and ${MAX_SAS_REFRESHES} fresh SAS tokens from Microsoft were refused too; start the export again later`,
		error.statusCode,
		error.code,
	);
}

function checkBlobCount(client: GraphClient, manifest: Manifest): void {
	if (manifest.blobCount !== undefined && manifest.blobCount !== manifest.blobs.length) {
		throw new NodeOperationError(
			client.context.getNode(),
			`The export manifest announces ${manifest.blobCount} blobs but lists ${manifest.blobs.length}`,
			{ itemIndex: client.itemIndex, description: 'The export is incomplete; start it again.' },
		);
	}
}

/**
 * What "unchanged" means: the export the input item asks for (the request fields Start
 * outputs, so eTags of different exports never mix) and the manifest eTag Microsoft gives
 * its content. The operation ID is left out on purpose: every Start makes a new one.
 */
function downloadKey(item: IDataObject, manifestETag: string): string {
	const part = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : '');
	return JSON.stringify([part('dataset'), part('invoiceId'), part('billingPeriod'), part('currencyCode'), part('attributeSet'), manifestETag]);
}
