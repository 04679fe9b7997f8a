/**
 * The fault matrix of one vendor: every flow of the vendor node (FLOWS) × every fault
 * (FAULTS). Each cell runs the flow through the engine against the sandbox with the fault
 * injected and must end byte-identical to the fault-free run, with every record the vendor
 * holds, or in an error whose message names the cause — never in a success with less. In
 * every cell the fault must have fired, the sandbox must have seen no protocol violation, and
 * no secret may show in anything the run outputs, logs or reports.
 *
 * Offsets and rows are drawn from FAULT_SEED (default below; printed in the suite's title),
 * per cell, so one cell can be replayed alone: FAULT_SEED=… npx jest … -t '<cell title>'.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';
import { loadPack, type LoadedPackage } from '../harness';
import { SENTINEL_SECRETS, captureConsole, findLeaks, sandboxSecrets } from '../helpers/secrets';
import { reliabilityOutput } from '../helpers/reliability';
import { FAULTS, type FaultColumn, type Injection } from './faults';
import { FLOWS, outcomeOf, type Flow, type FlowOutcome, type Vendor } from './flows';

export const FAULT_SEED = Number(process.env.FAULT_SEED ?? 20251121);

const VENDOR_NAMES: Record<Vendor, string> = {
	webex: 'Webex Wholesale Billing',
	graph: 'Microsoft Partner Billing',
	cisco: 'Cisco XaaS Billing',
	partnerCenter: 'Microsoft Partner Billing invoices (Partner Center)',
};

const SANDBOX_OPTIONS: Record<Vendor, SandboxOptions> = {
	webex: { webex: { ...SENTINEL_SECRETS.webex, reportDelayMs: 0 }, cisco: SENTINEL_SECRETS.cisco },
	graph: {
		graph: { ...SENTINEL_SECRETS.graph, operationDelayMs: 50, retryAfterSeconds: 0 },
		webex: SENTINEL_SECRETS.webex,
		cisco: SENTINEL_SECRETS.cisco,
	},
	cisco: { webex: SENTINEL_SECRETS.webex, cisco: SENTINEL_SECRETS.cisco },
	// Get by ID is app+user only at Microsoft; allowed app-only so one credential runs both calls.
	partnerCenter: {
		graph: { ...SENTINEL_SECRETS.graph, appOnlyGet: 'allow' },
		webex: SENTINEL_SECRETS.webex,
		cisco: SENTINEL_SECRETS.cisco,
	},
};

/** The file downloads of a run (CSV, blobs, ZIPs), as the sandbox logged them. */
const FILE_KINDS = new Set(['download', 'blob']);

export interface CellResult {
	flow: string;
	fault: string;
	/** 'identical', 'error', or why the fault cannot apply */
	expected: string;
	outcome?: 'identical' | 'error';
	detail?: string;
	/** absent for a fault that cannot apply */
	passed?: boolean;
	ms?: number;
}

