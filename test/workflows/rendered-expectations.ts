/**
 * What a reader sees in each example email, rendered by Chromium (render.ts): both sides by
 * name, every planted discrepancy with its customer, its amounts in their currency with
 * grouped thousands, Δ and Δ %, and totals. The expected values come from the sandbox that
 * planted the discrepancies; the checks read the numbers back from the text shown.
 */
import { expectedLineItems, plantedDiscrepancies as graphPlanted } from '../../sandbox/graph/data';
import {
	partnerCenterInvoices,
	reconciliationTotalMicros,
} from '../../sandbox/graph/partnerCenter';
import type { Sandbox } from '../../sandbox';
import { MICROSOFT_INVOICE, lastMonth } from './examples';
import {
	MICROSOFT_USAGE_STATUS,
	ciscoCustomers,
	microsoftCustomers,
	partnerStatus,
	webexCustomers,
} from './expectations';
import { readNumber, readPercent, type RenderedEmail } from './render';

/** One compare field of a listed row: both sides' values (null: the side has no row), and the currency symbol they are shown with ('' for a plain number). */
interface ShownAmounts {
	a: number | null;
	b: number | null;
	symbol: string;
}

interface ExpectedRow {
	/** exact texts of the status, key and display columns */
	cells: Record<string, string>;
	/** by compare field */
	amounts: Record<string, ShownAmounts>;
}

interface ExpectedEmail {
	title: string;
	nameA: string;
	nameB: string;
	/** per compare field with a total: the symbol its totals are shown with */
	totals: Record<string, string>;
	/** per compare field, where the test knows them: both sides' totals */
	totalValues?: Record<string, { a: number; b: number }>;
	rows: ExpectedRow[];
}

const NO_VALUE = '—';

/** The symbol en-US writes for a currency ($ for USD). */
function symbolOf(currency: string): string {
	return new Intl.NumberFormat('en-US', { style: 'currency', currency })
		.formatToParts(1)
		.find((part) => part.type === 'currency')!.value;
}

const numberOrNull = (text: string | null) => (text === null ? null : Number(text));

/** What is wrong with one shown number, or nothing. */
function amountProblem(
	column: string,
	cell: string | undefined,
	expected: number | null,
	symbol: string,
): string[] {
	if (expected === null)
		return cell === NO_VALUE
			? []
			: [`${column}: "${cell}" where the side has no row (${NO_VALUE})`];
	const shown = readNumber(cell ?? '');
	if (shown === null)
		return [`${column}: "${cell}" is not a number written for people (grouped thousands)`];
	const problems: string[] = [];
	if (shown.symbol !== symbol)
		problems.push(`${column}: "${cell}" should be in ${symbol || 'no currency'}`);
	if (symbol !== '' && shown.decimals < 2)
		problems.push(`${column}: "${cell}" has fewer than 2 decimals`);
	if (Math.abs(shown.value - expected) > 0.5 * 10 ** -shown.decimals + 1e-9)
		problems.push(`${column}: "${cell}" is not ${expected}`);
	return problems;
}

/** Δ = B − A with its sign, and Δ % of |A|: one decimal from 1 % up, two significant digits below, never 0 % beside a Δ. */
function deltaProblems(
	row: Record<string, string>,
	field: string,
	{ a, b, symbol }: ShownAmounts,
): string[] {
	const deltaCell = row[`${field} Δ`];
	const percentCell = row[`${field} Δ %`];
	if (a === null || b === null)
		return deltaCell === '' && percentCell === ''
			? []
			: [`${field}: Δ "${deltaCell}" and Δ % "${percentCell}" where a side has no row`];
	const delta = b - a;
	const problems = amountProblem(`${field} Δ`, deltaCell, delta, symbol);
	const sign = delta > 0 ? '+' : delta < 0 ? '-' : '';
	if (readNumber(deltaCell)?.sign !== sign)
		problems.push(`${field} Δ: "${deltaCell}" should start with "${sign}"`);
	if (a === 0)
		return percentCell === ''
			? problems
			: [...problems, `${field} Δ %: "${percentCell}" where A is 0`];
	const percent = (delta / Math.abs(a)) * 100;
	const shown = readPercent(percentCell);
	const tolerance = Math.abs(percent) >= 1 ? 0.05 : Math.abs(percent) * 0.05;
	if (
		shown === null ||
		Math.abs(shown - percent) > tolerance + 1e-12 ||
		(percent !== 0 && shown === 0)
	)
		problems.push(`${field} Δ %: "${percentCell}" is not ${percent}%`);
	return problems;
}

