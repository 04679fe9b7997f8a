/**
 * The full demo behind `npm start` (and the example-workflow test, which runs it in a child
 * process because n8n's Send Email and Slack nodes load ES modules that jest cannot):
 * every example workflow, unmodified, through n8n's engine with n8n's own nodes, against the
 * sandbox, a real SMTP server and a stand-in for slack.com. It leaves in `outDir` what a user
 * would receive and a `summary.json` of every run.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { loadPack, type LoadedPackage, type WorkflowResult } from '../harness';
import { captureConsole, findLeaks, leaksIn, sandboxSecrets, type Leak } from '../helpers/secrets';
import { BASE_NODES, EXAMPLES, MICROSOFT_INVOICE, readWorkflow } from './examples';
import type { ReceivedEmail } from './expectations';
import {
	NOTIFICATION_SECRETS,
	readEmail,
	runExample,
	startExampleEnvironment,
	type ExampleEnvironment,
	type SlackMessage,
} from './kit';

export interface DemoEmail extends ReceivedEmail {
	/** files written: the message (.eml), its HTML body and its attachments, relative to outDir */
	files: string[];
}

export interface DemoRun {
	example: 'webex' | 'microsoft' | 'cisco';
	scenario: string;
	status: string;
	executedNodes: string[];
	error: string | null;
	/** the error workflow's run, when the example failed and n8n would have started it */
	errorWorkflowStatus: string | null;
	emails: DemoEmail[];
	slack: SlackMessage[];
	/** Summary items of the Billing Reconcile nodes, by node name (without html) */
	summaries: Record<string, IDataObject>;
	/** what each of those nodes calls its inputs A and B (nameA, nameB) */
	sides: Record<string, { a: string; b: string }>;
	/** the secret audit: how many secrets were looked for, and where any was found */
	secretsChecked: number;
	leaks: Leak[];
}

export interface DemoSummary {
	runs: DemoRun[];
	seconds: number;
}

