// Benchmark: Webex `download` in aggregate mode on a 1,000,000-row USER report served by the
// sandbox, through n8n's real engine, beside csv-parse's raw throughput on the same bytes.
// Each measurement runs in its own child process so peak RSS is its own; the sandbox runs in
// this process. Run with `npm run bench` (builds first); with BENCH_PACKS (see lib.ts) it
// compares builds of the node instead, on one report of BENCH_ROWS rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { Sandbox } from '../sandbox';
import { webexCredential } from '../test/helpers/credentials';
import {
	startBenchSandbox,
	measureInChild,
	runChild,
	runMain,
	finish,
	fmt,
	isChild,
	lastMonth,
	packComparison,
	loadMeasuredPack,
	loadAverage,
	comparisonSummary,
	type ComparedRate,
} from './lib';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

interface RawOptions {
	csvFile: string;
}

interface NodeOptions {
	credential: ICredentialDataDecryptedObject;
	reportId: string;
	packDir?: string;
}

type Measured<Fields> = Fields & { seconds: number; peakRssMb: number };

async function main() {
	const sandbox = await startBenchSandbox({ webex: { reportDelayMs: 0, userReportRows: ROWS } });
	const csvDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webex-bench-'));
	try {
		const period = lastMonth();
		const report = sandbox.webex.seedReport({ ...period, type: 'USER' });
		const csvFile = path.join(csvDir, 'user-report.csv');
		const response = await fetch(sandbox.webex.downloadUrl(report.id));
		await pipeline(
			Readable.fromWeb(response.body as ReadableStream),
			fs.createWriteStream(csvFile),
		);
		const bytes = fs.statSync(csvFile).size;
		console.log(
			`USER report: ${ROWS.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB (Node ${process.version}, ${os.cpus().length} cores)`,
		);

		const comparison = packComparison();
		if (comparison)
			return await comparePacks(
				comparison.rounds,
				{ credential: webexCredential(sandbox), reportId: report.id },
				sandbox.requests,
			);
		const raw = await measure<Measured<{ rows: number }>>('raw', { csvFile });
		const node = await measure<Measured<{ rows: number; groups: number; baselineRssMb: number }>>(
			'node',
			{ credential: webexCredential(sandbox), reportId: report.id },
		);
		if (node.rows !== ROWS || raw.rows !== ROWS + 1)
			throw new Error(`row counts differ: node ${node.rows}, raw ${raw.rows}`);

		const rawRate = raw.rows / raw.seconds;
		const nodeRate = node.rows / node.seconds;
		console.log(
			`csv-parse raw (file → parse):            ${fmt(rawRate)} rows/s, ${raw.seconds.toFixed(2)} s, peak RSS ${raw.peakRssMb} MB`,
		);
		console.log(
			`node download aggregate (HTTP → groups):  ${fmt(nodeRate)} rows/s, ${node.seconds.toFixed(2)} s, peak RSS ${node.peakRssMb} MB (n8n engine loaded: ${node.baselineRssMb} MB), ${node.groups} groups`,
		);
		console.log(
			`node / raw: ${((nodeRate / rawRate) * 100).toFixed(1)}%  (targets: ≥ 90%, peak RSS < 200 MB)`,
		);
	} finally {
		fs.rmSync(csvDir, { recursive: true, force: true });
		await sandbox.stop();
	}
}

/** The node alone, each pack in turn, round after round; then each pack's median and ratio. */
async function comparePacks(
	rounds: Array<Array<{ packDir: string; label: string }>>,
	options: NodeOptions,
	requests: Sandbox['requests'],
) {
	const rates = new Map<string, ComparedRate[]>();
	for (const [round, packs] of rounds.entries()) {
		for (const { packDir, label } of packs) {
			const requestsBefore = requests.length;
			const node = await measure<Measured<{ rows: number; cpuSeconds: number }>>('node', {
				...options,
				packDir,
			});
			// More than the report's bytes: the node read the file again (a connection dropped, a
			// request timed out), so the run did more work than the others.
			const servedMb =
				requests.slice(requestsBefore).reduce((sum, request) => sum + request.bytes, 0) / 1e6;
			if (node.rows !== ROWS) throw new Error(`the node counted ${node.rows} rows, not ${ROWS}`);
			const rate = { wall: node.rows / node.seconds, cpu: node.rows / node.cpuSeconds };
			console.log(
				`round ${round + 1}  ${label.padEnd(24)} ${fmt(rate.wall).padStart(9)} rows/s, ${node.seconds.toFixed(2).padStart(6)} s, ` +
					`CPU ${node.cpuSeconds.toFixed(2).padStart(6)} s (${fmt(rate.cpu)} rows/CPU-s), peak RSS ${node.peakRssMb} MB, served ${servedMb.toFixed(1)} MB, load ${loadAverage()}`,
			);
			rates.set(label, [...(rates.get(label) ?? []), rate]);
		}
	}
	// The first round has the packs in BENCH_PACKS's order.
	for (const line of comparisonSummary(
		rounds[0].map((pack) => pack.label),
		(label) => rates.get(label) ?? [],
		'rows',
	))
		console.log(line);
}

const measure = <Result>(kind: 'raw' | 'node', options: RawOptions | NodeOptions) =>
	measureInChild<Result>(__filename, kind, options);

async function child(kind: string, options: RawOptions & NodeOptions) {
	if (kind === 'raw') {
		const { parse } = await import('csv-parse');
		const started = process.hrtime.bigint();
		let rows = 0;
		await new Promise((resolve, reject) => {
			fs.createReadStream(options.csvFile)
				.pipe(parse({ bom: true }))
				.on('data', () => rows++)
				.on('end', resolve)
				.on('error', reject);
		});
		return finish(started, { rows });
	}
	// The package alone (see loadMeasuredPack), so the workflow is just the Webex node, started directly.
	const pack = await loadMeasuredPack(options.packDir);
	global.gc?.();
	const baselineRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
	const cpuAtStart = process.cpuUsage();
	const started = process.hrtime.bigint();
	const result = await pack.runWorkflow({
		workflow: {
			nodes: [
				{
					name: 'Download',
					type: pack.nodeType('webexWholesaleBilling'),
					typeVersion: 1,
					parameters: {
						authentication: 'accessToken',
						resource: 'report',
						operation: 'download',
						reportId: options.reportId,
						outputMode: 'aggregate',
						groupBy: 'CUSTOMER_ORG_ID, SKU',
						sumFields: 'QUANTITY',
					},
				},
			],
			connections: {},
		},
		startNode: 'Download',
		credentials: { webexWholesaleApi: options.credential },
	}).done;
	const error = result.error();
	const json = result.json('Download');
	if (error) throw new Error(error.message);
	const rows = json.reduce((sum, group) => sum + Number(group.rowCount), 0);
	const cpu = process.cpuUsage(cpuAtStart);
	return finish(started, {
		rows,
		groups: json.length,
		baselineRssMb,
		cpuSeconds: (cpu.user + cpu.system) / 1e6,
	});
}

if (isChild()) runChild(child);
else runMain(main);
