/**
 * What each example workflow run must deliver, derived from the sandbox that planted the
 * discrepancies: shared by the engine-level demo test (examples.test.ts) and the real n8n
 * server suite (test/n8n), so both hold the examples to the same account.
 */
import { parse } from 'csv-parse/sync';

import { expectedLineItems, plantedDiscrepancies as graphPlanted } from '../../sandbox/graph/data';
import {
	partnerCenterInvoices,
	reconciliationTotalMicros,
} from '../../sandbox/graph/partnerCenter';
import type { PartnerFile, PlantedRecord, Sandbox } from '../../sandbox';
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

/** CSV records of the discrepancy attachment, by column (customer names hold commas and quotes). */
export function attachmentRecords(email: ReceivedEmail): Array<Record<string, string>> {
	return parse(email.attachments[0].content, { bom: true, columns: true }) as Array<
		Record<string, string>
	>;
}

/** An amount as a number's text, however it was written ('480.00' and '480' alike); '' for none. */
const amount = (text: string | null | undefined) =>
	text === '' || text === null || text === undefined ? '' : String(Number(text));

/** The status words of the report for a planted partner record, with the sides' names. */
export function partnerStatus(kind: PlantedRecord['kind'], vendor: string): string {
	return {
		valueMismatch: 'Different',
		missingInPartnerRecords: `Only in ${vendor}`,
		onlyInPartnerRecords: 'Only in our billing',
	}[kind];
}

/** Microsoft reconciliation vs usage: the status words of a planted discrepancy. */
export const MICROSOFT_USAGE_STATUS = {
	subtotalMismatch: 'Different',
	quantityMismatch: 'Different',
	missingInUsage: 'Only in Microsoft invoice',
	missingInReconciliation: 'Only in Microsoft usage',
} as const;

/**
 * How each customer is named in the email (its display column): by the vendor's export, or
 * for a record only ours has, by our records.
 */
export function customerNames(
	vendorNames: Iterable<[string, string]>,
	ours: PartnerFile,
	keyColumn: string,
	nameColumn: string,
): Map<string, string> {
	const names = new Map(vendorNames);
	const key = ours.header.indexOf(keyColumn);
	const name = ours.header.indexOf(nameColumn);
	for (const row of ours.rows) if (!names.has(row[key])) names.set(row[key], row[name]);
	return names;
}

/** Webex: each customer org's external ID (Webex has no customer names in its report). */
export function webexCustomers(sandbox: Sandbox): Map<string, string> {
	const vendor = sandbox.webex.dataset.customers.map((customer): [string, string] => [
		customer.uuid,
		customer.externalId,
	]);
	return customerNames(
		vendor,
		sandbox.partner.webexSeats(lastMonth()),
		'Customer Org ID',
		'Customer',
	);
}

/** Microsoft: each customer's name on the invoice, or in our records. */
export function microsoftCustomers(
	sandbox: Sandbox,
	invoiceId = MICROSOFT_INVOICE,
): Map<string, string> {
	const lines = expectedLineItems(
		{ dataset: 'billedReconciliation', invoiceId, attributeSet: 'full' },
		{ seed: sandbox.seed },
	);
	const vendor = lines.map((line): [string, string] => [
		String(line.CustomerId),
		String(line.CustomerName),
	]);
	return customerNames(
		vendor,
		sandbox.partner.microsoftInvoices(invoiceId),
		'Customer ID',
		'Customer',
	);
}

/** Cisco: each subscription's customer name in last month's usage, or in our records. */
export function ciscoCustomers(sandbox: Sandbox): Map<string, string> {
	const invoices = sandbox.cisco
		.invoices()
		.filter((invoice) => invoice.invoiceDate.startsWith(lastMonth()));
	const vendor = invoices.flatMap((invoice) =>
		sandbox.cisco
			.expectedUsage(invoice.invoiceNumber)
			.lines.map((line): [string, string] => [line['Subscription ID'], line['Customer Name']]),
	);
	return customerNames(
		vendor,
		sandbox.partner.ciscoSubscriptions(lastMonth()),
		'Subscription ID',
		'Customer',
	);
}

export function emailWithSubject(run: ExampleRun, pattern: RegExp): ReceivedEmail {
	const email = run.emails.find((candidate) => pattern.test(candidate.subject));
	if (!email)
		throw new Error(
			`no email matching ${pattern} in ${run.emails.map((e) => e.subject).join(' | ')}`,
		);
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
	const customers = webexCustomers(sandbox);
	const row = (record: Record<string, string>) => [
		record.status,
		record.CUSTOMER_ORG_ID,
		record.SKU,
		record.CUSTOMER_EXTERNAL_ID,
		record['seats Webex'],
		record['seats our billing'],
	];
	expect(attachmentRecords(email).map(row).sort()).toEqual(
		planted
			.map((entry) => {
				const orgId = entry.key['Customer Org ID'];
				return [
					partnerStatus(entry.kind, 'Webex'),
					orgId,
					entry.key.SKU,
					customers.get(orgId),
					entry.vendorValue ?? '',
					entry.partnerValue ?? '',
				];
			})
			.sort(),
	);
	expect(idsIn(email.html, UUID)).toEqual(
		new Set(planted.map((entry) => entry.key['Customer Org ID'])),
	);
}