/** Everything a reader would find wrong in the email, as a list (empty when it is right). */
function problemsOf(email: RenderedEmail, expected: ExpectedEmail): string[] {
	const { nameA, nameB } = expected;
	const problems: string[] = [];
	const said = (text: string) =>
		email.text.includes(text) || problems.push(`the email does not say "${text}"`);
	said(expected.title);
	said(`${nameA}: `);
	said(`· ${nameB}: `);
	said(`Only in ${nameA}`);
	said(`Only in ${nameB}`);
	said(`Δ = ${nameB} − ${nameA}`);
	if (/\bOnly in [AB]\b/.test(email.text)) problems.push('the email calls a side A or B');
	if (email.requests.length > 0)
		problems.push(`the email asks the network for ${email.requests.join(', ')}`);

	const [totals, listed] = email.tables;
	for (const [field, symbol] of Object.entries(expected.totals)) {
		const total = totals?.rows.find((row) => row.Total === field);
		if (!total) {
			problems.push(`no total of ${field}`);
			continue;
		}
		for (const side of [nameA, nameB]) {
			const shown = readNumber(total[side]);
			if (shown === null || shown.symbol !== symbol || !total[side].includes(','))
				problems.push(
					`total ${field} ${side}: "${total[side]}" is not in ${symbol || 'plain numbers'} with grouped thousands`,
				);
		}
		const values = expected.totalValues?.[field];
		if (values) {
			problems.push(...amountProblem(`total ${field} ${nameA}`, total[nameA], values.a, symbol));
			problems.push(...amountProblem(`total ${field} ${nameB}`, total[nameB], values.b, symbol));
		}
	}

	if (listed?.rows.length !== expected.rows.length)
		problems.push(
			`${listed?.rows.length ?? 0} discrepancies listed, ${expected.rows.length} planted`,
		);
	for (const { cells, amounts } of expected.rows) {
		const row = listed?.rows.find((candidate) =>
			Object.entries(cells).every(([column, text]) => candidate[column] === text),
		);
		if (!row) {
			problems.push(`no row ${JSON.stringify(cells)}`);
			continue;
		}
		for (const [field, shown] of Object.entries(amounts)) {
			problems.push(
				...amountProblem(`${field} ${nameA}`, row[`${field} ${nameA}`], shown.a, shown.symbol),
			);
			problems.push(
				...amountProblem(`${field} ${nameB}`, row[`${field} ${nameB}`], shown.b, shown.symbol),
			);
			problems.push(...deltaProblems(row, field, shown));
		}
	}
	return problems;
}

function expectEmail(email: RenderedEmail, expected: ExpectedEmail): void {
	expect({ title: expected.title, problems: problemsOf(email, expected) }).toEqual({
		title: expected.title,
		problems: [],
	});
}

export function expectWebexSeatEmailShown(email: RenderedEmail, sandbox: Sandbox): void {
	const customers = webexCustomers(sandbox);
	expectEmail(email, {
		title: `Webex seats vs billed seats, ${lastMonth()}`,
		nameA: 'Webex',
		nameB: 'our billing',
		totals: { seats: '' },
		rows: sandbox.partner.webexSeats(lastMonth()).planted.map((entry) => {
			const orgId = entry.key['Customer Org ID'];
			return {
				cells: {
					Status: partnerStatus(entry.kind, 'Webex'),
					CUSTOMER_ORG_ID: orgId,
					SKU: entry.key.SKU,
					CUSTOMER_EXTERNAL_ID: customers.get(orgId)!,
				},
				amounts: {
					seats: {
						a: numberOrNull(entry.vendorValue),
						b: numberOrNull(entry.partnerValue),
						symbol: '',
					},
				},
			};
		}),
	});
}

/** The currency of a Microsoft invoice's reconciliation lines. */
function microsoftSymbol(sandbox: Sandbox, invoiceId: string): string {
	const [line] = expectedLineItems(
		{ dataset: 'billedReconciliation', invoiceId, attributeSet: 'full' },
		{ seed: sandbox.seed },
	);
	return symbolOf(String(line.Currency));
}

export function expectMicrosoftUsageEmailShown(
	email: RenderedEmail,
	sandbox: Sandbox,
	invoiceId = MICROSOFT_INVOICE,
): void {
	const symbol = microsoftSymbol(sandbox, invoiceId);
	expectEmail(email, {
		title: `Microsoft invoice ${invoiceId}: reconciliation vs billed usage`,
		nameA: 'Microsoft invoice',
		nameB: 'Microsoft usage',
		totals: { Subtotal: symbol, BillableQuantity: '' },
		rows: graphPlanted(invoiceId, { seed: sandbox.seed }).map((entry) => {
			const inInvoice = entry.kind !== 'missingInReconciliation';
			const inUsage = entry.kind !== 'missingInUsage';
			return {
				cells: {
					Status: MICROSOFT_USAGE_STATUS[entry.kind],
					CustomerId: entry.customerId,
					SubscriptionId: entry.subscriptionId,
					CustomerName: entry.customerName,
				},
				amounts: {
					Subtotal: {
						a: inInvoice ? entry.reconciliation.subtotal : null,
						b: inUsage ? entry.usage.billingPreTaxTotal : null,
						symbol,
					},
					BillableQuantity: {
						a: inInvoice ? entry.reconciliation.billableQuantity : null,
						b: inUsage ? entry.usage.quantity : null,
						symbol: '',
					},
				},
			};
		}),
	});
}

