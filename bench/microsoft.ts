// Benchmark: Microsoft Partner Billing `download` in aggregate mode on a 2,000,000-line
// full-attribute billed-usage export served from Azurite by the sandbox, through n8n's real
// engine, side by side with (a) the single-core limit (gunzip + line split + JSON.parse of the
// same bytes) and (b) the naive path an n8n user builds today (download each blob to a buffer,
// gunzipSync, split, parse into items). Each measurement runs in its own child process; the
// sandbox (and Azurite) run outside it. The node is measured again on an export a quarter the
// size, to show that its memory does not grow with the export. Run with
// `npm run bench -- microsoft`; with BENCH_PACKS (see lib.ts) it compares builds of the node
// instead, on one export of BENCH_LINES lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { GraphSandbox } from '../sandbox';
import { microsoftCredential } from '../test/helpers/credentials';
import {
	exportAndWait,
	type Manifest,
	startBenchSandbox,
	measureInChild,
	runChild,
	runMain,
	finish,
	fmt,
	isChild,
	packComparison,
	loadMeasuredPack,
	loadAverage,
	comparisonSummary,
	type ComparedRate,
} from './lib';

const LINES = Number(process.env.BENCH_LINES ?? 2_000_000);
const INVOICE_ID = 'G000000001';
const GROUP_BY = 'CustomerId, SubscriptionId';
const SUM_FIELDS = 'Quantity, BillingPreTaxTotal';

/** One group of the node's aggregate output, as the reference checks it. */
interface GroupTotals {
	CustomerId: string;
	SubscriptionId: string;
	rowCount: number;
	Quantity: number;
	BillingPreTaxTotal: number;
}

interface NodeOptions {
	operationUrl: string;
	credentials: ICredentialDataDecryptedObject;
	concurrency: number;
	packDir?: string;
}

interface ChildOptions extends NodeOptions {
	blobFiles: string[];
	blobUrls: string[];
}

interface Measured {
	lines: number;
	seconds: number;
	peakRssMb: number;
}

interface NodeMeasured extends Measured {
	groups: number;
	totals: GroupTotals[];
	engineRssMb: number;
	/** CPU time (user + system) of the download in the node's process. */
	cpuSeconds: number;
	readyRssMb: number;
}

interface ExportRun {
	operationUrl: string;
	credentials: ICredentialDataDecryptedObject;
	manifest: Manifest;
	blobFiles: string[];
}

async function main() {
	const comparison = packComparison();
	if (comparison) return await comparePacks(comparison.rounds);
	const rate = (result: Measured) => result.lines / result.seconds;
	const line = (label: string, result: Measured, extra = '') =>
		console.log(
			`${label.padEnd(52)} ${fmt(rate(result)).padStart(9)} lines/s, ${result.seconds.toFixed(2).padStart(6)} s, peak RSS ${result.peakRssMb} MB${extra}`,
		);
	const memory = (result: NodeMeasured) =>
		`, ${result.groups} groups; RSS: engine ${result.engineRssMb} MB, ready ${result.readyRssMb} MB, download +${result.peakRssMb - result.readyRssMb} MB`;

	/** The node on one core (Concurrency 1, pinned), then on two (Concurrency 2). */
	const measureNode = async ({ operationUrl, credentials }: ExportRun) => ({
		nodeOneCore: await measureInChild<NodeMeasured>(
			__filename,
			'node',
			{ operationUrl, credentials, concurrency: 1 },
			{ cpus: 1 },
		),
		node: await measureInChild<NodeMeasured>(__filename, 'node', {
			operationUrl,
			credentials,
			concurrency: 2,
		}),
	});
	const { limit, nodeOneCore, node, naive } = await withExport(LINES, async (run) => ({
		limit: await measureInChild<Measured>(
			__filename,
			'limit',
			{ blobFiles: run.blobFiles },
			{ cpus: 1 },
		),
		...(await measureNode(run)),
		naive: await measureInChild<Measured>(__filename, 'naive', {
			blobUrls: run.manifest.blobs.map((blob) => blobUrl(run.manifest, blob.name)),
		}).catch((error: { stderr?: string; message: string }) => ({
			failed: firstLine(error.stderr || error.message),
		})),
	}));
	if (limit.lines !== LINES) throw new Error(`(a) read ${limit.lines} lines, not ${LINES}`);
	const quarter = Math.round(LINES / 4);
	const small = await withExport(quarter, measureNode);

	line('(a) gunzip + split + JSON.parse, 1 core', limit);
	line('node download aggregate, 1 core (concurrency 1)', nodeOneCore, memory(nodeOneCore));
	line('node download aggregate, 2 cores (concurrency 2)', node, memory(node));
	if ('failed' in naive)
		console.log(
			`${'(b) buffer + gunzipSync + split + parse to items'.padEnd(52)} failed: ${naive.failed}`,
		);
	else line('(b) buffer + gunzipSync + split + parse to items', naive);
	line(`node, 1 core, ${fmt(quarter)} lines`, small.nodeOneCore, memory(small.nodeOneCore));
	line(`node, 2 cores, ${fmt(quarter)} lines`, small.node, memory(small.node));
	console.log(
		`node 1 core / (a): ${((rate(nodeOneCore) / rate(limit)) * 100).toFixed(1)}%  ` +
			`(targets: ≥ 95% of (a) on one core, ≥ 100,000 lines/s on both, peak RSS ≤ 150 MB)`,
	);
	console.log(
		`Every node run gave exactly the reference's ${nodeOneCore.groups} groups, line counts and sums (BigInt, from the generator that wrote the blobs).`,
	);
	console.log(
		`RSS: engine = n8n-core, n8n-workflow and this package loaded; ready = after one Get Status run ` +
			`(the node's code loaded, n8n's HTTP client used); download = the peak beyond that.`,
	);
}

