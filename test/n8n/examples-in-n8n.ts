/**
 * The example workflows in a real n8n server, in regular mode (one process, SQLite) or in
 * queue mode (a main process and one worker, PostgreSQL, Redis, binary data in the
 * database): the pack installed from its tarball as a community package, credentials created over n8n's REST API against the
 * sandbox, a real SMTP server and a stand-in for slack.com, the four files in workflows/
 * imported with only their credential ids and Settings values changed. Each workflow runs
 * as the editor's Execute button runs it; what only production runs do (start the error
 * workflow) and what must hold between runs of the published workflow (Skip Unchanged
 * Exports) run on a published schedule. Every run is held to the same expectations as the
 * engine-level demo (test/workflows/expectations.ts). In queue mode every run must have run
 * on the worker, and a worker killed in the middle of a download must leave a failed
 * execution, an alert and nothing half-done that a second run would repeat.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { AssignmentCollectionValue, AssignmentValue, IDataObject } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox';
import type { Fault } from '../../sandbox/server';
import type { WorkflowJson, WorkflowNodeJson } from '../harness';
import {
	EXAMPLES,
	MICROSOFT_INVOICE,
	MICROSOFT_PREVIOUS_INVOICE,
	lastMonth,
	readWorkflow,
} from '../workflows/examples';
import {
	expectCiscoHeaderEmail,
	expectCiscoSubscriptionEmail,
	expectErrorWorkflowAlert,
	expectMicrosoftExportFailureAlert,
	expectMicrosoftInvoiceEmail,
	expectMicrosoftInvoiceMarkedLast,
	expectMicrosoftInvoiceTotalEmail,
	expectMicrosoftUsageEmail,
	expectNewestIssuedInvoice,
	expectNoInvoiceTotalEmail,
	expectNothingSentForUnchangedInvoice,
	expectWebexSeatEmail,
	type ExampleRun,
} from '../workflows/expectations';
import {
	exampleCredentials,
	exampleSettings,
	readEmail,
	slackWebApi,
	startExampleSandbox,
	startMailbox,
	type Mailbox,
	type SlackMessage,
} from '../workflows/kit';
import {
	N8N_VERSIONS,
	installN8n,
	installPack,
	setupInstance,
	startHttpsStandIn,
	startN8n,
	startQueueMode,
	temporaryUserFolder,
	testedVersions,
	type Execution,
	type ExecutionSummary,
	type HttpsStandIn,
	type Instance,
	type N8nInstallation,
	type N8nProcess,
	type N8nVersionName,
	type QueueModeInstance,
} from './harness';

/** regular: n8n's one process with SQLite; queue: main, one worker, PostgreSQL and Redis */
export type N8nMode = 'regular' | 'queue';

type Example = Exclude<keyof typeof EXAMPLES, 'alerts'>;

interface Received {
	mails: number;
	slack: number;
}

/** A run in n8n and what it left in the mailbox and on Slack. */
interface N8nRun extends ExampleRun {
	execution: Execution;
	/** the error workflow's execution, when n8n started one */
	errorWorkflowStatus: string | null;
}

/**
 * How often the published copies of the schedule-triggered workflows run: their monthly
 * schedules cannot fire within a test. Longer than a run takes, so that each run starts
 * after the last one has remembered what it downloaded.
 */
const SCHEDULE_SECONDS = 15;

/**
 * How long the sandbox holds a download that a test kills the worker in: longer than any
 * test, so the worker is still inside it when it dies (the sandbox's stop releases it).
 */
const HOLD_MS = 15 * 60_000;

