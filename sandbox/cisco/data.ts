/**
 * Deterministic Cisco XaaS billing data: the partner (its bill-to id, BID), another partner
 * whose invoices the API must drop, customers, subscriptions, invoices over the last ~8 months,
 * and the Invoice Header / Consolidated Usage records of each invoice.
 *
 * The ZIP writer (download.ts) and the test helpers `expectedUsage` / `plantedDiscrepancies`
 * all consume `usageRecords()` and `headerRecord()`, so the files the sandbox serves and the
 * records tests expect cannot drift.
 *
 * Everything but the dates depends only on the seed: invoice numbers, BIDs, subscriptions and
 * amounts are the same every day; invoice dates are "N days before today" (UTC) so that
 * date-range requests meet the six-month rule, and the planted discrepancies are invoices of
 * last calendar month.
 *
 * Money is exact: amounts are integers of ten-thousandths (1e-4) and quantities integers of
 * hundredths; Extended Amount = Quantity x Unit Price rounded half away from zero to 1e-4;
 * sums use BigInt. Written as plain decimal strings without trailing zeros beyond two
 * decimals ("12.5" quantity, "12.50" / "12.345" / "12.3456" amounts).
 *
 * [sandbox] choices (the spec leaves file and column names open): the column names below,
 * dates as `YYYY-MM-DD`, currency USD, each invoice covers the 30 days before its invoice date,
 * about 3 % of the usage lines are credits (negative quantity and amount).
 */

import { Rng } from '../webex/prng';
import { formatDay } from '../webex/dates';

const PARTNER_INVOICES = 75;
const OTHER_BID_INVOICES = 6;
/** Invoices are spread over this many days before today: ~8 months, so some are older than six. */
const HISTORY_DAYS = 245;
const USAGE_PERIOD_DAYS = 30;
const CURRENCY = 'USD';

export const HEADER_COLUMNS = Object.freeze([
	'Invoice Number',
	'Invoice Date',
	'Bill To ID',
	'Currency',
	'Total Usage Amount',
	'Usage Line Count',
]);
export const USAGE_COLUMNS = Object.freeze([
	'Invoice Number',
	'Subscription ID',
	'Customer Name',
	'Product SKU',
	'Description',
	'Usage Start Date',
	'Usage End Date',
	'Quantity',
	'Unit Price',
	'Extended Amount',
]);

// Names with commas, double quotes and a semicolon on purpose: CSV quoting must matter with
// either delimiter.
const CUSTOMER_NAMES = Object.freeze([
	'Acme Networks, Inc.',
	'"Blue Sky" Hospitality Group',
	'Northwind Traders, "East" Region',
	'Contoso Health',
	'Fabrikam; Ltd.',
	'Tailspin "TS" Toys, LLC',
]);
const OTHER_PARTNER_CUSTOMER_NAMES = Object.freeze([
	'Globex Corporation',
	'Initech, "Main Office"',
]);

/**
 * Unit prices in ten-thousandths (minPrice..maxPrice); descriptions with commas, quotes and a semicolon.
 */
const PRODUCTS: ReadonlyArray<{
	sku: string;
	description: string;
	minPrice: number;
	maxPrice: number;
}> = Object.freeze([
	{
		sku: 'A-FLEX-NU-CALL',
		description: 'Webex Calling Professional, "Named User"',
		minPrice: 70000,
		maxPrice: 120000,
	},
	{
		sku: 'A-FLEX-MTG-ENT',
		description: 'Webex Meetings Enterprise',
		minPrice: 90000,
		maxPrice: 150000,
	},
	{
		sku: 'E3-DNA-ADV',
		description: 'DNA Advantage, per device / month',
		minPrice: 15000,
		maxPrice: 42500,
	},
	{
		sku: 'DUO-ADV-USR',
		description: 'Duo Advantage; "per user"',
		minPrice: 50000,
		maxPrice: 90000,
	},
	{
		sku: 'TE-CLOUD-UNITS',
		description: 'ThousandEyes Cloud Agent units',
		minPrice: 125,
		maxPrice: 3375,
	},
	{ sku: 'UMB-DNS-ESS', description: 'Umbrella DNS Essentials', minPrice: 21111, maxPrice: 28888 },
]);