export function expectMicrosoftInvoiceEmailShown(
	email: RenderedEmail,
	sandbox: Sandbox,
	invoiceId = MICROSOFT_INVOICE,
): void {
	const symbol = microsoftSymbol(sandbox, invoiceId);
	const customers = microsoftCustomers(sandbox, invoiceId);
	expectEmail(email, {
		title: `Microsoft invoice ${invoiceId}: Microsoft vs our customer invoices`,
		nameA: 'Microsoft',
		nameB: 'our billing',
		totals: { Total: symbol },
		rows: sandbox.partner.microsoftInvoices(invoiceId).planted.map((entry) => {
			const id = entry.key['Customer ID'];
			return {
				cells: {
					Status: partnerStatus(entry.kind, 'Microsoft'),
					CustomerId: id,
					CustomerName: customers.get(id)!,
				},
				amounts: {
					Total: {
						a: numberOrNull(entry.vendorValue),
						b: numberOrNull(entry.partnerValue),
						symbol,
					},
				},
			};
		}),
	});
}

/** The invoice's totalCharges against the exact total of its line items, in the invoice's currency. */
export function expectMicrosoftInvoiceTotalEmailShown(
	email: RenderedEmail,
	sandbox: Sandbox,
): void {
	const invoice = partnerCenterInvoices(sandbox.seed).find(
		(candidate) => candidate.id === MICROSOFT_INVOICE,
	)!;
	const symbol = symbolOf(invoice.currencyCode);
	const amounts = {
		a: invoice.totalCharges,
		b: reconciliationTotalMicros(MICROSOFT_INVOICE, sandbox.seed) / 1e6,
	};
	expectEmail(email, {
		title: `Microsoft invoice ${MICROSOFT_INVOICE}: invoice total vs its reconciliation line items`,
		nameA: 'Invoice',
		nameB: 'Line items',
		totals: { totalCharges: symbol },
		totalValues: { totalCharges: amounts },
		rows: [
			{
				cells: { Status: 'Different', id: MICROSOFT_INVOICE },
				amounts: { totalCharges: { ...amounts, symbol } },
			},
		],
	});
}

/** Last month's Cisco invoices, each with its header and usage lines. */
const ciscoInvoices = (sandbox: Sandbox) =>
	sandbox.cisco
		.invoices()
		.filter((invoice) => invoice.invoiceDate.startsWith(lastMonth()))
		.map((invoice) => sandbox.cisco.expectedUsage(invoice.invoiceNumber));

/** The currency of last month's Cisco invoice headers. */
const ciscoSymbol = (sandbox: Sandbox) => symbolOf(ciscoInvoices(sandbox)[0].header.Currency);

export function expectCiscoHeaderEmailShown(email: RenderedEmail, sandbox: Sandbox): void {
	const symbol = ciscoSymbol(sandbox);
	const invoices = ciscoInvoices(sandbox);
	const sum = (values: string[]) => values.reduce((total, value) => total + Number(value), 0);
	expectEmail(email, {
		title: 'Cisco invoices: header totals vs their usage lines',
		nameA: 'Cisco header',
		nameB: 'Cisco usage lines',
		totals: { 'Total Usage Amount': symbol },
		// Each invoice's header once, against all its usage lines.
		totalValues: {
			'Total Usage Amount': {
				a: sum(invoices.map((invoice) => invoice.header['Total Usage Amount'])),
				b: sum(invoices.flatMap((invoice) => invoice.lines.map((line) => line['Extended Amount']))),
			},
		},
		rows: sandbox.cisco.plantedDiscrepancies().map((entry) => ({
			cells: { Status: 'Different', 'Invoice Number': entry.invoiceNumber },
			amounts: {
				'Total Usage Amount': { a: Number(entry.headerTotal), b: Number(entry.usageSum), symbol },
			},
		})),
	});
}

export function expectCiscoSubscriptionEmailShown(email: RenderedEmail, sandbox: Sandbox): void {
	const symbol = ciscoSymbol(sandbox);
	const customers = ciscoCustomers(sandbox);
	expectEmail(email, {
		title: 'Cisco usage per subscription vs our records',
		nameA: 'Cisco',
		nameB: 'our billing',
		totals: { 'Extended Amount': symbol },
		rows: sandbox.partner.ciscoSubscriptions(lastMonth()).planted.map((entry) => {
			const id = entry.key['Subscription ID'];
			return {
				cells: {
					Status: partnerStatus(entry.kind, 'Cisco'),
					'Subscription ID': id,
					'Customer Name': customers.get(id)!,
				},
				amounts: {
					'Extended Amount': {
						a: numberOrNull(entry.vendorValue),
						b: numberOrNull(entry.partnerValue),
						symbol,
					},
				},
			};
		}),
	});
}
