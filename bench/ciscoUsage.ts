// The Cisco usage ZIP of the benchmarks (`npm run bench -- cisco` and `-- n8n`): a usage ZIP
// with the sandbox's Consolidated Usage columns and values, its inflated CSV and exact BigInt
// sums per subscription, generated once (streamed to disk) into a cache folder outside the
// repository (os.tmpdir()) and reused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { fmt } from './lib';

const CACHE = path.join(os.tmpdir(), 'n8n-billing-bench-cisco');
/** Bump when the generated files change, so that a stale cache is not reused. */
const FORMAT = 1;
/** A fixed day: the generated data must not depend on the day the benchmark runs. */
const DATASET_DAY = Date.UTC(2026, 10, 1) / 86_400_000;

/** What the node's Download in Aggregate mode is given: the same in every benchmark that checks the sums. */
export const USAGE_AGGREGATE = {
	groupBy: 'Subscription ID',
	sumFields: 'Extended Amount, Quantity',
} as const;

export interface UsageReference {
	lines: number;
	csvBytes: number;
	zipBytes: number;
	/** per Subscription ID: exact sums as decimal text, and line counts */
	groups: Record<string, { extendedAmount: string; quantity: string; rowCount: number }>;
}

export interface UsageFiles {
	csvFile: string;
	zipFile: string;
	reference: UsageReference;
}

/** The cached ZIP, CSV and reference for `lines` usage lines, generated when missing. */
export async function usageFiles(lines: number): Promise<UsageFiles> {
	const base = path.join(CACHE, `usage-v${FORMAT}-${lines}`);
	const files = { csvFile: `${base}.csv`, zipFile: `${base}.zip`, referenceFile: `${base}.json` };
	if (!fs.existsSync(files.referenceFile)) {
		fs.mkdirSync(CACHE, { recursive: true });
		const started = Date.now();
		console.log(`Generating ${fmt(lines)} usage lines into ${CACHE} (once; reused afterwards)…`);
		await generate(lines, files);
		console.log(`…generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
	}
	return {
		csvFile: files.csvFile,
		zipFile: files.zipFile,
		reference: JSON.parse(fs.readFileSync(files.referenceFile, 'utf8')) as UsageReference,
	};
}

/**
 * Throws unless the node's aggregate output (one item per subscription) holds exactly the
 * reference's groups, line counts and sums.
 */
export function checkUsageGroups(
	items: Array<Record<string, unknown>>,
	reference: UsageReference,
): void {
	const rows = items.reduce((sum, group) => sum + Number(group.rowCount), 0);
	if (rows !== reference.lines)
		throw new Error(`Cisco: ${rows} lines aggregated, generated ${reference.lines}`);
	const groups = new Map(items.map((group) => [String(group['Subscription ID']), group]));
	const expected = Object.entries(reference.groups);
	if (expected.length !== groups.size)
		throw new Error(
			`Cisco: ${groups.size} subscriptions in the output, ${expected.length} generated`,
		);
	for (const [subscription, sums] of expected) {
		const got = groups.get(subscription);
		// The node outputs JS numbers computed from exact decimals: each must be the reference's own.
		if (
			!got ||
			Number(got.rowCount) !== sums.rowCount ||
			Number(got['Extended Amount']) !== Number(sums.extendedAmount) ||
			Number(got.Quantity) !== Number(sums.quantity)
		) {
			throw new Error(
				`Cisco subscription ${subscription}: node ${JSON.stringify(got)}, reference ${JSON.stringify(sums)}`,
			);
		}
	}
}

async function generate(
	lines: number,
	files: { csvFile: string; zipFile: string; referenceFile: string },
) {
	const { getDataset, usageRecords, USAGE_COLUMNS, HEADER_COLUMNS } =
		await import('../sandbox/cisco/data');
	const { csvLine } = await import('../sandbox/cisco/csv');
	const { zipStream } = await import('../sandbox/zipWriter');
	const dialect = { delimiter: ',', bom: false, lineEnding: '\r\n' };
	const dataset = getDataset(42, DATASET_DAY);
	const invoice = dataset.invoices[0];
	const columns = ['Subscription ID', 'Quantity', 'Extended Amount'].map((name) =>
		USAGE_COLUMNS.indexOf(name),
	);
	const groups = new Map<string, { extendedAmount: bigint; quantity: bigint; rowCount: number }>();
	let total = 0n;
	function* csv(): Generator<Buffer> {
		let batch = csvLine(USAGE_COLUMNS, dialect);
		for (const record of usageRecords(dataset, invoice, { usageLinesPerInvoice: lines })) {
			const [subscription, quantity, amount] = columns.map((column) => record[column]);
			const group = groups.get(subscription) ?? { extendedAmount: 0n, quantity: 0n, rowCount: 0 };
			group.extendedAmount += units(amount, 4);
			group.quantity += units(quantity, 2);
			group.rowCount++;
			groups.set(subscription, group);
			total += units(amount, 4);
			batch += csvLine(record, dialect);
			if (batch.length >= 256 * 1024) {
				yield Buffer.from(batch);
				batch = '';
			}
		}
		yield Buffer.from(batch);
	}
	await pipeline(Readable.from(csv()), fs.createWriteStream(files.csvFile));
	const header =
		csvLine(HEADER_COLUMNS, dialect) +
		csvLine(
			[
				invoice.invoiceNumber,
				invoice.invoiceDate,
				String(invoice.billingAddressId),
				'USD',
				decimal(total, 4),
				String(lines),
			],
			dialect,
		);
	// As a host that zips on the fly writes it: the usage file's sizes after its content.
	await pipeline(
		Readable.from(
			zipStream([
				{ name: `Invoice_Header_${invoice.invoiceNumber}.csv`, content: Buffer.from(header) },
				{
					name: `Consolidated_Usage_${invoice.invoiceNumber}.csv`,
					content: fs.createReadStream(files.csvFile, {
						highWaterMark: 256 * 1024,
					}) as AsyncIterable<Buffer>,
					dataDescriptor: true,
				},
			]),
		),
		fs.createWriteStream(files.zipFile),
	);
	const reference: UsageReference = {
		lines,
		csvBytes: fs.statSync(files.csvFile).size,
		zipBytes: fs.statSync(files.zipFile).size,
		groups: Object.fromEntries(
			[...groups].map(([subscription, sums]) => [
				subscription,
				{
					extendedAmount: decimal(sums.extendedAmount, 4),
					quantity: decimal(sums.quantity, 2),
					rowCount: sums.rowCount,
				},
			]),
		),
	};
	fs.writeFileSync(files.referenceFile, JSON.stringify(reference));
}

/** A decimal text as an integer of 10^-decimals, exactly. */
function units(text: string, decimals: number): bigint {
	const negative = text.startsWith('-');
	const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
	const value = BigInt(whole + fraction.padEnd(decimals, '0'));
	return negative ? -value : value;
}

function decimal(value: bigint, decimals: number): string {
	const digits = (value < 0n ? -value : value).toString().padStart(decimals + 1, '0');
	return `${value < 0n ? '-' : ''}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
