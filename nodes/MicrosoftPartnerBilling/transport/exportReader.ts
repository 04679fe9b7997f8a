import { NodeOperationError } from 'n8n-workflow';

import type { JsonLinesParts } from '../../shared/output/jsonLinesOutput';
import { readJsonLines, type JsonRecordConsumer } from '../../shared/readers/jsonLines';
import { BlobAccessError, openBlobStream } from '../../shared/transport/blobs';
import {
	OperationExpiredError,
	blobUrl,
	isFailed,
	isNoData,
	operationFailedError,
	readManifest,
	startExport,
	waitForOperation,
} from './index';
import type { ExportRequest, GraphClient, Manifest, Operation } from './index';

/** A finished export as Microsoft hands it out. */
export interface FinishedExport {
	operation: Operation;
	/** none when Microsoft has no data for the export (code 5000) */
	manifest?: Manifest;
	/** the manifest's blobs, read as parts of one JSON Lines source */
	blobs: JsonLinesParts;
}

export interface ExportReadOptions {
	timeoutMinutes: number;
	/** the request to start the export again with when it expired (410); none: the 410 is an error */
	restartWith?: () => ExportRequest;
}

/** How many fresh SAS tokens one blob read asks for before it gives up. */
const MAX_SAS_RENEWALS = 3;

/**
 * Waits for the export at `url` to finish and reads its manifest. The two ways an export is
 * renewed live here: an operation that expired (410) is started again from its request, and a
 * SAS that storage refuses (expired) is replaced by reading the operation again, for that blob
 * read alone: concurrent blob reads share nothing but the client.
 */
export async function readFinishedExport(
	client: GraphClient,
	url: string,
	options: ExportReadOptions,
): Promise<FinishedExport> {
	let operationUrl = url;
	const { operation, manifest } = await finishedExport(client, operationUrl, options).catch(
		async (error: unknown) => {
			if (!(error instanceof OperationExpiredError) || !options.restartWith) throw error;
			const request = options.restartWith();
			client.context.addExecutionHints({
				message: 'The export had expired (410), so it was started again',
				location: 'outputPane',
			});
			operationUrl = await startExport(client, request);
			return await finishedExport(client, operationUrl, options);
		},
	);
	if (!manifest) return { operation, blobs: { count: 0, read: async () => {} } };
	if (manifest.blobCount !== undefined && manifest.blobCount !== manifest.blobs.length) {
		throw new NodeOperationError(
			client.context.getNode(),
			`The export manifest announces ${manifest.blobCount} blobs but lists ${manifest.blobs.length}`,
			{
				itemIndex: client.itemIndex,
				description: 'The export is incomplete; start it again.',
			},
		);
	}
	return { operation, manifest, blobs: blobParts(client, operationUrl, manifest, options) };
}

async function finishedExport(
	client: GraphClient,
	url: string,
	{ timeoutMinutes }: ExportReadOptions,
): Promise<{ operation: Operation; manifest?: Manifest }> {
	const operation = await waitForOperation(client, url, timeoutMinutes);
	if (isNoData(operation)) return { operation };
	if (isFailed(operation)) throw operationFailedError(client, operation);
	return { operation, manifest: await readManifest(client, operation) };
}

/**
 * Each blob is read on its own, with the SAS of the manifest it started with. A SAS refused
 * re-reads the operation for a fresh one and reads the blob again from its start into a
 * fresh consumer; when copying, only while none of the blob's lines has been written yet.
 */
function blobParts(
	client: GraphClient,
	url: string,
	first: Manifest,
	options: ExportReadOptions,
): JsonLinesParts {
	return {
		count: first.blobs.length,
		read: async (index, makeConsumer, { signal = client.policy.signal, copyTo }) => {
			const reader: GraphClient = { ...client, policy: { ...client.policy, signal } };
			const { name } = first.blobs[index];
			let manifest = first;
			for (let renewals = 0; ; renewals++) {
				let copied = 0;
				const consumer = makeConsumer();
				try {
					const stream = await openBlobStream(blobUrl(manifest, name), name, {
						policy: reader.policy,
					});
					const counted = copyTo ? counting(consumer, () => copied++) : consumer;
					await readJsonLines(stream, counted, { gzip: true, sourceName: `blob ${name}`, copyTo });
					return;
				} catch (error) {
					if (!(error instanceof BlobAccessError && error.isRefusedSignature) || copied > 0)
						throw error;
					if (renewals === MAX_SAS_RENEWALS) throw refusedSasError(error, manifest);
					manifest = (await finishedExport(reader, url, options)).manifest ?? manifest;
				}
			}
		},
	};
}

/** The consumer, telling `count` of every record it takes. */
function counting(consumer: JsonRecordConsumer, count: () => void): JsonRecordConsumer {
	const counted: JsonRecordConsumer = {
		record: (item, lineNumber) => {
			count();
			consumer.record(item, lineNumber);
		},
	};
	const line = consumer.line?.bind(consumer);
	if (line)
		counted.line = (text, start, end, lineNumber, controlFree) =>
			line(text, start, end, lineNumber, controlFree) && (count(), true);
	return counted;
}

/**
 * Storage kept refusing the SAS of every fresh manifest. Says so, and when the SAS had
 * expired by its own `se` (signed expiry), says that: the usual cause, and one a user can
 * only wait out or report.
 */
function refusedSasError(error: BlobAccessError, manifest: Manifest): BlobAccessError {
	const signedExpiry = new URLSearchParams(manifest.sasToken.replace(/^\?/, '')).get('se');
	const expiredAt =
		signedExpiry !== null && Date.parse(signedExpiry) <= Date.now() ? signedExpiry : undefined;
	const why = expiredAt ? `: its SAS token had expired (at ${expiredAt})` : ' with its SAS token';
	return new BlobAccessError(
		`${error.message}${why}, and ${MAX_SAS_RENEWALS} fresh SAS tokens from Microsoft were refused too; start the export again later`,
		error.statusCode,
		error.code,
	);
}