/** Header total minus usage sum of the planted invoices, in ten-thousandths: 0.01, -7.50, 0.0001. */
const PLANTED_DELTAS = Object.freeze([100n, -75000n, 1n]);

export interface Subscription {
	subscriptionId: string;
	customerName: string;
	billingAddressId: number;
}

export interface Invoice {
	invoiceNumber: string;
	ageDays: number;
	invoiceDay: number;
	invoiceDate: string;
	billingAddressId: number;
	subscriptionIds: string[];
	defaultLineCount: number;
}

/**
 * `subscriptions` and `invoices` of both partners; invoices in date order (numbers
 * ascending); `planted` maps the planted invoices to their header-total delta.
 */
export interface Dataset {
	seed: number;
	partner: { billingAddressId: number };
	otherBillingAddressId: number;
	subscriptions: Subscription[];
	invoices: Invoice[];
	byNumber: Map<string, Invoice>;
	planted: Map<string, bigint>;
}

export interface UsageOptions {
	usageLinesPerInvoice?: number;
}

/** `units` (an integer of 10^-decimals) as a decimal string with at least `minDecimals` decimals. */
function formatDecimal(units: bigint, decimals: number, minDecimals: number) {
	const negative = units < 0n;
	const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
	let fraction = digits.slice(-decimals);
	while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
	return `${negative ? '-' : ''}${digits.slice(0, -decimals)}${fraction ? `.${fraction}` : ''}`;
}

/** Ten-thousandths as an amount string ("12.50", "12.345", "-0.0001"). */
function formatAmount(units: bigint) {
	return formatDecimal(units, 4, 2);
}

/** An amount string to ten-thousandths, exactly (throws on anything else). */
function parseAmount(amount: string): bigint {
	const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(amount);
	if (!m) throw new Error(`not an amount with at most 4 decimals: ${amount}`);
	const units = BigInt(m[2]) * 10000n + BigInt((m[3] || '').padEnd(4, '0'));
	return m[1] ? -units : units;
}

/** Round a product in 1e-6 to 1e-4, half away from zero (integers, exact below 2^53). */
function roundToTenThousandths(micros: number) {
	const magnitude = Math.floor((Math.abs(micros) + 50) / 100);
	return micros < 0 ? -magnitude : magnitude;
}

function pickDistinct(rng: Rng, items: readonly string[], count: number) {
	const pool = [...items];
	const out: string[] = [];
	while (out.length < count && pool.length)
		out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
	return out;
}

function newSubscriptionId(rng: Rng, taken: Set<string>) {
	for (;;) {
		const id = `Sub${rng.int(100000, 999999)}`;
		if (!taken.has(id)) {
			taken.add(id);
			return id;
		}
	}
}

/** First and last day numbers of the calendar month before `today`'s (UTC). */
function lastMonthDays(today: number): [number, number] {
	const date = new Date(today * 86400000);
	const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1) / 86400000;
	const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 0) / 86400000;
	return [start, end];
}

const datasetCache = new Map<string, Dataset>();

/**
 * The seeded data (cached per seed and day; treat as read-only).
 * @param today day number (days since 1970-01-01 UTC) the invoice dates count back from
 */
