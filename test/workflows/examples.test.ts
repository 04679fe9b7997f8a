import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { plantedDiscrepancies as graphPlanted } from '../../sandbox/graph/data';
import { startSandbox, type Sandbox } from '../../sandbox';
import type { DemoEmail, DemoRun, DemoSummary } from './demo';
import { MICROSOFT_INVOICE, N8N_BASE_URL, lastMonth } from './examples';

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

/** CSV records of the discrepancy attachment (the Reconcile node writes plain cells here). */
function attachmentRecords(email: DemoEmail): Array<Record<string, string>> {
	const [header, ...lines] = email.attachments[0].content.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((line) => line.split(','));
	return lines.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index]])));
}

const emailWithSubject = (run: DemoRun, pattern: RegExp) => {
	const email = run.emails.find((candidate) => pattern.test(candidate.subject));
	if (!email) throw new Error(`no email matching ${pattern} in ${run.emails.map((e) => e.subject).join(' | ')}`);
	return email;
};

/** Every id of this shape in the text: the keys the email body shows. */
const idsIn = (text: string, pattern: RegExp) => new Set(text.match(pattern) ?? []);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('Webex monthly seat reconciliation', () => {
	it('emails exactly the planted seat discrepancies, in the body and the CSV attachment', () => {
		const run = runOf('webex', 'monthly seat reconciliation');
		expect(run.status).toBe('success');
		expect(run.emails).toHaveLength(1);
		const [email] = run.emails;
		expect(email.to).toBe('billing-ops@example.com');
		expect(email.subject).toBe(`Webex billing ${lastMonth()}: 4 discrepancies`);
		const planted = sandbox.partner.webexSeats(lastMonth()).planted;
		const plantedKeys = planted.map((entry) => `${entry.key['Customer Org ID']}|${entry.key.SKU}`).sort();
		expect(attachmentRecords(email).map((record) => `${record.CUSTOMER_ORG_ID}|${record.SKU}`).sort()).toEqual(plantedKeys);
		expect(idsIn(email.html, UUID)).toEqual(new Set(planted.map((entry) => entry.key['Customer Org ID'])));
		for (const entry of planted.filter((candidate) => candidate.kind === 'valueMismatch')) {
			const record = attachmentRecords(email).find((candidate) => candidate.CUSTOMER_ORG_ID === entry.key['Customer Org ID'] && candidate.SKU === entry.key.SKU);
			expect([record?.['seats A'], record?.['seats B']]).toEqual([entry.vendorValue, entry.partnerValue]);
		}
	});
});

describe('Microsoft invoice reconciliation', () => {
	it("emails the invoice's planted reconciliation-vs-usage discrepancies, and only those", () => {
		const run = runOf('microsoft', 'invoice reconciliation');
		const email = emailWithSubject(run, /differ from billed usage/);
		const planted = graphPlanted(MICROSOFT_INVOICE, { seed: sandbox.seed });
		expect(attachmentRecords(email).map((record) => `${record.status}|${record.SubscriptionId}`).sort()).toEqual(
			planted
				.map((entry) => {
					const status = { subtotalMismatch: 'different', quantityMismatch: 'different', missingInReconciliation: 'onlyInB', missingInUsage: 'onlyInA' }[entry.kind];
					return `${status}|${entry.subscriptionId}`;
				})
				.sort(),
		);
		const subscriptionsShown = [...idsIn(email.html, UUID)].filter((id) => !planted.some((entry) => entry.customerId === id));
		expect(new Set(subscriptionsShown)).toEqual(new Set(planted.map((entry) => entry.subscriptionId)));
	});

	it('emails exactly the planted differences between Microsoft and our customer invoices', () => {
		const run = runOf('microsoft', 'invoice reconciliation');
		const email = emailWithSubject(run, /differ from our invoices/);
		const planted = sandbox.partner.microsoftInvoices(MICROSOFT_INVOICE).planted;
		const plantedIds = planted.map((entry) => entry.key['Customer ID']).sort();
		expect(attachmentRecords(email).map((record) => record.CustomerId).sort()).toEqual(plantedIds);
		expect([...idsIn(email.html, UUID)].sort()).toEqual(plantedIds);
	});

	it('downloads nothing and sends no email when the invoice data has not changed since the last run', () => {
		const run = runOf('microsoft', 'the same invoice again, unchanged');
		expect(run.status).toBe('success');
		expect(run.emails).toEqual([]);
		expect(run.executedNodes).not.toContain('Start usage export');
	});
});

describe('Cisco invoice usage check', () => {
	it("emails the invoices whose header total differs from their usage lines: last month's planted ones", () => {
		const run = runOf('cisco', 'invoice usage check');
		const email = emailWithSubject(run, /header totals differ/);
		const planted = sandbox.cisco.plantedDiscrepancies();
		expect(attachmentRecords(email).map((record) => record['Invoice Number']).sort()).toEqual(planted.map((entry) => entry.invoiceNumber).sort());
		for (const entry of planted) {
			const record = attachmentRecords(email).find((candidate) => candidate['Invoice Number'] === entry.invoiceNumber);
			expect([record?.['Total Usage Amount A'], record?.['Total Usage Amount B']]).toEqual([entry.headerTotal, entry.usageSum]);
		}
		expect(idsIn(email.html, /\b5\d{8}\b/g)).toEqual(new Set(planted.map((entry) => entry.invoiceNumber)));
	});

	it('emails exactly the planted differences per subscription against our records', () => {
		const run = runOf('cisco', 'invoice usage check');
		const email = emailWithSubject(run, /subscriptions differ from our records/);
		const plantedIds = sandbox.partner.ciscoSubscriptions(lastMonth()).planted.map((entry) => entry.key['Subscription ID']).sort();
		expect(attachmentRecords(email).map((record) => record['Subscription ID']).sort()).toEqual(plantedIds);
		expect([...idsIn(email.html, /Sub\d{6}/g)].sort()).toEqual(plantedIds);
	});
});

describe('failure alerts', () => {
	it('posts a failed Microsoft export to Slack with the vendor, the invoice, the code, the message and a link to the execution', () => {
		const run = runOf('microsoft', 'the export fails at Microsoft');
		expect(run.emails).toEqual([]);
		expect(run.slack).toHaveLength(1);
		const [message] = run.slack;
		expect(message.channel).toBe('#billing-alerts');
		expect(message.text).toContain(`*Microsoft Partner Billing* failed in "Reconciliation per subscription" (invoice ${MICROSOFT_INVOICE})`);
		expect(message.text).toContain('Microsoft could not produce the export: The export could not be generated; try again later (code 3001)');
		expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${N8N_BASE_URL}/workflow/Ms2InvoiceRecon/executions/[0-9a-f-]{36}`));
	});

	it('runs the error workflow when a billing workflow fails, posting the workflow, the step, the error and the execution link', () => {
		const run = runOf('cisco', "our records' server is down");
		expect(run.status).toBe('error');
		expect(run.errorWorkflowStatus).toBe('success');
		const [message] = run.slack;
		expect(message.text).toContain('*Billing: Cisco invoice usage check* failed in "Fetch our subscription records"');
		expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${N8N_BASE_URL}/workflow/Cs3InvoiceUsage/executions/[0-9a-f-]{36}`));
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