/**
 * The node alone, 1 core (Concurrency 1) and 2 cores (Concurrency 2), each pack in turn, round
 * after round, on one export; then each pack's median and the median of its per-round ratio
 * to the first pack.
 */
async function comparePacks(rounds: Array<Array<{ packDir: string; label: string }>>) {
	const setups = [
		{ name: '1 core', cpus: 1, concurrency: 1 },
		{ name: '2 cores', cpus: undefined, concurrency: 2 },
	];
	const rates = new Map<string, ComparedRate[]>();
	const runs = await withExport(LINES, async ({ operationUrl, credentials }) => {
		const measured: Record<string, NodeMeasured> = {};
		for (const [round, packs] of rounds.entries()) {
			for (const { name, cpus, concurrency } of setups) {
				for (const { packDir, label } of packs) {
					const result = await measureInChild<NodeMeasured>(
						__filename,
						'node',
						{ operationUrl, credentials, concurrency, packDir },
						{ cpus },
					);
					const rate = result.lines / result.seconds;
					console.log(
						`round ${round + 1}  ${name.padEnd(7)}  ${label.padEnd(24)} ${fmt(rate).padStart(9)} lines/s, ${result.seconds.toFixed(2).padStart(6)} s, ` +
							`CPU ${result.cpuSeconds.toFixed(2).padStart(6)} s (${fmt(result.lines / result.cpuSeconds)} lines/CPU-s), peak RSS ${result.peakRssMb} MB, load ${loadAverage()}`,
					);
					const key = `${name}\u0000${label}`;
					rates.set(key, [
						...(rates.get(key) ?? []),
						{ wall: rate, cpu: result.lines / result.cpuSeconds },
					]);
					measured[`${round} ${name} ${label}`] = result;
				}
			}
		}
		return measured;
	});
	// The first round has the packs in BENCH_PACKS's order.
	const labels = rounds[0].map((pack) => pack.label);
	for (const { name } of setups) {
		for (const line of comparisonSummary(
			labels,
			(label) => rates.get(`${name}\u0000${label}`) ?? [],
			'lines',
		))
			console.log(`${name.padEnd(7)}  ${line}`);
	}
	console.log(
		`Every run gave exactly the reference's groups, line counts and sums (${Object.keys(runs).length} runs).`,
	);
}

/**
 * Starts a sandbox whose billed-usage export has `lines` full-attribute lines, waits for it,
 * copies its blobs to local files (for (a)) and runs `measure`; then removes both.
 */
