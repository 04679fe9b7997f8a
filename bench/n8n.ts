// npm run bench -- n8n: the largest month in the n8n server users run (the install of the
// real-n8n suite, n8n 2.40.7), in regular mode (SQLite, binary data on the filesystem) and in
// queue mode (a worker, PostgreSQL and Redis, binary data in the database), beside the same
// workflow in the project's own harness. Every execution saves its data, as n8n does by
// default. Peak RSS is each n8n process's own high-water mark over the execution (Linux
// resets it when "5" is written to /proc/<pid>/clear_refs), so n8n's start is not counted.
// BENCH_LINES (Microsoft, default 2,000,000), BENCH_ROWS (Webex, default 1,000,000) and
// BENCH_CISCO_LINES (Cisco, default 10,000,000) set the sizes; BENCH_N8N_MODES=regular or queue
// runs one mode, BENCH_N8N_WORKLOADS=microsoft,webex,cisco (any of them) picks the workloads;
// BENCH_N8N_ENV, a JSON object, adds settings to every n8n process's environment (say, to
// profile it or to switch saving off); BENCH_N8N_IDLE_SECONDS sets how long the idle control
// polls (20 s; as long as an execution took, to compare its growth). The harness runs each
// workload twice: on this Node, and on the server's Node (24), so that what the runtime
// changes is not read as n8n's cost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { Sandbox } from '../sandbox';
import type { WorkflowJson } from '../test/harness/run-workflow';
import { ciscoCredential, microsoftCredential, webexCredential } from '../test/helpers/credentials';
import {
	ensureQueueServices,
	installN8n,
	installPack,
	packTarball,
	setupInstance,
	startN8n,
	startQueueMode,
	temporaryUserFolder,
	type N8nProcess,
} from '../test/n8n/harness';
import { checkUsageGroups, USAGE_AGGREGATE, usageFiles, type UsageReference } from './ciscoUsage';
import {
	exportAndWait,
	finish,
	fmt,
	isChild,
	lastMonth,
	measureInChild,
	runChild,
	runMain,
	startBenchSandbox,
} from './lib';

const MICROSOFT_LINES = Number(process.env.BENCH_LINES ?? 2_000_000);
const WEBEX_ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CISCO_LINES = Number(process.env.BENCH_CISCO_LINES ?? 10_000_000);
const MODES = listSetting('BENCH_N8N_MODES', ['regular', 'queue'] as const);
const WORKLOADS = listSetting('BENCH_N8N_WORKLOADS', ['microsoft', 'webex', 'cisco'] as const);
const EXTRA_ENV = JSON.parse(process.env.BENCH_N8N_ENV ?? '{}') as Record<string, string>;
const N8N_VERSION = '2.40.7';
const INVOICE_ID = 'G000000001';
const PACKAGE = 'n8n-nodes-billing-reconciliation';
/** How long the idle control polls n8n with no execution running (BENCH_N8N_IDLE_SECONDS). */
const IDLE_SECONDS = Number(process.env.BENCH_N8N_IDLE_SECONDS ?? 20);
/** An execution of the largest month may take minutes on a loaded machine. */
const EXECUTION_TIMEOUT_MS = 30 * 60_000;

type Mode = (typeof MODES)[number];
type Workload = (typeof WORKLOADS)[number];

/** A comma-separated setting: the names it lists, each one of `known` (all of them when unset). */
function listSetting<Name extends string>(variable: string, known: readonly Name[]): Name[] {
	const names = (process.env[variable] ?? known.join(','))
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	const unknown = names.filter((name) => !known.includes(name as Name));
	if (unknown.length)
		throw new Error(`${variable}: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`);
	return names as Name[];
}

interface WorkloadSetup {
	workflow: WorkflowJson;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** what the workload's output must hold, checked on every run: its line count, for Microsoft its groups, for Cisco its exact sums */
	expected: { lines: number; groups?: number; usage?: UsageReference };
}

/** An n8n process over one execution: its RSS before, and its peak. */
interface ProcessMemory {
	beforeMb: number;
	peakMb: number;
	/** the CPU time the process itself (not its task runner) spent over the execution */
	cpuSeconds: number;
}