/** mulberry32 over a hash of the seed and the cell: each cell draws its own numbers. */
export function cellRandom(seed: number, ...parts: string[]): () => number {
	let state = seed >>> 0;
	for (const character of parts.join('|'))
		state = Math.imul(state ^ character.charCodeAt(0), 2654435761) >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Baseline {
	outcome: FlowOutcome;
	fileSizes: number[];
}

export function defineFaultMatrix(vendor: Vendor): void {
	const flows = FLOWS[vendor];
	const results: CellResult[] = [];
	let sandbox: Sandbox;
	let pack: LoadedPackage;
	const baselines = new Map<string, Promise<Baseline>>();

	const run = async (flow: Flow, options: Injection['options'] = {}) =>
		await captureConsole(
			async () =>
				await pack.runWorkflow({
					workflow: flow.workflow(sandbox, options),
					credentials: flow.credentials(sandbox) as never,
					timezone: 'UTC',
				}),
		);

	const baseline = (flow: Flow) => {
		if (!baselines.has(flow.id)) {
			baselines.set(
				flow.id,
				(async () => {
					await sandbox.reset();
					const { result } = await run(flow);
					const fileSizes = sandbox.requests
						.filter((entry) => FILE_KINDS.has(entry.kind ?? '') && entry.status === 200)
						.map((entry) => entry.bytes);
					return { outcome: await outcomeOf(flow, result), fileSizes };
				})(),
			);
		}
		return baselines.get(flow.id)!;
	};

	describe(`${VENDOR_NAMES[vendor]} fault matrix (FAULT_SEED=${FAULT_SEED})`, () => {
		beforeAll(async () => {
			sandbox = await startSandbox(SANDBOX_OPTIONS[vendor]);
			pack = await loadPack();
		}, 60_000);
		afterAll(async () => {
			await sandbox?.stop();
			reliabilityOutput(`matrix-${vendor}`, {
				vendor,
				seed: FAULT_SEED,
				flows: flows.map((flow) => ({ id: flow.id, title: flow.title })),
				faults: FAULTS.map(({ id, title }) => ({ id, title })),
				cells: results,
			});
		});

		for (const flow of flows) {
			describe(flow.title, () => {
				it('fault-free: every record the vendor holds', async () => {
					const { outcome, fileSizes } = await baseline(flow);
					expect(outcome.error).toBeUndefined();
					expect(outcome.records).toBe(flow.expectedRecords(sandbox));
					if (!flow.apiOnly) expect(fileSizes.length).toBeGreaterThan(0);
				});

				for (const column of FAULTS) {
					const injection = column.vendors[vendor];
					if ('notApplicable' in injection) {
						results.push({
							flow: flow.id,
							fault: column.id,
							expected: `n/a: ${injection.notApplicable}`,
						});
						continue;
					}
					const expected =
						injection.expect === 'identical' ? 'identical' : `error ${injection.expect}`;
					it(`${column.id}: ${column.title} → ${expected}`, async () => {
						await runCell(flow, column, injection);
					});
				}
			});
		}
	});

	async function runCell(flow: Flow, column: FaultColumn, injection: Injection): Promise<void> {
		const cell: CellResult = {
			flow: flow.id,
			fault: column.id,
			expected: injection.expect === 'identical' ? 'identical' : 'error',
			passed: false,
		};
		results.push(cell);
		const { outcome: reference, fileSizes } = await baseline(flow);
		// A request the cell before gave up on (a failed run aborts its reads in flight) may
		// still be unread; reset() hangs it up so that it cannot take this cell's fault.
		await sandbox.reset();
		const context = { sandbox, random: cellRandom(FAULT_SEED, flow.id, column.id), fileSizes };
		const faults = injection.inject(context);
		const started = Date.now();
		const { result, output } = await run(flow, injection.options);
		cell.ms = Date.now() - started;
		const outcome = await outcomeOf(flow, result);
		cell.outcome = outcome.error ? 'error' : 'identical';
		cell.detail = [injection.describe?.(context), outcome.error?.text].filter(Boolean).join('; ');

		// A fault that never fired would make the cell pass without testing anything.
		expect(faults.filter((fault) => !fault.hits).map((fault) => fault.type)).toEqual([]);
		if (injection.fired) expect(injection.fired(sandbox)).toBe(true);
		if (injection.expect === 'identical') {
			expect(outcome.error).toBeUndefined();
			expect(outcome.records).toBe(flow.expectedRecords(sandbox));
			expect(outcome.items).toEqual(reference.items);
		} else {
			expect(outcome.error?.text).toMatch(injection.expect);
			expect(outcome.items).toEqual([]);
		}
		if (injection.withinMs !== undefined) expect(cell.ms).toBeLessThan(injection.withinMs);
		expect(sandbox.violations).toEqual([]);
		expect(
			await findLeaks(result, sandboxSecrets(sandbox, result.credentials), {
				allowedFields: flow.allowedFields,
				consoleOutput: output,
			}),
		).toEqual([]);
		cell.passed = true;
	}
}