async function withExport<Results extends Record<string, object>>(
	lines: number,
	measure: (run: ExportRun) => Promise<Results>,
): Promise<Results> {
	const sandbox = await startBenchSandbox({
		graph: { scaleLineItems: lines, operationDelayMs: 0, retryAfterSeconds: 0 },
	});
	const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-bench-'));
	try {
		const graph = sandbox.graph as GraphSandbox;
		const started = Date.now();
		const { operationUrl, manifest } = await exportAndWait(graph, INVOICE_ID);
		const blobFiles = [];
		let bytes = 0;
		for (const blob of manifest.blobs) {
			const file = path.join(blobDir, path.basename(blob.name));
			const response = await fetch(blobUrl(manifest, blob.name));
			await pipeline(Readable.fromWeb(response.body as ReadableStream), fs.createWriteStream(file));
			bytes += fs.statSync(file).size;
			blobFiles.push(file);
		}
		console.log(
			`Billed usage export: ${fmt(lines)} full-attribute lines in ${manifest.blobs.length} gzip blobs, ${(bytes / 1e6).toFixed(1)} MB compressed ` +
				`(uploaded to Azurite in ${((Date.now() - started) / 1000).toFixed(0)} s; Node ${process.version}, ${os.cpus().length} cores)`,
		);
		const credentials = microsoftCredential(sandbox);
		const results = await measure({ operationUrl, credentials, manifest, blobFiles });
		const expected = await referenceTotals(sandbox.seed, lines);
		for (const result of Object.values(results))
			if ('totals' in result) expectTotals(result.totals as GroupTotals[], expected);
		return results;
	} finally {
		fs.rmSync(blobDir, { recursive: true, force: true });
		await sandbox.stop();
	}
}

/**
 * What the node must output, from the generator that wrote the blobs: per customer and
 * subscription the line count and the exact sums, as decimal text (BigInt arithmetic).
 */
async function referenceTotals(seed: number, lines: number) {
	const { lineItemIterable } = await import('../sandbox/graph/data');
	const SCALE = 12;
	const units = (value: unknown) => {
		const [digits, exponent = '0'] = String(value).toLowerCase().split('e');
		const [whole, fraction = ''] = digits.split('.');
		const shift = SCALE - fraction.length + Number(exponent);
		if (shift < 0) throw new Error(`the reference cannot hold ${String(value)} exactly`);
		return BigInt(whole + fraction) * 10n ** BigInt(shift);
	};
	const decimal = (value: bigint) => {
		const text = (value < 0n ? -value : value).toString().padStart(SCALE + 1, '0');
		return `${value < 0n ? '-' : ''}${text.slice(0, -SCALE)}.${text.slice(-SCALE)}`;
	};
	const groups = new Map<
		string,
		{ rowCount: number; Quantity: bigint; BillingPreTaxTotal: bigint }
	>();
	for (const item of lineItemIterable(
		{ dataset: 'billedUsage', invoiceId: INVOICE_ID, attributeSet: 'full' },
		{ seed, scaleLineItems: lines },
	) ?? []) {
		const key = `${String(item.CustomerId)}\u0000${String(item.SubscriptionId)}`;
		const group = groups.get(key) ?? { rowCount: 0, Quantity: 0n, BillingPreTaxTotal: 0n };
		group.rowCount++;
		group.Quantity += units(item.Quantity);
		group.BillingPreTaxTotal += units(item.BillingPreTaxTotal);
		groups.set(key, group);
	}
	return new Map(
		[...groups].map(([key, group]) => [
			key,
			{
				...group,
				Quantity: decimal(group.Quantity),
				BillingPreTaxTotal: decimal(group.BillingPreTaxTotal),
			},
		]),
	);
}

/** The node's groups must be exactly the reference's: same groups, line counts and sums. */
function expectTotals(
	totals: GroupTotals[],
	expected: Awaited<ReturnType<typeof referenceTotals>>,
) {
	const wrong = totals.filter((group) => {
		const reference = expected.get(`${group.CustomerId}\u0000${group.SubscriptionId}`);
		return (
			!reference ||
			reference.rowCount !== group.rowCount ||
			Number(reference.Quantity) !== group.Quantity ||
			Number(reference.BillingPreTaxTotal) !== group.BillingPreTaxTotal
		);
	});
	if (wrong.length || totals.length !== expected.size) {
		throw new Error(
			`the node's totals differ from the reference: ${JSON.stringify(wrong[0] ?? { groups: totals.length, expected: expected.size })}`,
		);
	}
}

