// What every benchmark shares: a plain-JS copy of the test harness, measurements in child
// processes (so each peak RSS is its own), and number formatting.
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const path = require('node:path');

// The harness and the sandbox credentials helper are TypeScript; the measured process loads
// plain-JS copies so that the TypeScript compiler (about 50 MB) does not count against the
// node's memory.
const BENCH_BUILD = path.join(__dirname, '..', '.bench');
const HARNESS_BUILD = path.join(BENCH_BUILD, 'harness');
/** test/helpers/credentials.ts: the pack's credentials as filled in for the sandbox */
const CREDENTIALS_BUILD = path.join(BENCH_BUILD, 'helpers', 'credentials.js');

function compileHarness() {
	const ts = require('typescript');
	const tests = path.join(__dirname, '..', 'test');
	const harness = fs.readdirSync(path.join(tests, 'harness')).filter((name) => name.endsWith('.ts'));
	for (const file of [...harness.map((name) => path.join('harness', name)), path.join('helpers', 'credentials.ts')]) {
		const { outputText } = ts.transpileModule(fs.readFileSync(path.join(tests, file), 'utf8'), {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		});
		const output = path.join(BENCH_BUILD, file.replace(/\.ts$/, '.js'));
		fs.mkdirSync(path.dirname(output), { recursive: true });
		fs.writeFileSync(output, outputText);
	}
}

/**
 * Runs `script --child kind options` in a child process and returns the JSON it prints last.
 * Asynchronous on purpose: a sandbox in this process must keep serving the child.
 * `cpus` pins the child to that many cores (taskset), to measure "one core" honestly.
 */
async function measureInChild(script, kind, options, { cpus } = {}) {
	const args = [script, '--child', kind, JSON.stringify(options)];
	const [file, argv] = cpus ? ['taskset', ['-c', cpuList(cpus), process.execPath, ...args]] : [process.execPath, args];
	const { stdout } = await promisify(execFile)(file, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
	return JSON.parse(stdout.trim().split('\n').pop());
}

function cpuList(count) {
	return Array.from({ length: count }, (_, index) => index).join(',');
}

/** The child's side of measureInChild: prints the result of `run(kind, options)` as JSON. */
function runChild(run) {
	run(process.argv[3], JSON.parse(process.argv[4])).then(
		(result) => console.log(JSON.stringify(result)),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}

/** Elapsed seconds since `started` (hrtime bigint) and this process's peak RSS so far. */
function finish(started, fields) {
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	return { ...fields, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

/**
 * Starts the sandbox for a benchmark. Interrupted (Ctrl-C, kill), the benchmark stops it first:
 * the sandbox's Azurite is a child process that would otherwise outlive it.
 */
async function startBenchSandbox(options) {
	const { startSandbox } = require('../sandbox');
	const sandbox = await startSandbox(options);
	const signals = ['SIGINT', 'SIGTERM'];
	const stop = sandbox.stop.bind(sandbox);
	const stopThenExit = (signal) => {
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
function runMain(main) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}

const fmt = (value) => Math.round(value).toLocaleString('en');

const isChild = () => process.argv[2] === '--child';

module.exports = { HARNESS_BUILD, CREDENTIALS_BUILD, compileHarness, startBenchSandbox, measureInChild, runChild, runMain, finish, fmt, isChild };