interface ServerRun {
	seconds: number;
	main: ProcessMemory;
	worker?: ProcessMemory;
	/** the machine's load (1-minute average) when the execution started */
	load: number;
	/** items each node output, and the length of the execution data n8n saved (its flatted JSON) */
	items: Record<string, number>;
	savedBytes: number;
	executionId: string;
}

interface HarnessRun {
	seconds: number;
	peakRssMb: number;
	baselineRssMb: number;
	/** the child's CPU time over the run (all its threads): under load, what the work cost, whatever the wait */
	cpuSeconds: number;
	load?: number;
}

interface WorkloadResults {
	harness: HarnessRun;
	/** the harness on the server's Node, when it is another */
	harnessServerNode?: HarnessRun;
	servers: Partial<Record<Mode, ServerRun>>;
}

async function main() {
	const sandbox = await startBenchSandbox({
		graph: { scaleLineItems: MICROSOFT_LINES, operationDelayMs: 0, retryAfterSeconds: 0 },
		webex: { reportDelayMs: 0, userReportRows: WEBEX_ROWS },
	});
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-bench-'));
	try {
		const setups = {
			microsoft: async () => await microsoftWorkload(sandbox),
			webex: async () => webexWorkload(sandbox),
			cisco: async () => await ciscoWorkload(sandbox),
		};
		const workloads: Partial<Record<Workload, WorkloadSetup>> = {};
		for (const workload of WORKLOADS) workloads[workload] = await setups[workload]();
		const installation = await installN8n(N8N_VERSION, (line) => console.log(`  ${line}`));
		console.log(
			`n8n ${N8N_VERSION}; ${WORKLOADS.map((workload) => SIZES[workload]()).join(', ')} ` +
				`(Node ${process.version} for the harness, ${os.cpus().length} cores, load ${loadAverages()})` +
				(Object.keys(EXTRA_ENV).length ? `; n8n environment + ${JSON.stringify(EXTRA_ENV)}` : ''),
		);
		const results: Partial<Record<Workload, WorkloadResults>> = {};
		for (const workload of WORKLOADS) {
			const options = workloads[workload]!;
			const harness = await harnessMeasurement(options);
			const harnessServerNode =
				installation.nodeBin === process.execPath
					? undefined
					: await harnessMeasurement(options, installation.nodeBin);
			results[workload] = { harness, harnessServerNode, servers: {} };
			console.log(
				`${workload} harness: ${describeHarness(harness)}` +
					(harnessServerNode
						? `; on the server's Node: ${describeHarness(harnessServerNode)}`
						: ''),
			);
		}
		const tarball = await packTarball(path.join(workDir, 'pack'));
		for (const mode of MODES) {
			const server = await startServer(mode, installation, tarball, path.join(workDir, mode));
			try {
				const instance = await setupInstance(
					server.main,
					installation,
					{
						credentials: Object.assign(
							{},
							...WORKLOADS.map((workload) => workloads[workload]!.credentials),
						) as WorkloadSetup['credentials'],
						workflows: WORKLOADS.map((workload) => workloads[workload]!.workflow),
					},
					server.env,
				);
				let lastExecutionId = '';
				for (const workload of WORKLOADS) {
					const run = await serverRun(instance.client, server, workload, workloads[workload]!);
					lastExecutionId = run.executionId;
					results[workload]!.servers[mode] = run;
					console.log(
						`${workload} ${mode}: ${run.seconds.toFixed(1)} s (load ${run.load.toFixed(1)}), main ${memory(run.main)}` +
							(run.worker ? `, worker ${memory(run.worker)}` : '') +
							`; items out ${JSON.stringify(run.items)}, saved execution data ${(run.savedBytes / 1024).toFixed(1)} KiB`,
					);
				}
				const idle = await idleControl(instance.client, server, lastExecutionId);
				console.log(
					`idle control ${mode} (${IDLE_SECONDS} s polled, no execution): main ${memory(idle[0])}` +
						(idle[1] ? `, worker ${memory(idle[1])}` : ''),
				);
			} finally {
				await server.stop();
			}
		}
		printTable(results);
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
		await sandbox.stop();
	}
}

