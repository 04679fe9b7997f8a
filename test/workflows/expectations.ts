/**
 * What each example workflow run must deliver, derived from the sandbox that planted the
 * discrepancies: shared by the engine-level demo test (examples.test.ts) and the real n8n
 * server suite (test/n8n), so both hold the examples to the same account.
 */
import { plantedDiscrepancies as graphPlanted } from '../../sandbox/graph/data';
import type { Sandbox } from '../../sandbox';
import { MICROSOFT_INVOICE, lastMonth } from './examples';
import type { SlackMessage } from './kit';

/** An email as the SMTP server received it. */
export interface ReceivedEmail {
	subject: string;
	to: string;
	html: string;
	attachments: Array<{ filename: string; content: string }>;
}

/** What one run of an example left behind. */
export interface ExampleRun {
	status: string;
	/** names of the nodes that ran */
	executedNodes: string[];
	emails: ReceivedEmail[];
	slack: SlackMessage[];
}

/** CSV records of the discrepancy attachment (the Reconcile node writes plain cells here). */
export function attachmentRecords(email: ReceivedEmail): Array<Record<string, string>> {
	const [header, ...lines] = email.attachments[0].content.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((line) => line.split(','));
	return lines.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index]])));
}

export function emailWithSubject(run: ExampleRun, pattern: RegExp): ReceivedEmail {
	const email = run.emails.find((candidate) => pattern.test(candidate.subject));
	if (!email) throw new Error(`no email matching ${pattern} in ${run.emails.map((e) => e.subject).join(' | ')}`);
	return email;
}

/** Every id of this shape in the text: the keys the email body shows. */
const idsIn = (text: string, pattern: RegExp) => new Set(text.match(pattern) ?? []);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Webex: one email listing exactly the planted seat discrepancies, in the body and the CSV. */
export function expectWebexSeatEmail(run: ExampleRun, sandbox: Sandbox): void {
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
}

/** Microsoft: the invoice's planted reconciliation-vs-usage discrepancies, and only those. */
export function expectMicrosoftUsageEmail(run: ExampleRun, sandbox: Sandbox): void {
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
}

/** Microsoft: exactly the planted differences between Microsoft and our customer invoices. */
export function expectMicrosoftInvoiceEmail(run: ExampleRun, sandbox: Sandbox): void {
	const email = emailWithSubject(run, /differ from our invoices/);
	const planted = sandbox.partner.microsoftInvoices(MICROSOFT_INVOICE).planted;
	const plantedIds = planted.map((entry) => entry.key['Customer ID']).sort();
	expect(attachmentRecords(email).map((record) => record.CustomerId).sort()).toEqual(plantedIds);
	expect([...idsIn(email.html, UUID)].sort()).toEqual(plantedIds);
}

/** Microsoft, run again on an invoice whose data has not changed: no download, no email. */
export function expectNothingSentForUnchangedInvoice(run: ExampleRun): void {
	expect(run.status).toBe('success');
	expect(run.emails).toEqual([]);
	expect(run.executedNodes).not.toContain('Start usage export');
}

/** Cisco: the invoices whose header total differs from their usage lines, with both amounts. */
export function expectCiscoHeaderEmail(run: ExampleRun, sandbox: Sandbox): void {
	const email = emailWithSubject(run, /header totals differ/);
	const planted = sandbox.cisco.plantedDiscrepancies();
	expect(attachmentRecords(email).map((record) => record['Invoice Number']).sort()).toEqual(planted.map((entry) => entry.invoiceNumber).sort());
	for (const entry of planted) {
		const record = attachmentRecords(email).find((candidate) => candidate['Invoice Number'] === entry.invoiceNumber);
		expect([record?.['Total Usage Amount A'], record?.['Total Usage Amount B']]).toEqual([entry.headerTotal, entry.usageSum]);
	}
	expect(idsIn(email.html, /\b5\d{8}\b/g)).toEqual(new Set(planted.map((entry) => entry.invoiceNumber)));
}

/** Cisco: exactly the planted differences per subscription against our records. */
export function expectCiscoSubscriptionEmail(run: ExampleRun, sandbox: Sandbox): void {
	const email = emailWithSubject(run, /subscriptions differ from our records/);
	const plantedIds = sandbox.partner.ciscoSubscriptions(lastMonth()).planted.map((entry) => entry.key['Subscription ID']).sort();
	expect(attachmentRecords(email).map((record) => record['Subscription ID']).sort()).toEqual(plantedIds);
	expect([...idsIn(email.html, /Sub\d{6}/g)].sort()).toEqual(plantedIds);
}

/**
 * A Microsoft export that fails at Microsoft: no email, one Slack alert from the workflow's
 * own error branch with the vendor, the invoice, the code, the message and `executionUrl`
 * (a pattern: the demo's execution ids are uuids, n8n's are numbers).
 */
export function expectMicrosoftExportFailureAlert(run: ExampleRun, executionUrl: RegExp): void {
	expect(run.emails).toEqual([]);
	expect(run.slack).toHaveLength(1);
	const [message] = run.slack;
	expect(message.channel).toBe('#billing-alerts');
	expect(message.text).toContain(`*Microsoft Partner Billing* failed in "Reconciliation per subscription" (invoice ${MICROSOFT_INVOICE})`);
	expect(message.text).toContain('Microsoft could not produce the export: The export could not be generated; try again later (code 3001)');
	expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${executionUrl.source}`));
}

/** The Cisco workflow failing at our records' server: the error workflow posts the workflow, the step and the execution link. */
export function expectErrorWorkflowAlert(run: ExampleRun & { errorWorkflowStatus: string | null }, executionUrl: RegExp): void {
	expect(run.status).toBe('error');
	expect(run.errorWorkflowStatus).toBe('success');
	expect(run.slack).toHaveLength(1);
	const [message] = run.slack;
	expect(message.channel).toBe('#billing-alerts');
	expect(message.text).toContain('*Billing: Cisco invoice usage check* failed in "Fetch our subscription records"');
	expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${executionUrl.source}`));
}