export function getDataset(seed: number, today: number): Dataset {
	const cacheKey = `${seed}|${today}`;
	const cached = datasetCache.get(cacheKey);
	if (cached) return cached;
	const rng = new Rng(seed, 'cisco');
	const partnerBid = rng.int(100000000, 199999999);
	const otherBid = partnerBid + rng.int(1, 999999);

	const takenIds = new Set<string>();
	const subscriptions: Subscription[] = [];
	for (const customerName of CUSTOMER_NAMES) {
		for (let i = rng.int(2, 3); i > 0; i--)
			subscriptions.push({
				subscriptionId: newSubscriptionId(rng, takenIds),
				customerName,
				billingAddressId: partnerBid,
			});
	}
	const otherSubscriptions = OTHER_PARTNER_CUSTOMER_NAMES.map((name) => ({
		subscriptionId: newSubscriptionId(rng, takenIds),
		customerName: name,
		billingAddressId: otherBid,
	}));
	subscriptions.push(...otherSubscriptions);
	const partnerSubIds = subscriptions
		.filter((s) => s.billingAddressId === partnerBid)
		.map((s) => s.subscriptionId);
	const otherSubIds = otherSubscriptions.map((s) => s.subscriptionId);

	// Invoice slots evenly spread over HISTORY_DAYS (oldest first), numbers ascending with the date;
	// a few slots belong to the other partner (Cisco numbers invoices across all partners).
	const total = PARTNER_INVOICES + OTHER_BID_INVOICES;
	const otherSlots = new Set<number>();
	while (otherSlots.size < OTHER_BID_INVOICES) otherSlots.add(rng.int(0, total - 1));
	let invoiceNumber = rng.int(300000000, 700000000);
	const invoices: Invoice[] = [];
	for (let slot = 0; slot < total; slot++) {
		invoiceNumber += rng.int(1, 2500);
		const ageDays = HISTORY_DAYS - Math.floor((slot * (HISTORY_DAYS - 1)) / (total - 1));
		const other = otherSlots.has(slot);
		const invoiceDay = today - ageDays;
		invoices.push({
			invoiceNumber: String(invoiceNumber),
			ageDays,
			invoiceDay,
			invoiceDate: formatDay(invoiceDay),
			billingAddressId: other ? otherBid : partnerBid,
			subscriptionIds: other
				? pickDistinct(rng, otherSubIds, rng.int(1, 2))
				: pickDistinct(rng, partnerSubIds, rng.int(2, 4)),
			defaultLineCount: rng.int(20, 200),
		});
	}

	const planted = new Map<string, bigint>();
	// In last calendar month: a monthly "last month's invoices" check (the example workflow) meets all of them.
	const [lastMonthStart, lastMonthEnd] = lastMonthDays(today);
	const candidates = invoices
		.filter(
			(i) =>
				i.billingAddressId === partnerBid &&
				i.invoiceDay >= lastMonthStart &&
				i.invoiceDay <= lastMonthEnd,
		)
		.map((i) => i.invoiceNumber);
	pickDistinct(rng, candidates, PLANTED_DELTAS.length).forEach((n, k) =>
		planted.set(n, PLANTED_DELTAS[k]),
	);

	const dataset: Dataset = {
		seed,
		partner: { billingAddressId: partnerBid },
		otherBillingAddressId: otherBid,
		subscriptions,
		invoices,
		byNumber: new Map(invoices.map((i) => [i.invoiceNumber, i])),
		planted,
	};
	datasetCache.set(cacheKey, dataset);
	return dataset;
}

export function invoiceOf(ds: Dataset, invoiceNumber: string) {
	const invoice = ds.byNumber.get(String(invoiceNumber));
	if (!invoice) throw new Error(`unknown Cisco invoice ${invoiceNumber}`);
	return invoice;
}

function lineCountOf(invoice: Invoice, opts: UsageOptions) {
	return opts.usageLinesPerInvoice ?? invoice.defaultLineCount;
}

/**
 * The Consolidated Usage records of an invoice, as strings in USAGE_COLUMNS order. A generator:
 * bench-sized invoices (option usageLinesPerInvoice) are never held as records.
 */
