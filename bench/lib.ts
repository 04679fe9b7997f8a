// What every benchmark shares: measurements in child processes (so each peak RSS is its own)
// and number formatting. `npm run bench` compiles the benchmarks with what they import (the
// sandbox, the test harness) into .bench/ and runs them there: the measured processes load
// plain JavaScript, so no TypeScript compiler or loader counts against the node's memory.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { GraphSandbox, Sandbox, SandboxOptions } from '../sandbox';

/**
 * Runs `script --child kind options` in a child process and returns the JSON it prints last.
 * Asynchronous on purpose: a sandbox in this process must keep serving the child.
 * `cpus` pins the child to that many cores (taskset), to measure "one core" honestly; `node`
 * runs it on another Node binary than this one. BENCH_NODE_FLAGS adds Node flags to every
 * measured child (say `--cpu-prof --cpu-prof-dir=DIR`, which Node 20 refuses in NODE_OPTIONS).
 */
export async function measureInChild<Result>(
	script: string,
	kind: string,
	options: object,
	{ cpus, node = process.execPath }: { cpus?: number; node?: string } = {},
): Promise<Result> {
	const nodeArgs = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
	const args = [...nodeArgs, script, '--child', kind, JSON.stringify(options)];
	const [file, argv] = cpus ? ['taskset', ['-c', cpuList(cpus), node, ...args]] : [node, args];
	const { stdout } = await promisify(execFile)(file, argv, {
		encoding: 'utf8',
		maxBuffer: 16 * 1024 * 1024,
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string) as Result;
}

function cpuList(count: number) {
	return Array.from({ length: count }, (_, index) => index).join(',');
}

/** The child's side of measureInChild: prints the result of `run(kind, options)` as JSON. */
export function runChild<Options>(run: (kind: string, options: Options) => Promise<unknown>) {
	run(process.argv[3], JSON.parse(process.argv[4]) as Options).then(
		(result) => console.log(JSON.stringify(result)),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}

/** Elapsed seconds since `started` (hrtime bigint) and this process's peak RSS so far. */
export function finish<Fields extends object>(started: bigint, fields: Fields) {
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return { ...fields, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/**
 * Starts the sandbox for a benchmark. Interrupted (Ctrl-C, kill), the benchmark stops it first:
 * the sandbox's Azurite is a child process that would otherwise outlive it.
 */
export async function startBenchSandbox(options: SandboxOptions): Promise<Sandbox> {
	// Loaded here, not at the top: the measured child processes run the same files and must not
	// load the sandbox.
	const { startSandbox } = await import('../sandbox');
	const sandbox = await startSandbox(options);
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
	const stop = sandbox.stop.bind(sandbox);
	const stopThenExit = (signal: NodeJS.Signals) => {
		void stop().finally(() => process.kill(process.pid, signal));
	};
	for (const signal of signals) process.once(signal, stopThenExit);
	sandbox.stop = async () => {
		for (const signal of signals) process.off(signal, stopThenExit);
		await stop();
	};
	return sandbox;
}

/** Runs a benchmark's main() as a script, with a failing exit code on error. */
export function runMain(main: () => Promise<void>) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}

/**
 * BENCH_PACKS=dir,dir (package folders, each built): a benchmark then measures only its node,
 * once with each pack per round, BENCH_ROUNDS rounds (default 3) on the same data, the order
 * reversed every other round. Load from other work falls on every pack alike, so two builds
 * (say, before and after a refactor) compare on a busy machine, where absolute figures do not.
 */
export function packComparison():
	| { rounds: Array<Array<{ packDir: string; label: string }>> }
	| undefined {
	const packDirs = process.env.BENCH_PACKS?.split(',')
		.filter(Boolean)
		.map((dir) => path.resolve(dir));
	if (!packDirs?.length) return undefined;
	const packs = packDirs.map((packDir) => ({ packDir, label: path.basename(packDir) }));
	if (new Set(packs.map((pack) => pack.label)).size < packs.length)
		throw new Error('BENCH_PACKS: give each pack a folder of its own name, to tell them apart');
	const rounds = Array.from({ length: Number(process.env.BENCH_ROUNDS ?? 3) }, (_, round) =>
		round % 2 ? [...packs].reverse() : packs,
	);
	return { rounds };
}

/** Loads the pack a child measures: this repository's, or BENCH_PACKS's `packDir`. */
export async function loadMeasuredPack(packDir?: string) {
	const { loadPack, loadPackage } = await import('../test/harness');
	// The package alone: n8n-nodes-base (about 47 MB of node metadata) is not loaded.
	return packDir
		? await loadPackage(packDir, { baseNodes: false })
		: await loadPack({ baseNodes: false });
}

/** The machine's load (1-minute average, as `uptime` shows it), to print beside a run. */
export const loadAverage = () => os.loadavg()[0].toFixed(2);

/** One run of a comparison: units per second, of wall time and of CPU time. */
export interface ComparedRate {
	wall: number;
	cpu: number;
}

/**
 * Each pack's median rates and its ratio to the first pack (`labels[0]`) round by round: the
 * ratios pair runs made close together, so they are what to read on a busy machine.
 */
export function comparisonSummary(
	labels: string[],
	rates: (label: string) => ComparedRate[],
	unit: string,
): string[] {
	const first = rates(labels[0]);
	return labels.map((label) => {
		const own = rates(label);
		const summary = (of: keyof ComparedRate, perUnit: string) => {
			const ratios = own.map((rate, round) => (rate[of] / first[round][of]) * 100);
			return `median ${fmt(median(own.map((rate) => rate[of])))} ${perUnit}, ${median(ratios).toFixed(1)}% of ${labels[0]} (rounds: ${ratios.map((ratio) => ratio.toFixed(1)).join(', ')})`;
		};
		return `${label.padEnd(24)} ${summary('wall', `${unit}/s`)}; ${summary('cpu', `${unit}/CPU-s`)}`;
	});
}

/** The median of the figures, to summarise the rounds of a comparison. */
function median(values: number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const fmt = (value: number) => Math.round(value).toLocaleString('en');

export const isChild = () => process.argv[2] === '--child';

/** Last calendar month, as a Webex report's billing period. */
export function lastMonth(now = new Date()) {
	const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
	const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
	return {
		billingStartDate: start.toISOString().slice(0, 10),
		billingEndDate: end.toISOString().slice(0, 10),
	};
}

/** A finished Graph export's manifest, as the bench reads it. */
export interface Manifest {
	rootDirectory: string;
	sasToken: string;
	blobs: Array<{ name: string }>;
}

/** Starts the billed-usage export through the sandbox's Graph API and waits for its manifest. */
export async function exportAndWait(
	graph: GraphSandbox,
	invoiceId: string,
): Promise<{ operationUrl: string; manifest: Manifest }> {
	const headers = {
		authorization: `Bearer ${graph.accessToken}`,
		'content-type': 'application/json',
	};
	const response = await fetch(`${graph.baseUrl}/reports/partners/billing/usage/billed/export`, {
		method: 'POST',
		headers,
		body: JSON.stringify({ invoiceId, attributeSet: 'full' }),
	});
	const operationUrl = response.headers.get('location');
	if (response.status !== 202 || !operationUrl)
		throw new Error(`export not started: HTTP ${response.status}`);
	for (;;) {
		const operation = (await (await fetch(operationUrl, { headers })).json()) as {
			status: string;
			resourceLocation: Manifest;
			error?: unknown;
		};
		if (operation.status === 'succeeded' || operation.status === 'completed') {
			return { operationUrl, manifest: operation.resourceLocation };
		}
		if (operation.status === 'failed')
			throw new Error(`export failed: ${JSON.stringify(operation.error)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
