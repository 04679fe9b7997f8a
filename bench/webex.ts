// Benchmark: Webex `download` in aggregate mode on a 1,000,000-row USER report served by the
// sandbox, through n8n's real engine, beside csv-parse's raw throughput on the same bytes.
// Each measurement runs in its own child process so peak RSS is its own; the sandbox runs in
// this process. Run with `npm run bench` (builds first).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { webexCredential } from '../test/helpers/credentials';
import { startBenchSandbox, measureInChild, runChild, runMain, finish, fmt, isChild, lastMonth } from './lib';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

interface RawOptions {
	csvFile: string;
}

interface NodeOptions {
	credential: ICredentialDataDecryptedObject;
	reportId: string;
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
		await pipeline(Readable.fromWeb(response.body as ReadableStream), fs.createWriteStream(csvFile));
		const bytes = fs.statSync(csvFile).size;
		console.log(`USER report: ${ROWS.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB (Node ${process.version}, ${os.cpus().length} cores)`);

		const raw = await measure<Measured<{ rows: number }>>('raw', { csvFile });
		const node = await measure<Measured<{ rows: number; groups: number; baselineRssMb: number }>>('node', { credential: webexCredential(sandbox), reportId: report.id });
		if (node.rows !== ROWS || raw.rows !== ROWS + 1) throw new Error(`row counts differ: node ${node.rows}, raw ${raw.rows}`);

		const rawRate = raw.rows / raw.seconds;
		const nodeRate = node.rows / node.seconds;
		console.log(`csv-parse raw (file → parse):            ${fmt(rawRate)} rows/s, ${raw.seconds.toFixed(2)} s, peak RSS ${raw.peakRssMb} MB`);
		console.log(`node download aggregate (HTTP → groups):  ${fmt(nodeRate)} rows/s, ${node.seconds.toFixed(2)} s, peak RSS ${node.peakRssMb} MB (n8n engine loaded: ${node.baselineRssMb} MB), ${node.groups} groups`);
		console.log(`node / raw: ${((nodeRate / rawRate) * 100).toFixed(1)}%  (targets: ≥ 90%, peak RSS < 200 MB)`);
	} finally {
		fs.rmSync(csvDir, { recursive: true, force: true });
		await sandbox.stop();
	}
}

const measure = <Result>(kind: 'raw' | 'node', options: RawOptions | NodeOptions) => measureInChild<Result>(__filename, kind, options);

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
	const { loadPack } = await import('../test/harness');
	// The package alone: n8n-nodes-base (about 47 MB of node metadata) is not loaded, so the
	// workflow is just the Webex node, started directly.
	const pack = await loadPack({ baseNodes: false });
	global.gc?.();
	const baselineRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
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
	return finish(started, { rows, groups: json.length, baselineRssMb });
}

if (isChild()) runChild(child);
else runMain(main);
