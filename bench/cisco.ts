// Benchmark: Cisco usage `download` in aggregate mode on a usage ZIP of 10,000,000 lines (the
// sandbox's Consolidated Usage columns and values), served from disk by the sandbox, through
// n8n's real engine, beside csv-parse alone on the same inflated CSV read from a file; then
// the same on 10,000 lines. Each measurement runs in its own child process. The ZIP and its
// CSV are generated once, streamed to disk, into a cache folder outside the repository
// (os.tmpdir()), and reused. Every node run must give exactly the groups, line counts and sums
// of a BigInt reference computed while generating. Run with `npm run bench -- cisco`;
// BENCH_CISCO_LINES sets the large size.
import fs from 'node:fs';
import os from 'node:os';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { ciscoCredential } from '../test/helpers/credentials';
import { checkUsageGroups, USAGE_AGGREGATE, usageFiles, type UsageReference } from './ciscoUsage';
import { startBenchSandbox, measureInChild, runChild, runMain, finish, fmt, isChild } from './lib';

const LARGE = Number(process.env.BENCH_CISCO_LINES ?? 10_000_000);
const SMALL = 10_000;

interface RawOptions {
	csvFile: string;
}

interface NodeOptions {
	credential: ICredentialDataDecryptedObject;
	warmUpUrl: string;
	usageUrl: string;
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
			const node = await measureInChild<NodeResult>(__filename, 'node', {
				credential: ciscoCredential(sandbox),
				warmUpUrl: sandbox.cisco.usageUrl(warmUp.invoiceNumber),
				usageUrl: sandbox.cisco.usageUrl(target.invoiceNumber),
			});
			await sandbox.reset();
			checkAgainstReference(node, reference, raw.rows);
			const rawRate = raw.rows / raw.seconds;
			const nodeRate = node.rows / node.seconds;
			console.log(
				`csv-parse alone (file → parse):                 ${fmt(rawRate)} lines/s, ${raw.seconds.toFixed(2)} s (CPU ${raw.cpuSeconds.toFixed(2)} s), peak RSS ${raw.peakRssMb} MB`,
			);
			console.log(
				`node download aggregate (HTTP → unzip → totals): ${fmt(nodeRate)} lines/s, ${node.seconds.toFixed(2)} s (CPU ${node.cpuSeconds.toFixed(2)} s), peak RSS ${node.peakRssMb} MB, before the download ${node.baselineRssMb} MB, the download's own ${node.ownMemoryMb} MB`,
			);
			console.log(
				`node / csv-parse: ${((nodeRate / rawRate) * 100).toFixed(1)}% (target ≥ 90%); sums exact; load average now: ${os.loadavg()[0].toFixed(2)}`,
			);
		}
	} finally {
		await sandbox.stop();
	}
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
	const { loadPack } = await import('../test/harness');
	// The package alone: n8n-nodes-base is not loaded, so the workflow is just the Cisco node.
	const pack = await loadPack({ baseNodes: false });
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