const SIZES: Record<Workload, () => string> = {
	microsoft: () => `Microsoft billed usage ${fmt(MICROSOFT_LINES)} full-attribute lines`,
	webex: () => `Webex USER report ${fmt(WEBEX_ROWS)} rows`,
	cisco: () => `Cisco usage ZIP ${fmt(CISCO_LINES)} lines`,
};

const loadAverages = () =>
	os
		.loadavg()
		.map((load) => load.toFixed(1))
		.join(' ');

async function harnessMeasurement(options: WorkloadSetup, node?: string): Promise<HarnessRun> {
	const load = os.loadavg()[0];
	const run = await measureInChild<HarnessRun>(
		__filename,
		'harness',
		{ workflow: options.workflow, credentials: options.credentials },
		{ node },
	);
	return { ...run, load };
}

const describeHarness = (run: HarnessRun) =>
	`${run.seconds.toFixed(1)} s (load ${run.load?.toFixed(1)}, CPU ${run.cpuSeconds.toFixed(1)} s), ${run.peakRssMb} MB (+${run.peakRssMb - run.baselineRssMb})`;

const memory = (process?: ProcessMemory) =>
	process
		? `${process.peakMb} MB (+${process.peakMb - process.beforeMb}, CPU ${process.cpuSeconds.toFixed(1)} s)`
		: '–';

/** One execution of the workload's workflow from the editor's Execute button, checked and measured. */
async function serverRun(
	client: Awaited<ReturnType<typeof setupInstance>>['client'],
	server: StartedServer,
	workload: Workload,
	setup: WorkloadSetup,
): Promise<ServerRun> {
	const workflowId = String(setup.workflow.id);
	const load = os.loadavg()[0];
	const before = startMeasuring(server);
	const executionId = await client.runManually(workflowId, 'Start');
	const execution = await client.waitForExecution(executionId, EXECUTION_TIMEOUT_MS);
	const [main, worker] = measuredSince(server, before);
	if (execution.status !== 'success')
		throw new Error(
			`${workload} ended ${execution.status}: ${execution.data.resultData.error?.message ?? ''}`,
		);
	const runData = execution.data.resultData.runData as IDataObject;
	checkOutput(workload, lastOutput(runData), setup.expected);
	// The execution data as n8n stored it: what it wrote to its database, and reads back to show it.
	const stored = await client.request<{ data: string }>('GET', `/executions/${executionId}`);
	return {
		seconds: (Date.parse(execution.stoppedAt!) - Date.parse(execution.startedAt!)) / 1000,
		main,
		worker,
		load,
		items: itemCounts(runData),
		savedBytes: Buffer.byteLength(stored.data),
		executionId,
	};
}

/**
 * The control: the n8n processes polled as during an execution (its data every 250 ms) with
 * nothing running, for IDLE_SECONDS. What they grow and spend then is not the pack's.
 */
