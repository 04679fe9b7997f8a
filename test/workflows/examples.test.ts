import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { startSandbox, type Sandbox } from '../../sandbox';
import type { DemoRun, DemoSummary } from './demo';
import { N8N_BASE_URL } from './examples';
import {
	expectCiscoHeaderEmail,
	expectCiscoSubscriptionEmail,
	expectErrorWorkflowAlert,
	expectMicrosoftExportFailureAlert,
	expectMicrosoftInvoiceEmail,
	expectMicrosoftUsageEmail,
	expectNothingSentForUnchangedInvoice,
	expectWebexSeatEmail,
} from './expectations';

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
	await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'demo.ts'), '--out', outDir, '--quiet'], { cwd: root, timeout: 180_000 });
	summary = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8')) as DemoSummary;
}, 200_000);
afterAll(async () => {
	await sandbox?.stop();
	fs.rmSync(outDir, { recursive: true, force: true });
});

const runOf = (example: DemoRun['example'], scenario: string) => {
	const run = summary.runs.find((candidate) => candidate.example === example && candidate.scenario === scenario);
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

	it('emails exactly the planted differences between Microsoft and our customer invoices', () => {
		expectMicrosoftInvoiceEmail(runOf('microsoft', 'invoice reconciliation'), sandbox);
	});

	it('downloads nothing and sends no email when the invoice data has not changed since the last run', () => {
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
const executionUrl = (workflowId: string) => new RegExp(`${N8N_BASE_URL}/workflow/${workflowId}/executions/[0-9a-f-]{36}`);

describe('failure alerts', () => {
	it('posts a failed Microsoft export to Slack with the vendor, the invoice, the code, the message and a link to the execution', () => {
		expectMicrosoftExportFailureAlert(runOf('microsoft', 'the export fails at Microsoft'), executionUrl('Ms2InvoiceRecon'));
	});

	it('runs the error workflow when a billing workflow fails, posting the workflow, the step, the error and the execution link', () => {
		expectErrorWorkflowAlert(runOf('cisco', "our records' server is down"), executionUrl('Cs3InvoiceUsage'));
	});
});

describe('the secret audit of the example workflows', () => {
	it('finds no token, secret, password, SAS token or signed link in any output, binary, error, email, Slack message or console output', () => {
		for (const run of summary.runs) {
			expect(run.secretsChecked).toBeGreaterThanOrEqual(8);
			expect({ run: `${run.example}: ${run.scenario}`, leaks: run.leaks }).toEqual({ run: `${run.example}: ${run.scenario}`, leaks: [] });
		}
	});
});

describe('what the demo leaves in its folder', () => {
	it('keeps every email as .eml with its HTML body and its CSV attachment, and the Slack messages', () => {
		for (const run of summary.runs) {
			for (const email of run.emails) {
				expect(email.files.map((file) => path.extname(file))).toEqual(['.eml', '.html', '.csv']);
				for (const file of email.files) expect(fs.statSync(path.join(outDir, file)).size).toBeGreaterThan(0);
			}
		}
		expect(fs.readdirSync(outDir).filter((name) => fs.existsSync(path.join(outDir, name, 'slack-messages.json')))).toHaveLength(2);
	});
});
