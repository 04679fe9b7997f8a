import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { Writable } from 'node:stream';

import type { JsonRecordConsumer } from '../readers/jsonLines';
import { forEachConcurrently } from '../transport/concurrency';
import { JsonAggregator, mergeAggregates } from './aggregate';
import { writeBinaryFile, type Output, type OutputFormat, type OutputSettings } from './modes';

/** JSON Lines in parts, such as the blobs of an export, that can be read several at once. */
export interface JsonLinesParts {
	count: number;
	/**
	 * Reads part `index` into the consumer `makeConsumer` gives. A part read again (say, with a
	 * fresh signature) starts from its first line into a fresh consumer, so nothing counts
	 * twice; with `copyTo`, only while none of its lines has been copied. `signal` stops the
	 * read when a part read beside it failed.
	 */
	read(
		index: number,
		makeConsumer: () => JsonRecordConsumer,
		options: { signal?: AbortSignal; copyTo?: Writable },
	): Promise<void>;
}

export interface JsonLinesOutputOptions {
	/** how many parts are read at once (Records and Aggregate; File writes them in order) */
	concurrency: number;
	/** the most records the Records mode makes into items */
	maxRecords: number;
	file: { fileName: string; mimeType: string };
	signal?: AbortSignal;
}

/** Reads every part into the output mode: records, totals merged over the parts, or one file. */
export async function readJsonLinesOutput(
	context: IExecuteFunctions,
	itemIndex: number,
	parts: JsonLinesParts,
	settings: OutputSettings,
	format: OutputFormat,
	{ concurrency, maxRecords, file, signal }: JsonLinesOutputOptions,
): Promise<Output> {
	const indexes = Array.from({ length: parts.count }, (_, index) => index);
	const eachPart = async (read: (index: number, signal: AbortSignal) => Promise<void>) =>
		await forEachConcurrently(
			indexes,
			concurrency,
			async (index, _position, partSignal) => await read(index, partSignal),
			signal,
		);

	if (settings.mode === 'aggregate') {
		const perPart = indexes.map(() => new JsonAggregator(settings));
		await eachPart(
			async (index, partSignal) =>
				await parts.read(index, () => (perPart[index] = new JsonAggregator(settings)), {
					signal: partSignal,
				}),
		);
		const { groups, sumFieldNames } = mergeAggregates(perPart);
		return {
			mode: 'aggregate',
			groups,
			sumFieldNames,
			rowCount: groups.reduce((sum, group) => sum + group.rowCount, 0),
		};
	}

	if (settings.mode === 'records') {
		const perPart: IDataObject[][] = indexes.map(() => []);
		let total = 0;
		const collectInto = (index: number): JsonRecordConsumer => {
			total -= perPart[index].length;
			perPart[index] = [];
			return {
				record: (item) => {
					if (++total > maxRecords) throw tooManyRecords(context, itemIndex, format, maxRecords);
					perPart[index].push(item);
				},
			};
		};
		await eachPart(
			async (index, partSignal) =>
				await parts.read(index, () => collectInto(index), { signal: partSignal }),
		);
		const records = perPart.flat();
		return { mode: 'records', records, rowCount: records.length };
	}

	// File: the parts one after another, in order, into one JSON Lines file.
	let rowCount = 0;
	const counter: JsonRecordConsumer = { record: () => void rowCount++ };
	const { binary } = await writeBinaryFile(context, file, async (copyTo) => {
		for (const index of indexes) await parts.read(index, () => counter, { signal, copyTo });
		copyTo.end();
	});
	return { mode: 'file', binary, rowCount };
}

function tooManyRecords(
	context: IExecuteFunctions,
	itemIndex: number,
	{ records, source }: OutputFormat,
	max: number,
): NodeOperationError {
	return new NodeOperationError(
		context.getNode(),
		`The ${source} has more than ${max} ${records.plural}, the Max ${records.name} option`,
		{
			itemIndex,
			description: `Use the Aggregate or File output for ${source}s this large, or raise Max ${records.name}.`,
		},
	);
}