async function idleControl(
	client: Awaited<ReturnType<typeof setupInstance>>['client'],
	server: StartedServer,
	executionId: string,
): Promise<ProcessMemory[]> {
	const before = startMeasuring(server);
	const until = Date.now() + IDLE_SECONDS * 1000;
	while (Date.now() < until) {
		await client.getExecution(executionId);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return measuredSince(server, before);
}

/** Each n8n process's RSS and CPU time now, its peak RSS reset to it. */
function startMeasuring(server: StartedServer) {
	return server.processes().map((n8nProcess) => ({
		rssMb: resetPeak(n8nProcess.pid),
		cpuSeconds: cpuSeconds(n8nProcess.pid),
	}));
}

function measuredSince(
	server: StartedServer,
	before: ReturnType<typeof startMeasuring>,
): ProcessMemory[] {
	return server.processes().map((n8nProcess, index) => ({
		beforeMb: before[index].rssMb,
		peakMb: memoryMb(n8nProcess.pid, 'VmHWM'),
		cpuSeconds: cpuSeconds(n8nProcess.pid) - before[index].cpuSeconds,
	}));
}

/** Microsoft: download the billed usage export, sum it per customer and subscription, reconcile the sums. */
async function microsoftWorkload(sandbox: Sandbox): Promise<WorkloadSetup> {
	const { operationUrl } = await exportAndWait(sandbox.graph!, INVOICE_ID);
	const { lineItemIterable } = await import('../sandbox/graph/data');
	const groups = new Set<string>();
	let lines = 0;
	for (const item of lineItemIterable(
		{ dataset: 'billedUsage', invoiceId: INVOICE_ID, attributeSet: 'full' },
		{ seed: sandbox.seed, scaleLineItems: MICROSOFT_LINES },
	) ?? []) {
		groups.add(`${String(item.CustomerId)}\u0000${String(item.SubscriptionId)}`);
		lines++;
	}
	const download = 'Usage per subscription';
	const reconcile = 'Usage against itself';
	return {
		credentials: { microsoftPartnerBillingOAuth2Api: microsoftCredential(sandbox) },
		expected: { groups: groups.size, lines },
		workflow: benchWorkflow(
			'BenchMsUsage0001',
			'Bench: Microsoft billed usage',
			[
				{
					name: download,
					type: `${PACKAGE}.microsoftPartnerBilling`,
					typeVersion: 1,
					parameters: {
						resource: 'export',
						operation: 'download',
						operationId: { __rl: true, value: operationUrl, mode: 'url' },
						outputMode: 'aggregate',
						groupBy: 'CustomerId, SubscriptionId',
						sumFields: 'Quantity, BillingPreTaxTotal',
						options: {},
					},
					credentials: {
						microsoftPartnerBillingOAuth2Api: { id: '', name: 'Microsoft Partner Billing' },
					},
				},
				{
					name: reconcile,
					type: `${PACKAGE}.billingReconcile`,
					typeVersion: 1,
					parameters: {
						matchFields: {
							values: [
								{ fieldA: 'CustomerId', fieldB: 'CustomerId' },
								{ fieldA: 'SubscriptionId', fieldB: 'SubscriptionId' },
							],
						},
						compareFields: {
							values: [
								{
									fieldA: 'BillingPreTaxTotal',
									fieldB: 'BillingPreTaxTotal',
									absoluteTolerance: 0,
									relativeTolerancePercent: 0,
								},
							],
						},
						options: {},
					},
				},
			],
			{ Start: [download], [download]: [reconcile, { node: reconcile, index: 1 }] },
		),
	};
}

/** Webex: download the USER report, summing QUANTITY per customer and SKU. */
function webexWorkload(sandbox: Sandbox): WorkloadSetup {
	const report = sandbox.webex.seedReport({ ...lastMonth(), type: 'USER' });
	const download = 'USER report per customer and SKU';
	return {
		credentials: { webexWholesaleApi: webexCredential(sandbox) },
		expected: { lines: WEBEX_ROWS },
		workflow: benchWorkflow(
			'BenchWebexUser01',
			'Bench: Webex USER report',
			[
				{
					name: download,
					type: `${PACKAGE}.webexWholesaleBilling`,
					typeVersion: 1,
					parameters: {
						authentication: 'accessToken',
						resource: 'report',
						operation: 'download',
						reportId: { __rl: true, value: report.id, mode: 'id' },
						outputMode: 'aggregate',
						groupBy: 'CUSTOMER_ORG_ID, SKU',
						sumFields: 'QUANTITY',
						options: {},
					},
					credentials: { webexWholesaleApi: { id: '', name: 'Webex Wholesale' } },
				},
			],
			{ Start: [download] },
		),
	};
}

/** Cisco: download the usage ZIP (served from disk), summing Extended Amount and Quantity per subscription. */
async function ciscoWorkload(sandbox: Sandbox): Promise<WorkloadSetup> {
	const files = await usageFiles(CISCO_LINES);
	const [, invoice] = sandbox.cisco.invoices();
	sandbox.cisco.replaceZipFile(invoice.invoiceNumber, files.zipFile);
	const download = 'Usage per subscription';
	return {
		credentials: { ciscoXaasBillingApi: ciscoCredential(sandbox) },
		expected: { lines: files.reference.lines, usage: files.reference },
		workflow: benchWorkflow(
			'BenchCiscoUsage1',
			'Bench: Cisco usage ZIP',
			[
				{
					name: download,
					type: `${PACKAGE}.ciscoXaasBilling`,
					typeVersion: 1,
					parameters: {
						resource: 'usage',
						operation: 'download',
						usageUrl: sandbox.cisco.usageUrl(invoice.invoiceNumber),
						outputMode: 'aggregate',
						...USAGE_AGGREGATE,
						includeHeader: 'none',
						options: { maxZipMb: 4096 },
					},
					credentials: { ciscoXaasBillingApi: { id: '', name: 'Cisco XaaS Billing' } },
				},
			],
			{ Start: [download] },
		),
	};
}

type Connection = string | { node: string; index: number };

function benchWorkflow(
	id: string,
	name: string,
	nodes: WorkflowJson['nodes'],
	links: Record<string, Connection[]>,
): WorkflowJson {
	const trigger = {
		name: 'Start',
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		parameters: { rule: { interval: [{ field: 'months' }] } },
	};
	const placed = [trigger, ...nodes].map((node, index) => ({
		...node,
		id: `bench-${index}`,
		position: [index * 240, 0] as [number, number],
	}));
	const connections: WorkflowJson['connections'] = {};
	for (const [from, targets] of Object.entries(links)) {
		connections[from] = {
			main: [
				targets.map((target) =>
					typeof target === 'string'
						? { node: target, type: 'main', index: 0 }
						: { node: target.node, type: 'main', index: target.index },
				),
			],
		};
	}
	return { id, name, nodes: placed, connections, settings: { executionOrder: 'v1' } };
}

interface StartedServer {
	main: N8nProcess;
	env: Record<string, string>;
	/** main first, then the worker in queue mode */
	processes(): N8nProcess[];
	stop(): Promise<void>;
}

async function startServer(
	mode: Mode,
	installation: Awaited<ReturnType<typeof installN8n>>,
	tarball: string,
	dir: string,
): Promise<StartedServer> {
	fs.mkdirSync(dir, { recursive: true });
	if (mode === 'queue') {
		await ensureQueueServices((line) => console.log(`  ${line}`));
		const queue = await startQueueMode({ installation, dir, tarball, env: EXTRA_ENV });
		return {
			main: queue.main,
			env: queue.env,
			processes: () => [queue.main, queue.worker],
			stop: async () => await queue.stop(),
		};
	}
	const userFolder = temporaryUserFolder('bench-regular');
	await installPack(userFolder, tarball);
	const main = await startN8n({
		installation,
		userFolder,
		env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem', ...EXTRA_ENV },
	});
	return {
		main,
		env: {},
		processes: () => [main],
		stop: async () => {
			await main.stop();
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
}

/** Resets the process's peak RSS (VmHWM) to its current RSS; resolves with that RSS. */
function resetPeak(pid: number): number {
	fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
	return memoryMb(pid, 'VmRSS');
}

/** The process's CPU time so far, user and system (/proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
	// The fields after the command name, which is in parentheses and may hold spaces.
	const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A memory figure of /proc/<pid>/status: VmRSS now, or VmHWM, the peak since the last reset. */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
		fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
	);
	if (!match) throw new Error(`no ${field} for process ${pid}`);
	return Math.round(Number(match[1]) / 1024);
}

/** The items of the last node that ran. */
function lastOutput(runData: IDataObject): IDataObject[] {
	const names = Object.keys(runData);
	const [taskData] = runData[names[names.length - 1]] as Array<{
		data?: { main: Array<Array<{ json: IDataObject }> | null> };
	}>;
	return (taskData.data?.main ?? []).flatMap((output) => (output ?? []).map((item) => item.json));
}

/** How many items each node output, over all its outputs and runs. */
function itemCounts(runData: IDataObject): Record<string, number> {
	return Object.fromEntries(
		Object.entries(runData).map(([name, runs]) => [
			name,
			(runs as Array<{ data?: { main: Array<unknown[] | null> } }>).reduce(
				(sum, run) =>
					sum + (run.data?.main ?? []).reduce((count, output) => count + (output?.length ?? 0), 0),
				0,
			),
		]),
	);
}

/**
 * Every run must give the export's groups and line count (Billing Reconcile matches every
 * Microsoft group with itself), and Cisco's exact sums.
 */
function checkOutput(
	workload: Workload,
	items: IDataObject[],
	expected: WorkloadSetup['expected'],
): void {
	if (workload === 'microsoft') {
		const summary = items.find((item) => item.counts) as
			| { counts: Record<string, number> }
			| undefined;
		const matched = items.filter((item) => item.status === 'matched');
		const lines = matched.reduce((sum, row) => sum + Number((row.a as IDataObject).rowCount), 0);
		if (
			!summary ||
			summary.counts.matched !== expected.groups ||
			matched.length !== expected.groups ||
			lines !== expected.lines
		) {
			throw new Error(
				`Microsoft: ${matched.length} matched groups of ${lines} lines, expected ${expected.groups} of ${expected.lines}`,
			);
		}
		return;
	}
	if (workload === 'cisco') {
		checkUsageGroups(items, expected.usage!);
		return;
	}
	const rows = items.reduce((sum, group) => sum + Number(group.rowCount), 0);
	if (rows !== expected.lines)
		throw new Error(`Webex: ${rows} rows aggregated, expected ${expected.lines}`);
}

/** What the harness child needs of a workload (its expected output is checked in the server runs). */
type HarnessOptions = Pick<WorkloadSetup, 'workflow' | 'credentials'>;

/** The same workflow in the project's harness: n8n-core's engine, no server, no saving. */
async function harnessRun(options: HarnessOptions) {
	const { loadPack } = await import('../test/harness');
	const pack = await loadPack({ baseNodes: false });
	// The server's credential references are dropped: the harness attaches the credentials by type.
	const nodes = options.workflow.nodes
		.filter((node) => node.name !== 'Start')
		.map(({ credentials: _stored, ...node }) => ({
			...node,
			type: pack.nodeType(node.type.split('.')[1]),
		}));
	const connections = Object.fromEntries(
		Object.entries(options.workflow.connections).filter(([from]) => from !== 'Start'),
	);
	global.gc?.();
	const baselineRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
	const started = process.hrtime.bigint();
	const cpu = process.cpuUsage();
	const result = await pack.runWorkflow({
		workflow: { nodes, connections },
		startNode: nodes[0].name,
		credentials: options.credentials,
	}).done;
	const error = result.error();
	if (error) throw new Error(error.message);
	const { user, system } = process.cpuUsage(cpu);
	return finish(started, { baselineRssMb, cpuSeconds: (user + system) / 1e6 });
}

function printTable(results: Partial<Record<Workload, WorkloadResults>>): void {
	const harnessCell = (run?: HarnessRun) =>
		run
			? `${run.seconds.toFixed(1)} s, ${run.peakRssMb} MB (+${run.peakRssMb - run.baselineRssMb}, CPU ${run.cpuSeconds.toFixed(1)} s)`
			: '–';
	const serverCell = (run?: ServerRun) =>
		run
			? `${run.seconds.toFixed(1)} s, main ${memory(run.main)}` +
				(run.worker ? `, worker ${memory(run.worker)}` : '')
			: '–';
	console.log('\nTime; peak RSS (+ growth over the execution, CPU time of the process)');
	console.log(
		`| workload | harness, ${process.version} | harness, server's Node | n8n regular | n8n queue |`,
	);
	console.log('|---|---|---|---|---|');
	for (const [workload, { harness, harnessServerNode, servers }] of Object.entries(results)) {
		console.log(
			`| ${workload} | ${harnessCell(harness)} | ${harnessCell(harnessServerNode)} | ${serverCell(servers.regular)} | ${serverCell(servers.queue)} |`,
		);
	}
}

if (isChild()) runChild<HarnessOptions>(async (_kind, options) => await harnessRun(options));
else runMain(main);
