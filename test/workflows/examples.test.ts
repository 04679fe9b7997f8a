import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { startSandbox, type Sandbox } from '../../sandbox';
import { ensureChromium, launchChromium, type ChromiumBrowser } from '../helpers/chromium';
import type { DemoRun, DemoSummary } from './demo';
import { MICROSOFT_INVOICE, MICROSOFT_PREVIOUS_INVOICE, N8N_BASE_URL } from './examples';
import {
	expectCiscoHeaderEmail,
	expectCiscoSubscriptionEmail,
	expectErrorWorkflowAlert,
	expectMicrosoftExportFailureAlert,
	expectMicrosoftInvoiceEmail,
	expectMicrosoftInvoiceTotalEmail,
	expectMicrosoftInvoiceMarkedLast,
	expectNoInvoiceTotalEmail,
	expectNewestIssuedInvoice,
	expectMicrosoftUsageEmail,
	expectNothingSentForUnchangedInvoice,
	expectWebexSeatEmail,
} from './expectations';
import { READING_PANE, renderEmail, type RenderedEmail } from './render';
import {
	expectCiscoHeaderEmailShown,
	expectCiscoSubscriptionEmailShown,
	expectMicrosoftInvoiceEmailShown,
	expectMicrosoftInvoiceTotalEmailShown,
	expectMicrosoftUsageEmailShown,
	expectWebexSeatEmailShown,
} from './rendered-expectations';

/**
 * Every example workflow, unmodified, through n8n's engine with n8n's own nodes, a real SMTP
 * server and a stand-in for slack.com: `scripts/demo.ts` (what `npm start` runs) in a child
 * process, since n8n's Send Email and Slack nodes load ES modules that jest cannot. The
 * expected discrepancies come from a sandbox of this process (same seed, same day).
 */
let summary: DemoSummary;
let sandbox: Sandbox;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-examples-'));

beforeAll(async () => {
	sandbox = await startSandbox();
	const root = path.join(__dirname, '..', '..');
	await promisify(execFile)(
		process.execPath,
		['--import', 'tsx', path.join(root, 'scripts', 'demo.ts'), '--out', outDir, '--quiet'],
		{ cwd: root, timeout: 180_000 },
	);
	summary = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as DemoSummary;
}, 200_000);
afterAll(async () => {
	await sandbox?.stop();
	fs.rmSync(outDir, { recursive: true, force: true });
});

const runOf = (example: DemoRun['example'], scenario: string) => {
	const run = summary.runs.find(
		(candidate) => candidate.example === example && candidate.scenario === scenario,
	);
	if (!run) throw new Error(`no run ${example} / ${scenario}`);
	return run;
};

describe('Webex monthly seat reconciliation', () => {
	it('emails exactly the planted seat discrepancies, in the body and the CSV attachment', () => {
		expectWebexSeatEmail(runOf('webex', 'monthly seat reconciliation'), sandbox);
	});
});

