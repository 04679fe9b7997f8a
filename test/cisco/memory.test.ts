/**
 * The usage ZIP is read as it downloads: a ZIP of 160 MiB is aggregated by a process whose
 * memory grows by far less than the ZIP. The node runs in a child process (memory-child.ts),
 * so that nothing else counts; the ZIP is written to disk and streamed by the sandbox.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

import { startSandbox, type Sandbox } from '../../sandbox';
import { zipStream } from '../../sandbox/zipWriter';
import { ciscoCredential } from '../helpers/credentials';

const ZIP_MIB = 160;
/** Usage lines padded to 2 KiB: few lines to parse, many bytes to download. */
const LINE_BYTES = 2048;
const LINES = (ZIP_MIB * 1024 * 1024) / LINE_BYTES;

let sandbox: Sandbox;
let folder: string;

beforeAll(async () => {
	sandbox = await startSandbox({});
	folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cisco-zip-memory-'));
});
afterAll(async () => {
	await sandbox?.stop();
	fs.rmSync(folder, { recursive: true, force: true });
});

function* usageLines(): Generator<Buffer> {
	yield Buffer.from('Invoice Number,Subscription ID,Description,Extended Amount\r\n');
	const prefix = '537560030,Sub-1,';
	const padding = 'x'.repeat(LINE_BYTES - prefix.length - ',1.25\r\n'.length);
	const line = Buffer.from(`${prefix}${padding},1.25\r\n`);
	const block = Buffer.concat(Array.from({ length: 256 }, () => line));
	for (let written = 0; written < LINES; written += 256) yield block;
}

it(`aggregates a usage ZIP of ${ZIP_MIB} MiB while its memory grows by less than half of that`, async () => {
	const zipFile = path.join(folder, 'usage.zip');
	// Deflate level 0 keeps the ZIP as large as its CSV; data descriptors, as a streaming writer makes them.
	await pipeline(
		zipStream([
			{
				name: 'Invoice_Header.csv',
				content: Buffer.from(`Invoice Number,Usage Line Count\r\n537560030,${LINES}\r\n`),
			},
			{ name: 'Consolidated_Usage.csv', content: usageLines(), level: 0, dataDescriptor: true },
		]),
		fs.createWriteStream(zipFile),
	);
	const [small, large] = sandbox.cisco.invoices();
	sandbox.cisco.replaceZipFile(large.invoiceNumber, zipFile);
	const options = {
		credential: ciscoCredential(sandbox),
		warmUp: sandbox.cisco.usageUrl(small.invoiceNumber),
		usageUrl: sandbox.cisco.usageUrl(large.invoiceNumber),
	};
	const { stdout } = await promisify(execFile)(
		process.execPath,
		[
			'--expose-gc',
			'--import',
			'tsx',
			path.join(__dirname, 'memory-child.ts'),
			JSON.stringify(options),
		],
		{
			encoding: 'utf8',
			maxBuffer: 16 * 1024 * 1024,
		},
	);
	const measured = JSON.parse(stdout.trim().split('\n').pop() as string) as {
		rows: number;
		growthMiB: number;
	};
	expect(fs.statSync(zipFile).size).toBeGreaterThan(ZIP_MIB * 1024 * 1024);
	expect(measured.rows).toBe(LINES);
	expect(measured.growthMiB).toBeLessThan(ZIP_MIB / 2);
}, 180_000);