export function describeExamplesInN8n(version: N8nVersionName, mode: N8nMode = 'regular'): void {
	// N8N_TEST_VERSIONS picks the releases: global-setup installs only those.
	(testedVersions().includes(version) ? describe : describe.skip)(
		`the example workflows in n8n ${version} (${mode} mode)`,
		() => {
			const started = Date.now();
			let installation: N8nInstallation;
			let sandbox: Sandbox;
			let mailbox: Mailbox;
			const slack: SlackMessage[] = [];
			let slackStandIn: HttpsStandIn;
			let userFolder: string;
			let n8n: N8nProcess;
			let queue: QueueModeInstance | undefined;
			let instance: Instance;
			const workflows = {} as Record<keyof typeof EXAMPLES, WorkflowJson>;

			const phases: string[] = [];
			let phaseStarted = started;
			const phase = (name: string) => {
				phases.push(`${name} ${((Date.now() - phaseStarted) / 1000).toFixed(1)} s`);
				phaseStarted = Date.now();
			};

			beforeAll(async () => {
				const tarball = process.env.N8N_TEST_PACK_TARBALL;
				if (!tarball)
					throw new Error(
						'N8N_TEST_PACK_TARBALL is not set: run the suite with jest --config jest.n8n.config.js (npm run test:n8n)',
					);
				installation = await installN8n(version);
				sandbox = await startExampleSandbox();
				// The runs from the editor find the invoice before the newest; the newest is issued for
				// the failed export, and the schedule reconciles it afterwards.
				sandbox.graph!.options.unissuedInvoices = [MICROSOFT_INVOICE];
				mailbox = await startMailbox();
				userFolder = temporaryUserFolder(`${mode}-${version}`);
				slackStandIn = await startHttpsStandIn(path.join(userFolder, 'stand-in'), {
					'slack.com': slackWebApi(slack),
				});
				phase('sandbox');
				if (mode === 'queue') {
					queue = await startQueueMode({
						installation,
						dir: userFolder,
						tarball,
						env: slackStandIn.env,
					});
					n8n = queue.main;
					phase('Redis, PostgreSQL, pack installs, main and worker start');
				} else {
					await installPack(userFolder, tarball);
					phase('pack install');
					n8n = await startN8n({ installation, userFolder, env: slackStandIn.env });
					phase('start');
				}
				for (const example of Object.keys(EXAMPLES) as Array<keyof typeof EXAMPLES>) {
					const workflow = readWorkflow(EXAMPLES[example]);
					workflows[example] =
						example === 'alerts'
							? workflow
							: withSettings(workflow, {
									...exampleSettings({ sandbox }, example),
									n8nBaseUrl: n8n.url,
								});
				}
				instance = await setupInstance(
					n8n,
					installation,
					{
						credentials: exampleCredentials({ sandbox, mailbox }),
						workflows: [workflows.alerts, workflows.webex, workflows.microsoft, workflows.cisco],
					},
					{ ...slackStandIn.env, ...queue?.env },
				);
				phase('owner, credentials and import');
			}, 600_000);

			afterAll(async () => {
				if (queue) await queue.stop();
				else await n8n?.stop();
				if (n8n) keepLog(`n8n-${version}-${mode}`, n8n);
				if (queue) keepNumberedLogs(`n8n-${version}-queue-worker`, queue.workers);
				await slackStandIn?.stop();
				await mailbox?.stop();
				await sandbox?.stop();
				if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
				phase('runs and stop');
				process.stdout.write(
					`n8n ${version} (${mode} mode): ${((Date.now() - started) / 1000).toFixed(1)} s (${phases.join(', ')})\n`,
				);
			}, 120_000);

			/** How many emails and Slack messages have arrived so far. */
			const received = () => ({ mails: mailbox.messages.length, slack: slack.length });

			/** The run of `execution`, with what arrived between two counts of `received()`. */
			const runOf = (
				execution: Execution,
				from: Received,
				to: Received,
				errorWorkflowStatus: string | null = null,
			): N8nRun => ({
				execution,
				errorWorkflowStatus,
				status: execution.status,
				executedNodes: Object.keys(execution.data.resultData.runData),
				emails: mailbox.messages.slice(from.mails, to.mails).map(readEmail),
				slack: slack.slice(from.slack, to.slack),
			});

			/** Runs `action` and gathers the emails and Slack messages sent until it resolves. */
			async function observe(
				action: () => Promise<{ execution: Execution; errorWorkflowStatus?: string | null }>,
			): Promise<N8nRun> {
				const before = received();
				const { execution, errorWorkflowStatus } = await action();
				return runOf(execution, before, received(), errorWorkflowStatus);
			}

			/** The editor's Execute button: a manual execution from the workflow's Schedule Trigger. */
			const runFromEditor = async (example: Example) =>
				await observe(async () => {
					const id = String(workflows[example].id);
					const executionId = await instance.client.runManually(
						id,
						triggerOf(workflows[example]).name,
					);
					return { execution: await instance.client.waitForExecution(executionId) };
				});

			const executionUrl = (example: Example, execution: Execution) =>
				exactly(`${n8n.url}/workflow/${workflows[example].id}/executions/${execution.id}`);

			const client = () => instance.client;

			/** Saves `example` with its Schedule Trigger firing every `seconds`, and publishes it. */
			async function publishEvery(example: Example, seconds: number): Promise<void> {
				const id = String(workflows[example].id);
				const stored = await client().getWorkflow(id);
				await client().updateWorkflow(id, {
					nodes: stored.nodes.map((node) =>
						node.type === SCHEDULE_TRIGGER ? everySeconds(node, seconds) : node,
					),
				});
				await client().activateWorkflow(id);
			}

			/** Publishes `example` running every SCHEDULE_SECONDS; resolves with its first `count` scheduled executions, then unpublishes it. */
			async function publishOnSchedule(
				example: Example,
				count: number,
				onFinished: (execution: ExecutionSummary, index: number) => void = () => {},
			): Promise<ExecutionSummary[]> {
				const id = String(workflows[example].id);
				await publishEvery(example, SCHEDULE_SECONDS);
				const executions: ExecutionSummary[] = [];
				try {
					for (let index = 0; index < count; index++) {
						const [execution] = await client()
							.waitForExecutions(id, index + 1, (candidate) => candidate.mode === 'trigger')
							.then((all) => all.slice(index));
						executions.push(execution);
						onFinished(execution, index);
					}
				} finally {
					await client().deactivateWorkflow(id);
				}
				return executions;
			}

			/** Publishes the error workflow where n8n runs it only when published (2.x); once is enough. */
			async function publishErrorWorkflow(): Promise<void> {
				const alertsId = String(workflows.alerts.id);
				if (
					N8N_VERSIONS[version].errorWorkflowMustBePublished &&
					!(await client().getWorkflow(alertsId)).active
				)
					await client().activateWorkflow(alertsId);
			}

			describe('run from the editor', () => {
				const webex = once(async () => await runFromEditor('webex'));
				const microsoft = once(async () => await runFromEditor('microsoft'));
				const cisco = once(async () => await runFromEditor('cisco'));

				it('Webex: emails exactly the planted seat discrepancies, in the body and the CSV attachment', async () => {
					expectWebexSeatEmail(await webex(), sandbox);
				});

				it('Microsoft: finds the newest invoice and emails its planted reconciliation-vs-usage discrepancies, and only those', async () => {
					const run = await microsoft();
					expect(run.status).toBe('success');
					expectNewestIssuedInvoice(run, MICROSOFT_PREVIOUS_INVOICE);
					expectMicrosoftUsageEmail(run, sandbox, MICROSOFT_PREVIOUS_INVOICE);
				});

				it('Microsoft: emails exactly the planted differences between Microsoft and our customer invoices', async () => {
					expectMicrosoftInvoiceEmail(await microsoft(), sandbox, MICROSOFT_PREVIOUS_INVOICE);
				});

				it("Microsoft: sends no total email when the invoice's total equals its line items, and marks the invoice last", async () => {
					const run = await microsoft();
					expectNoInvoiceTotalEmail(run);
					expectMicrosoftInvoiceMarkedLast(run);
				});

				it('Microsoft, run again once the invoice is reconciled: starts no export and sends nothing', async () => {
					await microsoft();
					expectNothingSentForUnchangedInvoice(await runFromEditor('microsoft'));
				});

				it("Cisco: emails the invoices whose header total differs from their usage lines: last month's planted ones", async () => {
					const run = await cisco();
					expect(run.status).toBe('success');
					expectCiscoHeaderEmail(run, sandbox);
				});

				it('Cisco: emails exactly the planted differences per subscription against our records', async () => {
					expectCiscoSubscriptionEmail(await cisco(), sandbox);
				});

				it('Microsoft: a failed export of a newly issued invoice posts the vendor, the invoice, the code, the message and a link to the execution to Slack', async () => {
					await microsoft();
					sandbox.graph!.options.unissuedInvoices = [];
					sandbox.graph!.failNextOperation({
						code: '3001',
						message: 'The export could not be generated; try again later',
					});
					const run = await runFromEditor('microsoft');
					expectMicrosoftExportFailureAlert(run, executionUrl('microsoft', run.execution));
					expect(run.executedNodes).not.toContain('Mark invoice reconciled');
				});
			});

			describe('published, on a schedule', () => {
				const errorWorkflowRun = once(async () => {
					sandbox.addFault({
						vendor: 'partner',
						kind: 'records',
						type: 'status',
						status: 503,
						times: Infinity,
					});
					const alertsId = String(workflows.alerts.id);
					await publishErrorWorkflow();
					try {
						return await observe(async () => {
							const [failed] = await publishOnSchedule('cisco', 1);
							const [alerts] = await client().waitForExecutions(
								alertsId,
								1,
								(candidate) => candidate.mode === 'error',
							);
							return {
								execution: await client().waitForExecution(failed.id),
								errorWorkflowStatus: alerts.status,
							};
						});
					} finally {
						sandbox.clearFaults();
					}
				});

				it('runs the error workflow when a billing workflow fails, posting the workflow, the step, the error and the execution link', async () => {
					const run = await errorWorkflowRun();
					expectErrorWorkflowAlert(run, executionUrl('cisco', run.execution));
				});

				const scheduledMicrosoftRuns = once(async () => {
					// The newest invoice is issued (the editor's failed export left it unmarked, if it ran).
					sandbox.graph!.options.unissuedInvoices = [];
					// Counted as each run ends: the next one starts SCHEDULE_SECONDS after the last began.
					const counts = [received()];
					const executions = await publishOnSchedule('microsoft', 2, () => counts.push(received()));
					return await Promise.all(
						executions.map(async (summary, index) =>
							runOf(await client().waitForExecution(summary.id), counts[index], counts[index + 1]),
						),
					);
				});

				it('Microsoft: the first scheduled run reconciles the newest invoice, not marked yet, and emails all three checks', async () => {
					const [first] = await scheduledMicrosoftRuns();
					expect(first.status).toBe('success');
					expectMicrosoftUsageEmail(first, sandbox);
					expectMicrosoftInvoiceEmail(first, sandbox);
					expectMicrosoftInvoiceTotalEmail(first, sandbox);
				});

				it('Microsoft: the second scheduled run, the invoice being reconciled, starts no export and sends nothing', async () => {
					const [first, second] = await scheduledMicrosoftRuns();
					// The second run must start after the first one has remembered what it delivered.
					expect(Date.parse(second.execution.startedAt!)).toBeGreaterThanOrEqual(
						Date.parse(first.execution.stoppedAt!),
					);
					expectNothingSentForUnchangedInvoice(second);
				});
			});

			if (mode !== 'queue') return;

			describe('queue mode', () => {
				it('ran every execution above on the worker', async () => {
					const executions = await client().listExecutions();
					expect(new Set(executions.map((execution) => execution.workflowId))).toEqual(
						new Set(Object.values(workflows).map((workflow) => String(workflow.id))),
					);
					const workerLog = queue!.workers.map((worker) => worker.output()).join('\n');
					const notOnWorker = executions.filter(
						(execution) =>
							!new RegExp(`Worker finished execution ${execution.id} \\(job`).test(workerLog),
					);
					expect(notOnWorker).toEqual([]);
				});
			});

			describe('a worker killed in the middle of two downloads', () => {
				/** Resolves once `fault` holds a request: the worker is inside that download. */
				async function heldBy(fault: Fault, what: string): Promise<void> {
					const deadline = Date.now() + 120_000;
					while (!fault.hits) {
						if (Date.now() > deadline) throw new Error(`${what} did not start within 120 s`);
						await new Promise((resolve) => setTimeout(resolve, 100));
					}
				}

				const alertsId = () => String(workflows.alerts.id);
				const errorRuns = async () =>
					(await client().listExecutions({ workflowId: alertsId() })).filter(
						(execution) => execution.mode === 'error',
					);

				/** Webex's CUSTOMER reports of the month the example reconciles. */
				const monthlyReports = () =>
					[...sandbox.webex.reports.values()].filter(
						(report) =>
							report.type === 'CUSTOMER' && report.billingStartDate === `${lastMonth()}-01`,
					);

				/**
				 * The worker runs a scheduled Microsoft run (only production runs start the error
				 * workflow) and a Webex run from the editor, each held by the sandbox inside its
				 * download, when it is killed with SIGKILL; then a new worker starts.
				 */
				const workerDeath = once(async () => {
					// The schedule reconciled the newest invoice: forget it, as clearing the workflow's
					// deduplication history in n8n does, so that the killed run is its reconciliation.
					sandbox.graph!.options.unissuedInvoices = [];
					await queue!.postgres.forgetProcessedData(String(workflows.microsoft.id));
					// The month's Webex report is made by the run the worker dies in, not by an earlier one.
					for (const report of monthlyReports()) sandbox.webex.reports.delete(report.id);
					const holds = {
						microsoft: sandbox.addFault({
							vendor: 'graph',
							kind: 'blob',
							type: 'slow',
							delayMs: HOLD_MS,
							times: Infinity,
						}),
						webex: sandbox.addFault({
							vendor: 'webex',
							kind: 'download',
							type: 'slow',
							delayMs: HOLD_MS,
							times: Infinity,
						}),
					};
					await publishErrorWorkflow();
					const alertsBefore = (await errorRuns()).length;
					const before = received();
					const webexExecutionId = await client().runManually(
						String(workflows.webex.id),
						triggerOf(workflows.webex).name,
					);
					const microsoftId = String(workflows.microsoft.id);
					// Its schedule is long enough that the workflow is unpublished before a second run is due.
					await publishEvery('microsoft', 2 * SCHEDULE_SECONDS);
					try {
						await heldBy(holds.microsoft, 'a scheduled Microsoft run reading its export');
					} finally {
						await client().deactivateWorkflow(microsoftId);
					}
					await heldBy(holds.webex, "the Webex run's report download");
					const [microsoftExecution, ...more] = (
						await client().listExecutions({ workflowId: microsoftId })
					).filter((execution) => execution.status === 'running' || execution.status === 'new');
					if (more.length)
						throw new Error(`one Microsoft run was expected in flight, not ${more.length + 1}`);
					const reportsCreated = monthlyReports().map((report) => report.id);

					await queue!.worker.kill();
					sandbox.clearFaults();
					await queue!.startWorker();

					const [microsoft, webex] = await Promise.all([
						client().waitForExecution(microsoftExecution.id, 120_000),
						client().waitForExecution(webexExecutionId, 120_000),
					]);
					const [alerts] = await client()
						.waitForExecutions(
							alertsId(),
							alertsBefore + 1,
							(candidate) => candidate.mode === 'error',
						)
						.then((all) => all.slice(alertsBefore));
					const after = received();
					return {
						holds,
						reportsCreated,
						microsoft: runOf(microsoft, before, after, alerts.status),
						webex: runOf(webex, before, after),
					};
				});

				it('Microsoft: the scheduled run on the killed worker ends as failed, neither hung nor successful', async () => {
					const { holds, microsoft } = await workerDeath();
					expect(holds.microsoft.hits).toBeGreaterThan(0);
					expect(microsoft.status).toBe('error');
					expect(microsoft.execution.data.resultData.error?.message).toMatch(
						/failed to be processed too many times/,
					);
				});

				it('Webex: the run from the editor on the killed worker ends as failed, neither hung nor successful', async () => {
					const { holds, webex } = await workerDeath();
					expect(holds.webex.hits).toBeGreaterThan(0);
					expect(webex.status).toBe('error');
					expect(webex.execution.data.resultData.error?.message).toMatch(
						/failed to be processed too many times/,
					);
				});

				it('neither run on the killed worker sends an email', async () => {
					const { microsoft, webex } = await workerDeath();
					expect([...microsoft.emails, ...webex.emails]).toEqual([]);
				});

				it("the error workflow posts the Microsoft run's failure to Slack with the link to the execution", async () => {
					const { microsoft } = await workerDeath();
					expect(microsoft.errorWorkflowStatus).toBe('success');
					expect(microsoft.slack).toHaveLength(1);
					const [message] = microsoft.slack;
					expect(message.channel).toBe('#billing-alerts');
					expect(message.text).toContain(`*${workflows.microsoft.name}* failed`);
					expect(message.text).toMatch(
						new RegExp(`\\*Execution:\\* ${executionUrl('microsoft', microsoft.execution).source}`),
					);
				});

				const microsoftAgain = once(async () => {
					await workerDeath();
					return await runFromEditor('microsoft');
				});

				it('Microsoft, run again on the new worker: emails both reconciliations, as a clean run does', async () => {
					const run = await microsoftAgain();
					expect(run.status).toBe('success');
					expectMicrosoftUsageEmail(run, sandbox);
					expectMicrosoftInvoiceEmail(run, sandbox);
				});

				const webexAgain = once(async () => {
					await workerDeath();
					return await runFromEditor('webex');
				});

				it('Webex, run again: Create reuses the report the killed run created instead of creating a second one', async () => {
					const { reportsCreated } = await workerDeath();
					const run = await webexAgain();
					expect(reportsCreated).toHaveLength(1);
					expect(monthlyReports().map((report) => report.id)).toEqual(reportsCreated);
					expect(
						run.execution.data.resultData.runData["Create last month's report"][0].data
							?.main[0]?.[0].json.id,
					).toBe(reportsCreated[0]);
				});

				it('Webex, run again: emails exactly the planted seat discrepancies, as a clean run does', async () => {
					expectWebexSeatEmail(await webexAgain(), sandbox);
				});
			});
		},
	);
}