export function* usageRecords(
	ds: Dataset,
	invoice: Invoice,
	opts: UsageOptions = {},
): Generator<string[], void, undefined> {
	const rng = new Rng(ds.seed, 'cisco-usage', invoice.invoiceNumber);
	const subs = invoice.subscriptionIds.map(
		(id) => ds.subscriptions.find((s) => s.subscriptionId === id) as Subscription,
	);
	const periodStart = invoice.invoiceDay - USAGE_PERIOD_DAYS;
	const periodEnd = invoice.invoiceDay - 1;
	const count = lineCountOf(invoice, opts);
	for (let i = 0; i < count; i++) {
		const sub = subs[rng.int(0, subs.length - 1)];
		const product = PRODUCTS[rng.int(0, PRODUCTS.length - 1)];
		// Most lines cover the whole period; some start mid-period (a service activated later).
		const start = rng.chance(0.2) ? periodStart + rng.int(1, USAGE_PERIOD_DAYS - 1) : periodStart;
		// Quantities in hundredths: whole units mostly, fractions sometimes.
		let quantity = rng.chance(0.6) ? rng.int(1, 500) * 100 : rng.int(1, 50000);
		if (rng.chance(0.03)) quantity = -quantity; // a credit
		const unitPrice = rng.int(product.minPrice, product.maxPrice);
		const extended = roundToTenThousandths(quantity * unitPrice);
		yield [
			invoice.invoiceNumber,
			sub.subscriptionId,
			sub.customerName,
			product.sku,
			product.description,
			formatDay(start),
			formatDay(periodEnd),
			formatDecimal(BigInt(quantity), 2, 0),
			formatAmount(BigInt(unitPrice)),
			formatAmount(BigInt(extended)),
		];
	}
}

/** The exact sum of Extended Amount over an invoice's usage records, in ten-thousandths. */
function usageSumOf(ds: Dataset, invoice: Invoice, opts: UsageOptions = {}) {
	const column = USAGE_COLUMNS.indexOf('Extended Amount');
	let sum = 0n;
	for (const record of usageRecords(ds, invoice, opts)) sum += parseAmount(record[column]);
	return sum;
}

/**
 * The Invoice Header record (HEADER_COLUMNS order). Total Usage Amount is the exact usage sum,
 * plus the planted delta for the planted invoices.
 */
export function headerRecord(ds: Dataset, invoice: Invoice, opts: UsageOptions = {}): string[] {
	const total = usageSumOf(ds, invoice, opts) + (ds.planted.get(invoice.invoiceNumber) ?? 0n);
	return [
		invoice.invoiceNumber,
		invoice.invoiceDate,
		String(invoice.billingAddressId),
		CURRENCY,
		formatAmount(total),
		String(lineCountOf(invoice, opts)),
	];
}

function toObject(columns: readonly string[], record: readonly string[]): Record<string, string> {
	const out: Record<string, string> = {};
	columns.forEach((c, i) => (out[c] = record[i]));
	return out;
}

/**
 * The records of an invoice's two CSV files, keyed by column name, string values: what a
 * client must read from the ZIP.
 */
export function expectedUsage(ds: Dataset, invoiceNumber: string, opts: UsageOptions = {}) {
	const invoice = invoiceOf(ds, invoiceNumber);
	return {
		header: toObject(HEADER_COLUMNS, headerRecord(ds, invoice, opts)),
		lines: [...usageRecords(ds, invoice, opts)].map((r) => toObject(USAGE_COLUMNS, r)),
	};
}

/**
 * The invoices whose header total differs from their usage sum, with both amounts and
 * delta = header total - usage sum (strings, exact), in invoice-number order.
 */
export function plantedDiscrepancies(ds: Dataset, opts: UsageOptions = {}) {
	return [...ds.planted.keys()].sort().map((invoiceNumber) => {
		const invoice = invoiceOf(ds, invoiceNumber);
		const usageSum = usageSumOf(ds, invoice, opts);
		const delta = ds.planted.get(invoiceNumber) as bigint;
		return {
			invoiceNumber,
			headerTotal: formatAmount(usageSum + delta),
			usageSum: formatAmount(usageSum),
			delta: formatAmount(delta),
		};
	});
}