/** Microsoft: the invoice's planted reconciliation-vs-usage discrepancies, and only those. */
export function expectMicrosoftUsageEmail(
	run: ExampleRun,
	sandbox: Sandbox,
	invoiceId = MICROSOFT_INVOICE,
): void {
	const email = emailWithSubject(
		run,
		new RegExp(`^Microsoft invoice ${invoiceId}: .*differ from billed usage`),
	);
	const planted = graphPlanted(invoiceId, { seed: sandbox.seed });
	expect(
		attachmentRecords(email)
			.map((record) => [record.status, record.SubscriptionId, record.CustomerName])
			.sort(),
	).toEqual(
		planted
			.map((entry) => [
				MICROSOFT_USAGE_STATUS[entry.kind],
				entry.subscriptionId,
				entry.customerName,
			])
			.sort(),
	);
	const subscriptionsShown = [...idsIn(email.html, UUID)].filter(
		(id) => !planted.some((entry) => entry.customerId === id),
	);
	expect(new Set(subscriptionsShown)).toEqual(
		new Set(planted.map((entry) => entry.subscriptionId)),
	);
}

/**
 * Microsoft: exactly the planted differences between Microsoft and our customer invoices, for
 * the invoice the workflow found (our records are asked for that invoice only).
 */
export function expectMicrosoftInvoiceEmail(
	run: ExampleRun,
	sandbox: Sandbox,
	invoiceId = MICROSOFT_INVOICE,
): void {
	const email = emailWithSubject(
		run,
		new RegExp(`^Microsoft invoice ${invoiceId}: .*differ from our invoices`),
	);
	const planted = sandbox.partner.microsoftInvoices(invoiceId).planted;
	const customers = microsoftCustomers(sandbox, invoiceId);
	const row = (record: Record<string, string>) => [
		record.status,
		record.CustomerId,
		record.CustomerName,
		amount(record['Total Microsoft']),
		amount(record['Total our billing']),
	];
	expect(attachmentRecords(email).map(row).sort()).toEqual(
		planted
			.map((entry) => {
				const id = entry.key['Customer ID'];
				return [
					partnerStatus(entry.kind, 'Microsoft'),
					id,
					customers.get(id),
					amount(entry.vendorValue),
					amount(entry.partnerValue),
				];
			})
			.sort(),
	);
	expect([...idsIn(email.html, UUID)].sort()).toEqual(
		planted.map((entry) => entry.key['Customer ID']).sort(),
	);
}

/**
 * Microsoft: the invoice's totalCharges against the exact total of its reconciliation lines,
 * one email with both amounts when they differ (the sandbox plants a difference on the newest
 * invoice), and the invoice the workflow found for itself at Partner Center.
 */
export function expectMicrosoftInvoiceTotalEmail(run: ExampleRun, sandbox: Sandbox): void {
	const invoice = partnerCenterInvoices(sandbox.seed).find(
		(candidate) => candidate.id === MICROSOFT_INVOICE,
	)!;
	const email = emailWithSubject(run, /differs from its line items/);
	const totalCharges = BigInt(Math.round(invoice.totalCharges * 1e6));
	expect(email.subject).toBe(
		`Microsoft invoice ${MICROSOFT_INVOICE}: total ${subjectAmount(totalCharges)} ${invoice.currencyCode} differs from its line items`,
	);
	const [record] = attachmentRecords(email);
	expect(attachmentRecords(email)).toHaveLength(1);
	expect([record.status, record.id]).toEqual(['Different', MICROSOFT_INVOICE]);
	expect(
		[record['totalCharges Invoice'], record['totalCharges Line items']].map((value) =>
			BigInt(Math.round(Number(value) * 1e6)),
		),
	).toEqual([totalCharges, BigInt(reconciliationTotalMicros(MICROSOFT_INVOICE, sandbox.seed))]);
}

/** Microsoft, before the newest invoice is issued: the workflow takes the newest one there is. */
export function expectNewestIssuedInvoice(run: ExampleRun, invoiceId: string): void {
	expect(run.status).toBe('success');
	expect(run.emails.length).toBeGreaterThan(0);
	for (const email of run.emails)
		expect(email.subject).toMatch(new RegExp(`^Microsoft invoice ${invoiceId}: `));
}

/** A positive amount in micro-units as a subject shows it: rounded half up to cents, thousands grouped. */
function subjectAmount(micros: bigint): string {
	const cents = (micros + 5_000n) / 10_000n;
	return `${(cents / 100n).toLocaleString('en-US')}.${String(cents % 100n).padStart(2, '0')}`;
}