const SCHEDULE_TRIGGER = 'n8n-nodes-base.scheduleTrigger';

function triggerOf(workflow: WorkflowJson): WorkflowNodeJson {
	const trigger = workflow.nodes.find((node) => node.type === SCHEDULE_TRIGGER);
	if (!trigger) throw new Error(`${workflow.name} has no Schedule Trigger`);
	return trigger;
}

function everySeconds(node: WorkflowNodeJson, seconds: number): WorkflowNodeJson {
	return {
		...node,
		parameters: {
			...node.parameters,
			rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] },
		},
	};
}

/** The workflow with its Settings node's values replaced (what a user types in). */
function withSettings(workflow: WorkflowJson, values: IDataObject): WorkflowJson {
	const unknown = new Set(Object.keys(values));
	const nodes = workflow.nodes.map((node) => {
		if (node.name !== 'Settings') return node;
		const { assignments } = node.parameters.assignments as AssignmentCollectionValue;
		const filled = assignments.map((assignment) => {
			if (!(assignment.name in values)) return assignment;
			unknown.delete(assignment.name);
			return { ...assignment, value: values[assignment.name] as AssignmentValue['value'] };
		});
		return { ...node, parameters: { ...node.parameters, assignments: { assignments: filled } } };
	});
	if (unknown.size)
		throw new Error(`${workflow.name}: its Settings node has no ${[...unknown].join(', ')}`);
	return { ...workflow, nodes };
}

/** The text as a regular expression that matches it exactly, to the end of the message. */
function exactly(text: string): RegExp {
	return new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** `action` run once, on first use: tests that look at the same run share it. */
function once<T>(action: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return async () => await (result ??= action());
}

const LOG_DIR = path.join(__dirname, '..', '..', 'out', 'n8n');

/** An n8n process's log of the run, under out/n8n/ for a person to read. */
function keepLog(name: string, n8n: N8nProcess): void {
	fs.mkdirSync(LOG_DIR, { recursive: true });
	fs.writeFileSync(path.join(LOG_DIR, `${name}.log`), n8n.output());
}

/** The logs of several processes (the workers) as `<name>-1.log`…, an earlier run's removed. */
function keepNumberedLogs(name: string, processes: readonly N8nProcess[]): void {
	fs.mkdirSync(LOG_DIR, { recursive: true });
	for (const file of fs.readdirSync(LOG_DIR))
		if (file.startsWith(`${name}-`) && /-\d+\.log$/.test(file)) fs.rmSync(path.join(LOG_DIR, file));
	processes.forEach((n8n, index) => keepLog(`${name}-${index + 1}`, n8n));
}