describe('Microsoft invoice reconciliation', () => {
	it("emails the invoice's planted reconciliation-vs-usage discrepancies, and only those", () => {
		expectMicrosoftUsageEmail(runOf('microsoft', 'invoice reconciliation'), sandbox);
	});

	it('takes the newest invoice Partner Center has issued, without an invoice ID', () => {
		expectNewestIssuedInvoice(
			runOf('microsoft', 'the newest invoice so far'),
			MICROSOFT_PREVIOUS_INVOICE,
		);
	});

	it('asks our records for the invoice it found: its planted differences, and only those', () => {
		expectMicrosoftInvoiceEmail(
			runOf('microsoft', 'the newest invoice so far'),
			sandbox,
			MICROSOFT_PREVIOUS_INVOICE,
		);
	});

	it("sends no total email when the invoice's total equals its line items", () => {
		expectNoInvoiceTotalEmail(runOf('microsoft', 'the newest invoice so far'));
	});

	it('leaves the invoice unmarked when its export fails, and reconciles it on the next run', () => {
		expect(runOf('microsoft', 'the export fails at Microsoft').executedNodes).not.toContain(
			'Mark invoice reconciled',
		);
		expectNewestIssuedInvoice(runOf('microsoft', 'invoice reconciliation'), MICROSOFT_INVOICE);
	});

	it("emails the newer invoice's total difference from its line items", () => {
		expectMicrosoftInvoiceTotalEmail(runOf('microsoft', 'invoice reconciliation'), sandbox);
	});

	it('emails exactly the planted differences between Microsoft and our customer invoices', () => {
		expectMicrosoftInvoiceEmail(runOf('microsoft', 'invoice reconciliation'), sandbox);
	});

	it('marks the invoice reconciled last, after every check and its email', () => {
		expectMicrosoftInvoiceMarkedLast(runOf('microsoft', 'the newest invoice so far'));
		expectMicrosoftInvoiceMarkedLast(runOf('microsoft', 'invoice reconciliation'));
	});

	it('starts no export and sends nothing once the newest invoice is reconciled', () => {
		expectNothingSentForUnchangedInvoice(runOf('microsoft', 'the same invoice again, unchanged'));
	});
});

describe('Cisco invoice usage check', () => {
	it("emails the invoices whose header total differs from their usage lines: last month's planted ones", () => {
		expectCiscoHeaderEmail(runOf('cisco', 'invoice usage check'), sandbox);
	});

	it('emails exactly the planted differences per subscription against our records', () => {
		expectCiscoSubscriptionEmail(runOf('cisco', 'invoice usage check'), sandbox);
	});
});

/** The demo's execution ids are uuids. */
const executionUrl = (workflowId: string) =>
	new RegExp(`${N8N_BASE_URL}/workflow/${workflowId}/executions/[0-9a-f-]{36}`);

describe('failure alerts', () => {
	it('posts a failed Microsoft export to Slack with the vendor, the invoice, the code, the message and a link to the execution', () => {
		expectMicrosoftExportFailureAlert(
			runOf('microsoft', 'the export fails at Microsoft'),
			executionUrl('Ms2InvoiceRecon'),
		);
	});

	it('runs the error workflow when a billing workflow fails, posting the workflow, the step, the error and the execution link', () => {
		expectErrorWorkflowAlert(
			runOf('cisco', "our records' server is down"),
			executionUrl('Cs3InvoiceUsage'),
		);
	});
});

describe('the secret audit of the example workflows', () => {
	it('finds no token, secret, password, SAS token or signed link in any output, binary, error, email, Slack message or console output', () => {
		for (const run of summary.runs) {
			expect(run.secretsChecked).toBeGreaterThanOrEqual(8);
			expect({ run: `${run.example}: ${run.scenario}`, leaks: run.leaks }).toEqual({
				run: `${run.example}: ${run.scenario}`,
				leaks: [],
			});
		}
	});
});

describe('what the demo leaves in its folder', () => {
	it('keeps every email as .eml with its HTML body and its CSV attachment, and the Slack messages', () => {
		for (const run of summary.runs) {
			for (const email of run.emails) {
				expect(email.files.map((file) => path.extname(file))).toEqual(['.eml', '.html', '.csv']);
				for (const file of email.files)
					expect(fs.statSync(path.join(outDir, file)).size).toBeGreaterThan(0);
			}
		}
		expect(
			fs
				.readdirSync(outDir)
				.filter((name) => fs.existsSync(path.join(outDir, name, 'slack-messages.json'))),
		).toHaveLength(2);
	});
});

/** Where the screenshots of the rendered emails are kept for review: out/emails/<run>-email-<n>.png. */
const SCREENSHOTS = path.join(__dirname, '..', '..', 'out', 'emails');
/** Gmail hides the rest of a message whose HTML passes 102 KB behind a link. */
const GMAIL_CLIP_BYTES = 102 * 1024;