export async function runDemo(
	outDir: string,
	log: (line: string) => void = () => {},
): Promise<DemoSummary> {
	const started = Date.now();
	fs.mkdirSync(outDir, { recursive: true });
	// Only what an earlier demo left: out/ also keeps the tests' screenshots (emails/, n8n-editor/).
	for (const name of fs.readdirSync(outDir)) {
		if (/^\d{2}-/.test(name) || name === 'summary.json')
			fs.rmSync(path.join(outDir, name), { recursive: true, force: true });
	}
	const environment = await startExampleEnvironment();
	try {
		const pack = await loadPack({ extraNodes: BASE_NODES });
		const runs: DemoRun[] = [];
		const run = async (example: DemoRun['example'], scenario: string) => {
			log(`Running ${example}: ${scenario}…`);
			const runDir = `${String(runs.length + 1).padStart(2, '0')}-${example}-${slug(scenario)}`;
			const demoRun = await runOnce(pack, environment, outDir, runDir, example, scenario);
			runs.push(demoRun);
			log(
				`  ${demoRun.status}; ${demoRun.emails.length} email(s), ${demoRun.slack.length} Slack message(s)`,
			);
			return demoRun;
		};

		await run('webex', 'monthly seat reconciliation');
		// The workflow finds its invoice at Partner Center: first the newest issued so far; then the
		// newer one that appears, whose export fails (Slack) and is reconciled by the next run;
		// then nothing, the newest being marked reconciled. Each run is a new execution with no
		// static data, as a queue-mode worker runs it: only n8n's deduplication store remembers.
		environment.sandbox.graph!.options.unissuedInvoices = [MICROSOFT_INVOICE];
		await run('microsoft', 'the newest invoice so far');
		environment.sandbox.graph!.options.unissuedInvoices = [];
		environment.sandbox.graph!.failNextOperation({
			code: '3001',
			message: 'The export could not be generated; try again later',
		});
		await run('microsoft', 'the export fails at Microsoft');
		await run('microsoft', 'invoice reconciliation');
		await run('microsoft', 'the same invoice again, unchanged');
		await run('cisco', 'invoice usage check');

		environment.sandbox.addFault({
			vendor: 'partner',
			kind: 'records',
			type: 'status',
			status: 503,
			times: Infinity,
		});
		await run('cisco', "our records' server is down");
		environment.sandbox.clearFaults();

		const summary: DemoSummary = { runs, seconds: (Date.now() - started) / 1000 };
		fs.writeFileSync(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
		return summary;
	} finally {
		await environment.stop();
	}
}

async function runOnce(
	pack: LoadedPackage,
	environment: ExampleEnvironment,
	outDir: string,
	runDir: string,
	example: DemoRun['example'],
	scenario: string,
): Promise<DemoRun> {
	const mailsBefore = environment.mailbox.messages.length;
	const slackBefore = environment.slack.messages.length;
	const { result: runs, output: consoleOutput } = await captureConsole(
		async () => await runExample(pack, environment, example),
	);
	const { result, errorWorkflow } = runs;
	fs.mkdirSync(path.join(outDir, runDir), { recursive: true });

	const emails = environment.mailbox.messages
		.slice(mailsBefore)
		.map((mail, mailIndex): DemoEmail => {
			const base = path.join(runDir, `email-${mailIndex + 1}`);
			const files = [`${base}.eml`, `${base}.html`];
			const email = readEmail(mail);
			fs.writeFileSync(path.join(outDir, `${base}.eml`), mail.raw);
			fs.writeFileSync(path.join(outDir, `${base}.html`), email.html);
			for (const attachment of mail.parsed.attachments) {
				const file = `${base}-${attachment.filename ?? 'attachment'}`;
				fs.writeFileSync(path.join(outDir, file), attachment.content);
				files.push(file);
			}
			return { ...email, files };
		});
	const slack = environment.slack.messages.slice(slackBefore);
	// The one field that holds a secret on purpose: the Cisco usage links, handed to Download.
	const allowedFields = [{ node: "Last month's usage links", field: 'usageUrl' }];
	const secrets = [
		...sandboxSecrets(environment.sandbox, result.credentials),
		...NOTIFICATION_SECRETS,
	];
	const leaks = [
		...(await findLeaks(result, secrets, { allowedFields, consoleOutput })),
		...(errorWorkflow ? await findLeaks(errorWorkflow, secrets) : []),
		...leaksIn(
			[
				...environment.mailbox.messages
					.slice(mailsBefore)
					.map((mail, mailIndex): [string, string] => [
						`email ${mailIndex + 1}`,
						mail.raw.toString('utf8'),
					]),
				...slack.map((message, messageIndex): [string, string] => [
					`Slack message ${messageIndex + 1}`,
					message.text,
				]),
			],
			secrets,
		),
	];
	if (slack.length)
		fs.writeFileSync(
			path.join(outDir, runDir, 'slack-messages.json'),
			`${JSON.stringify(slack, null, 2)}\n`,
		);

	return {
		example,
		scenario,
		status: result.status,
		executedNodes: [...result.executedNodes],
		error: result.error()?.message ?? null,
		errorWorkflowStatus: errorWorkflow?.status ?? null,
		emails,
		slack,
		summaries: reconcileSummaries(result),
		sides: reconcileSides(example),
		secretsChecked: secrets.length,
		leaks,
	};
}

/** The Summary item (fifth output) of every Billing Reconcile node that ran, without its HTML. */
function reconcileSummaries(result: WorkflowResult): Record<string, IDataObject> {
	const summaries: Record<string, IDataObject> = {};
	for (const [node, tasks] of Object.entries(result.run.data.resultData.runData)) {
		const summaryItem = tasks[0]?.data?.main?.[4]?.[0];
		if (!summaryItem || !('counts' in summaryItem.json)) continue;
		const { html: _html, ...json } = summaryItem.json;
		summaries[node] = json;
	}
	return summaries;
}

/** nameA / nameB of every Billing Reconcile node of the example, as the file sets them (n8n's default: A, B). */
function reconcileSides(example: DemoRun['example']): Record<string, { a: string; b: string }> {
	const sides: Record<string, { a: string; b: string }> = {};
	for (const node of readWorkflow(EXAMPLES[example]).nodes) {
		if (!node.type.endsWith('.billingReconcile')) continue;
		const options = (node.parameters.options ?? {}) as IDataObject;
		sides[node.name] = { a: String(options.nameA ?? 'A'), b: String(options.nameB ?? 'B') };
	}
	return sides;
}

const slug = (text: string) =>
	text
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');