function blobUrl(manifest: Manifest, name: string) {
	return `${manifest.rootDirectory.replace(/\/+$/, '')}/${name}?${manifest.sasToken.replace(/^\?/, '')}`;
}

const firstLine = (text: string) =>
	String(text)
		.split('\n')
		.find((line) => /error|memory/i.test(line)) ?? String(text).split('\n')[0];

async function child(kind: string, options: ChildOptions) {
	if (kind === 'limit') return await gunzipSplitParse(options.blobFiles);
	if (kind === 'naive') return await naiveItems(options.blobUrls);
	return await nodeAggregate(options);
}

/** (a): the least any JSON Lines reader must do, one blob after another on one core. */
async function gunzipSplitParse(blobFiles: string[]) {
	const started = process.hrtime.bigint();
	let lines = 0;
	for (const file of blobFiles) {
		const decoder = new StringDecoder('utf8');
		let pending = '';
		const parseLines = (text: string) => {
			let start = 0;
			for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
				if (end > start) {
					JSON.parse(text.slice(start, end));
					lines++;
				}
				start = end + 1;
			}
			return text.slice(start);
		};
		for await (const chunk of fs
			.createReadStream(file)
			.pipe(zlib.createGunzip({ chunkSize: 64 * 1024 })))
			pending = parseLines(pending + decoder.write(chunk as Buffer));
		parseLines(`${pending}${decoder.end()}\n`);
	}
	return finish(started, { lines });
}

/** (b): what an HTTP Request node + Code node workflow does: whole blobs in memory, then items. */
async function naiveItems(blobUrls: string[]) {
	const started = process.hrtime.bigint();
	const items = [];
	for (const url of blobUrls) {
		const compressed = Buffer.from(await (await fetch(url)).arrayBuffer());
		const text = zlib.gunzipSync(compressed).toString('utf8');
		for (const line of text.split('\n'))
			if (line) items.push({ json: JSON.parse(line) as unknown });
	}
	return finish(started, { lines: items.length });
}

async function nodeAggregate({ operationUrl, credentials, concurrency, packDir }: NodeOptions) {
	const pack = await loadMeasuredPack(packDir);
	const engineRssMb = rssMb();
	// As in a running n8n: the node's code is loaded and n8n's HTTP client has made a request
	// (its first request adds about 16 MB) before the download starts.
	const status = await pack.runWorkflow({
		workflow: {
			nodes: [
				{
					name: 'Status',
					type: pack.nodeType('microsoftPartnerBilling'),
					typeVersion: 1,
					parameters: { resource: 'export', operation: 'getStatus', operationId: operationUrl },
				},
			],
			connections: {},
		},
		startNode: 'Status',
		credentials: { microsoftPartnerBillingOAuth2Api: credentials },
	}).done;
	const statusError = status.error();
	if (statusError) throw new Error(statusError.message);
	const readyRssMb = rssMb();
	const cpuAtStart = process.cpuUsage();
	const started = process.hrtime.bigint();

	const result = await pack.runWorkflow({
		workflow: {
			nodes: [
				{
					name: 'Download',
					type: pack.nodeType('microsoftPartnerBilling'),
					typeVersion: 1,
					parameters: {
						resource: 'export',
						operation: 'download',
						operationId: operationUrl,
						outputMode: 'aggregate',
						groupBy: GROUP_BY,
						sumFields: SUM_FIELDS,
						options: { concurrency },
					},
				},
			],
			connections: {},
		},
		startNode: 'Download',
		credentials: { microsoftPartnerBillingOAuth2Api: credentials },
	}).done;
	const error = result.error();
	if (error) throw new Error(error.message);
	const groups = result.json('Download') as unknown as GroupTotals[];
	const lines = groups.reduce((sum, group) => sum + group.rowCount, 0);
	const totals = groups.map(
		({ CustomerId, SubscriptionId, rowCount, Quantity, BillingPreTaxTotal }) => ({
			CustomerId,
			SubscriptionId,
			rowCount,
			Quantity,
			BillingPreTaxTotal,
		}),
	);
	const cpu = process.cpuUsage(cpuAtStart);
	return finish(started, {
		lines,
		groups: groups.length,
		totals,
		engineRssMb,
		readyRssMb,
		cpuSeconds: (cpu.user + cpu.system) / 1e6,
	});
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

if (isChild()) runChild(child);
else runMain(main);