describe('every example email, as its reader sees it in Chromium', () => {
	let browser: ChromiumBrowser | undefined;
	/** by run directory and email file name: 01-webex-monthly-seat-reconciliation/email-1 */
	const rendered = new Map<string, RenderedEmail>();

	beforeAll(async () => {
		browser = await launchChromium(await ensureChromium(), READING_PANE);
		fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		for (const run of summary.runs) {
			for (const email of run.emails) {
				const name = email.files[0].replace(/\.eml$/, '');
				rendered.set(
					name,
					await renderEmail(
						browser,
						email.html,
						path.join(SCREENSHOTS, `${name.replace('/', '-')}.png`),
					),
				);
			}
		}
	}, 300_000);
	afterAll(async () => await browser?.close());

	/** The one email of a run whose subject matches. */
	const shown = (example: DemoRun['example'], scenario: string, subject: RegExp) => {
		const run = runOf(example, scenario);
		const email = run.emails.find((candidate) => subject.test(candidate.subject));
		if (!email) throw new Error(`no email ${subject} in ${example} / ${scenario}`);
		return rendered.get(email.files[0].replace(/\.eml$/, ''))!;
	};

	it('Webex: the seats of Webex and our billing, each customer by its external ID', () => {
		expectWebexSeatEmailShown(
			shown('webex', 'monthly seat reconciliation', /discrepancies/),
			sandbox,
		);
	});

	it('Microsoft: the invoice against its usage, customer names, money in the invoice’s currency', () => {
		expectMicrosoftUsageEmailShown(
			shown('microsoft', 'invoice reconciliation', /differ from billed usage/),
			sandbox,
		);
	});

	it('Microsoft: Microsoft against our billing per customer, by name, in each row’s currency', () => {
		expectMicrosoftInvoiceEmailShown(
			shown('microsoft', 'invoice reconciliation', /differ from our invoices/),
			sandbox,
		);
	});

	it(`Microsoft: the newest invoice issued so far (${MICROSOFT_PREVIOUS_INVOICE}), against its usage and against our billing`, () => {
		expectMicrosoftUsageEmailShown(
			shown('microsoft', 'the newest invoice so far', /differ from billed usage/),
			sandbox,
			MICROSOFT_PREVIOUS_INVOICE,
		);
		expectMicrosoftInvoiceEmailShown(
			shown('microsoft', 'the newest invoice so far', /differ from our invoices/),
			sandbox,
			MICROSOFT_PREVIOUS_INVOICE,
		);
	});

	it('Microsoft: the invoice total against its line items, in the invoice’s currency', () => {
		expectMicrosoftInvoiceTotalEmailShown(
			shown('microsoft', 'invoice reconciliation', /differs from its line items/),
			sandbox,
		);
	});

	it('Cisco: each invoice’s header against its usage lines, in the header’s currency, totals counting each header once', () => {
		expectCiscoHeaderEmailShown(
			shown('cisco', 'invoice usage check', /header totals differ/),
			sandbox,
		);
		expectCiscoHeaderEmailShown(
			shown('cisco', "our records' server is down", /header totals differ/),
			sandbox,
		);
	});

	it('Cisco: usage per subscription against our billing, customer names, money in its currency', () => {
		expectCiscoSubscriptionEmailShown(
			shown('cisco', 'invoice usage check', /subscriptions differ/),
			sandbox,
		);
	});

	it('keeps a screenshot of every email for review, and every email within Gmail’s clipping size', () => {
		const emails = summary.runs.flatMap((run) => run.emails);
		expect(fs.readdirSync(SCREENSHOTS).sort()).toEqual(
			emails.map((email) => `${email.files[0].replace(/\.eml$/, '').replace('/', '-')}.png`).sort(),
		);
		for (const email of emails)
			expect({
				email: email.subject,
				bytes: Buffer.byteLength(email.html) < GMAIL_CLIP_BYTES,
			}).toEqual({ email: email.subject, bytes: true });
	});
});