/** Microsoft: no total email, the invoice's total being the exact sum of its line items. */
export function expectNoInvoiceTotalEmail(run: ExampleRun): void {
	expect(run.status).toBe('success');
	expect(
		run.emails
			.map((email) => email.subject)
			.filter((subject) => /differs from its line items/.test(subject)),
	).toEqual([]);
}

/** Microsoft: the invoice is marked reconciled by the last node to run, after every email. */
export function expectMicrosoftInvoiceMarkedLast(run: ExampleRun): void {
	expect(run.status).toBe('success');
	const checks = [
		'Reconciliation vs usage',
		'Microsoft vs our invoices',
		'Invoice total vs line items',
		...run.executedNodes.filter((name) => name.startsWith('Email ')),
	];
	expect(run.executedNodes.slice(-2)).toEqual(['All checks done', 'Mark invoice reconciled']);
	for (const check of checks) expect(run.executedNodes).toContain(check);
}

/** Microsoft, run again once the newest invoice is reconciled: no export, no email, no mark. */
export function expectNothingSentForUnchangedInvoice(run: ExampleRun): void {
	expect(run.status).toBe('success');
	expect(run.emails).toEqual([]);
	expect(run.slack).toEqual([]);
	expect(run.executedNodes).toContain('Newest invoice');
	expect(run.executedNodes).not.toContain('Start reconciliation export');
	expect(run.executedNodes).not.toContain('Mark invoice reconciled');
}

/** Cisco: the invoices whose header total differs from their usage lines, with both amounts. */
export function expectCiscoHeaderEmail(run: ExampleRun, sandbox: Sandbox): void {
	const email = emailWithSubject(run, /header totals differ/);
	const planted = sandbox.cisco.plantedDiscrepancies();
	expect(
		attachmentRecords(email)
			.map((record) => record['Invoice Number'])
			.sort(),
	).toEqual(planted.map((entry) => entry.invoiceNumber).sort());
	for (const entry of planted) {
		const record = attachmentRecords(email).find(
			(candidate) => candidate['Invoice Number'] === entry.invoiceNumber,
		);
		expect([
			record?.status,
			record?.['Total Usage Amount Cisco header'],
			record?.['Total Usage Amount Cisco usage lines'],
		]).toEqual(['Different', entry.headerTotal, entry.usageSum]);
	}
	expect(idsIn(email.html, /\b5\d{8}\b/g)).toEqual(
		new Set(planted.map((entry) => entry.invoiceNumber)),
	);
}

/** Cisco: exactly the planted differences per subscription against our records. */
export function expectCiscoSubscriptionEmail(run: ExampleRun, sandbox: Sandbox): void {
	const email = emailWithSubject(run, /subscriptions differ from our records/);
	const planted = sandbox.partner.ciscoSubscriptions(lastMonth()).planted;
	const customers = ciscoCustomers(sandbox);
	const row = (record: Record<string, string>) => [
		record.status,
		record['Subscription ID'],
		record['Customer Name'],
		amount(record['Extended Amount Cisco']),
		amount(record['Extended Amount our billing']),
	];
	expect(attachmentRecords(email).map(row).sort()).toEqual(
		planted
			.map((entry) => {
				const id = entry.key['Subscription ID'];
				return [
					partnerStatus(entry.kind, 'Cisco'),
					id,
					customers.get(id),
					amount(entry.vendorValue),
					amount(entry.partnerValue),
				];
			})
			.sort(),
	);
	expect([...idsIn(email.html, /Sub\d{6}/g)].sort()).toEqual(
		planted.map((entry) => entry.key['Subscription ID']).sort(),
	);
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
	expect(message.text).toContain(
		`*Microsoft Partner Billing* failed in "Reconciliation per subscription" (invoice ${MICROSOFT_INVOICE})`,
	);
	expect(message.text).toContain(
		'Microsoft could not produce the export: The export could not be generated; try again later (code 3001)',
	);
	expect(message.text).toMatch(/\nOperation \S+ failed with code 3001\.\n/);
	expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${executionUrl.source}`));
}

/** The Cisco workflow failing at our records' server: the error workflow posts the workflow, the step and the execution link. */
export function expectErrorWorkflowAlert(
	run: ExampleRun & { errorWorkflowStatus: string | null },
	executionUrl: RegExp,
): void {
	expect(run.status).toBe('error');
	expect(run.errorWorkflowStatus).toBe('success');
	expect(run.slack).toHaveLength(1);
	const [message] = run.slack;
	expect(message.channel).toBe('#billing-alerts');
	expect(message.text).toContain(
		'*Billing: Cisco invoice usage check* failed in "Fetch our subscription records"',
	);
	expect(message.text).toMatch(new RegExp(`\\*Execution:\\* ${executionUrl.source}`));
}
