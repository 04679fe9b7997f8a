// Benchmark: Cisco usage `download` in aggregate mode on a usage ZIP of 10,000,000 lines (the
// sandbox's Consolidated Usage columns and values), served from disk by the sandbox, through
// n8n's real engine, beside csv-parse alone and the pack's own CSV reader alone on the same
// inflated CSV read from a file; then the same on 10,000 lines. Each measurement runs in its own child process. The ZIP and its
// CSV are generated once, streamed to disk, into a cache folder outside the repository
// (os.tmpdir()), and reused. Every node run must give exactly the groups, line counts and sums
// of a BigInt reference computed while generating. Run with `npm run bench -- cisco`;
// BENCH_CISCO_LINES sets the large size. With BENCH_PACKS (see lib.ts) it compares builds of
// the node instead, on the large ZIP only, with csv-parse alone in every round.
import fs from 'node:fs';
import os from 'node:os';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { ciscoCredential } from '../test/helpers/credentials';
import {
	checkUsageGroups,
	USAGE_AGGREGATE,
	usageFiles,
	type UsageFiles,
	type UsageReference,
} from './ciscoUsage';
import {
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

const LARGE = Number(process.env.BENCH_CISCO_LINES ?? 10_000_000);
const SMALL = 10_000;

interface RawOptions {
	csvFile: string;
}

interface NodeOptions {
	credential: ICredentialDataDecryptedObject;
	warmUpUrl: string;
	usageUrl: string;
	packDir?: string;
}

/** `cpuSeconds`: the process's CPU time (all its threads) over the same span: under load, what the work cost, whatever the wait. */
type Measured<Fields> = Fields & { seconds: number; peakRssMb: number; cpuSeconds: number };
type NodeResult = Measured<{
	rows: number;
	baselineRssMb: number;
	ownMemoryMb: number;
	/** the node's output: one item per subscription */
	groups: Array<Record<string, unknown>>;
}>;

async function main() {
	const sandbox = await startBenchSandbox({});
	try {
		const [warmUp, target] = sandbox.cisco.invoices();
		console.log(
			`Node ${process.version}, ${os.cpus().length} cores; load average before: ${os
				.loadavg()
				.map((load) => load.toFixed(2))
				.join(', ')}`,
		);
		const comparison = packComparison();
		if (comparison) {
			const files = await usageFiles(LARGE);
			sandbox.cisco.replaceZipFile(target.invoiceNumber, files.zipFile);
			return await comparePacks(comparison.rounds, files, {
				credential: ciscoCredential(sandbox),
				warmUpUrl: sandbox.cisco.usageUrl(warmUp.invoiceNumber),
				usageUrl: sandbox.cisco.usageUrl(target.invoiceNumber),
			});
		}
		for (const lines of [LARGE, SMALL]) {
			const files = await usageFiles(lines);
			const { reference } = files;
			console.log(
				`\n${fmt(lines)} usage lines: ZIP ${(reference.zipBytes / 1e6).toFixed(1)} MB, CSV ${(reference.csvBytes / 1e6).toFixed(1)} MB, ${Object.keys(reference.groups).length} subscriptions`,
			);
			sandbox.cisco.replaceZipFile(target.invoiceNumber, files.zipFile);
			const raw = await measureInChild<Measured<{ rows: number }>>(__filename, 'raw', {
				csvFile: files.csvFile,
			});
			const reader = await measureInChild<Measured<{ rows: number }>>(__filename, 'reader', {
				csvFile: files.csvFile,
			});
			const node = await measureInChild<NodeResult>(__filename, 'node', {
				credential: ciscoCredential(sandbox),
				warmUpUrl: sandbox.cisco.usageUrl(warmUp.invoiceNumber),
				usageUrl: sandbox.cisco.usageUrl(target.invoiceNumber),
			});
			await sandbox.reset();
			checkAgainstReference(node, reference, raw.rows);
			if (reader.rows !== node.rows)
				throw new Error(`line counts differ: node ${node.rows}, the pack's reader ${reader.rows}`);
			const rawRate = raw.rows / raw.seconds;
			const readerRate = reader.rows / reader.seconds;
			const nodeRate = node.rows / node.seconds;
			console.log(
				`csv-parse alone (file → parse):                 ${fmt(rawRate)} lines/s, ${raw.seconds.toFixed(2)} s (CPU ${raw.cpuSeconds.toFixed(2)} s), peak RSS ${raw.peakRssMb} MB`,
			);
			console.log(
				`the pack's CSV reader alone (file → readCsv):   ${fmt(readerRate)} lines/s, ${reader.seconds.toFixed(2)} s (CPU ${reader.cpuSeconds.toFixed(2)} s), peak RSS ${reader.peakRssMb} MB`,
			);
			console.log(
				`node download aggregate (HTTP → unzip → totals): ${fmt(nodeRate)} lines/s, ${node.seconds.toFixed(2)} s (CPU ${node.cpuSeconds.toFixed(2)} s), peak RSS ${node.peakRssMb} MB, before the download ${node.baselineRssMb} MB, the download's own ${node.ownMemoryMb} MB`,
			);
			console.log(
				`node / csv-parse: ${((nodeRate / rawRate) * 100).toFixed(1)}% (target ≥ 90%), CPU ${((raw.cpuSeconds / raw.rows / (node.cpuSeconds / node.rows)) * 100).toFixed(1)}%; ` +
					`node / the pack's reader: ${((nodeRate / readerRate) * 100).toFixed(1)}%, CPU ${((reader.cpuSeconds / reader.rows / (node.cpuSeconds / node.rows)) * 100).toFixed(1)}%; sums exact; load average now: ${os.loadavg()[0].toFixed(2)}`,
			);
		}
	} finally {
		await sandbox.stop();
	}
}

/**
 * Each pack's node in turn, round after round, and csv-parse alone once per round on the same
 * CSV: a node's ratio to the csv-parse run of its own round pairs runs made close together,
 * which is what holds on a busy machine. Then each pack's medians, its ratio to the first pack
 * and to csv-parse.
 */
async function comparePacks(
	rounds: Array<Array<{ packDir: string; label: string }>>,
	{ csvFile, reference }: UsageFiles,
	options: NodeOptions,
) {
	console.log(
		`${fmt(reference.lines)} usage lines: ZIP ${(reference.zipBytes / 1e6).toFixed(1)} MB, CSV ${(reference.csvBytes / 1e6).toFixed(1)} MB`,
	);
	const rates = new Map<string, ComparedRate[]>();
	const ofCsvParse = new Map<string, ComparedRate[]>();
	const memory = new Map<string, number[]>();
	const line = (round: number, label: string, rate: ComparedRate, run: Measured<object>) =>
		`round ${round + 1}  ${label.padEnd(24)} ${fmt(rate.wall).padStart(9)} lines/s, ${run.seconds.toFixed(2).padStart(6)} s, ` +
		`CPU ${run.cpuSeconds.toFixed(2).padStart(6)} s (${fmt(rate.cpu)} lines/CPU-s), peak RSS ${run.peakRssMb} MB`;
	for (const [round, packs] of rounds.entries()) {
		const raw = await measureInChild<Measured<{ rows: number }>>(__filename, 'raw', { csvFile });
		const rawRate = { wall: raw.rows / raw.seconds, cpu: raw.rows / raw.cpuSeconds };
		console.log(`${line(round, 'csv-parse alone', rawRate, raw)}, load ${loadAverage()}`);
		for (const { packDir, label } of packs) {
			const node = await measureInChild<NodeResult>(__filename, 'node', { ...options, packDir });
			checkAgainstReference(node, reference, raw.rows);
			const rate = { wall: node.rows / node.seconds, cpu: node.rows / node.cpuSeconds };
			console.log(
				`${line(round, label, rate, node)}, own ${node.ownMemoryMb} MB; ${((rate.wall / rawRate.wall) * 100).toFixed(1)}% of csv-parse (CPU ${((rate.cpu / rawRate.cpu) * 100).toFixed(1)}%), load ${loadAverage()}`,
			);
			rates.set(label, [...(rates.get(label) ?? []), rate]);
			ofCsvParse.set(label, [
				...(ofCsvParse.get(label) ?? []),
				{ wall: (rate.wall / rawRate.wall) * 100, cpu: (rate.cpu / rawRate.cpu) * 100 },
			]);
			memory.set(label, [...(memory.get(label) ?? []), node.ownMemoryMb]);
		}
	}
	// The first round has the packs in BENCH_PACKS's order.
	const labels = rounds[0].map((pack) => pack.label);
	for (const summary of comparisonSummary(labels, (label) => rates.get(label) ?? [], 'lines'))
		console.log(summary);
	for (const label of labels) {
		const percent = (of: keyof ComparedRate) =>
			(ofCsvParse.get(label) ?? []).map((ratio) => ratio[of].toFixed(1)).join(', ');
		console.log(
			`${label.padEnd(24)} of csv-parse, round by round: ${percent('wall')}% (CPU ${percent('cpu')}%); own memory ${(memory.get(label) ?? []).join(', ')} MB`,
		);
	}
	console.log("Every run gave exactly the reference's groups, line counts and sums.");
}

function checkAgainstReference(node: NodeResult, reference: UsageReference, rawRows: number) {
	if (node.rows !== reference.lines || rawRows !== reference.lines + 1) {
		throw new Error(
			`line counts differ: node ${node.rows}, csv-parse ${rawRows} (with the header), generated ${reference.lines}`,
		);
	}
	checkUsageGroups(node.groups, reference);
}

async function child(kind: string, options: RawOptions & NodeOptions) {
	if (kind === 'raw') {
		const { parse } = await import('csv-parse');
		const started = process.hrtime.bigint();
		const cpu = process.cpuUsage();
		let rows = 0;
		await new Promise((resolve, reject) => {
			fs.createReadStream(options.csvFile)
				.pipe(parse({ bom: true }))
				.on('data', () => rows++)
				.on('end', resolve)
				.on('error', reject);
		});
		return finish(started, { rows, cpuSeconds: cpuSecondsSince(cpu) });
	}
	if (kind === 'reader') {
		// This repository's reader, whatever BENCH_PACKS names: the node's CSV reading alone.
		const { readCsv } = await import('../nodes/shared/readers/csv');
		const started = process.hrtime.bigint();
		const cpu = process.cpuUsage();
		const { rowCount } = await readCsv(fs.createReadStream(options.csvFile), {
			header: () => undefined,
			row: () => undefined,
		});
		return finish(started, { rows: rowCount, cpuSeconds: cpuSecondsSince(cpu) });
	}
	// The package alone (see loadMeasuredPack), so the workflow is just the Cisco node.
	const pack = await loadMeasuredPack(options.packDir);
	const download = async (usageUrl: string) => {
		const result = await pack.runWorkflow({
			workflow: {
				nodes: [
					{
						name: 'Download',
						type: pack.nodeType('ciscoXaasBilling'),
						typeVersion: 1,
						parameters: {
							resource: 'usage',
							operation: 'download',
							usageUrl,
							outputMode: 'aggregate',
							...USAGE_AGGREGATE,
							includeHeader: 'none',
							options: { maxZipMb: 4096 },
						},
					},
				],
				connections: {},
			},
			startNode: 'Download',
			credentials: { ciscoXaasBillingApi: options.credential },
		}).done;
		const error = result.error();
		if (error) throw new Error(error.message);
		return result.json('Download');
	};
	// As in a running n8n, the node's code is loaded and n8n's HTTP client has made a request.
	await download(options.warmUpUrl);
	global.gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
	const started = process.hrtime.bigint();
	const cpu = process.cpuUsage();
	const json = await download(options.usageUrl);
	const measured = finish(started, { cpuSeconds: cpuSecondsSince(cpu) });
	clearInterval(sample);
	peak = Math.max(peak, process.memoryUsage().rss);
	return {
		...measured,
		rows: json.reduce((sum, group) => sum + Number(group.rowCount), 0),
		baselineRssMb: Math.round(baseline / 1024 / 1024),
		ownMemoryMb: Math.round((peak - baseline) / 1024 / 1024),
		groups: json,
	};
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
	const { user, system } = process.cpuUsage(start);
	return (user + system) / 1e6;
}

if (isChild()) runChild(child);
else runMain(main);
