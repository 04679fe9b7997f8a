// What every benchmark shares: measurements in child processes (so each peak RSS is its own)
// and number formatting. `npm run bench` compiles the benchmarks with what they import (the
// sandbox, the test harness) into .bench/ and runs them there: the measured processes load
// plain JavaScript, so no TypeScript compiler or loader counts against the node's memory.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { Sandbox, SandboxOptions } from '../sandbox';

/**
 * Runs `script --child kind options` in a child process and returns the JSON it prints last.
 * Asynchronous on purpose: a sandbox in this process must keep serving the child.
 * `cpus` pins the child to that many cores (taskset), to measure "one core" honestly.
 */
export async function measureInChild<Result>(script: string, kind: string, options: object, { cpus }: { cpus?: number } = {}): Promise<Result> {
	const args = [script, '--child', kind, JSON.stringify(options)];
	const [file, argv] = cpus ? ['taskset', ['-c', cpuList(cpus), process.execPath, ...args]] : [process.execPath, args];
	const { stdout } = await promisify(execFile)(file, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
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

export const fmt = (value: number) => Math.round(value).toLocaleString('en');

export const isChild = () => process.argv[2] === '--child';

/** Last calendar month, as a Webex report's billing period. */
export function lastMonth(now = new Date()) {
	const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
	const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
	return { billingStartDate: start.toISOString().slice(0, 10), billingEndDate: end.toISOString().slice(0, 10) };
}
