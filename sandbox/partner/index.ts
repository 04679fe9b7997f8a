/**
 * The partner's own records: what a PSA/ERP export would say the partner billed its customers,
 * the "B side" of the example reconciliation workflows. Derived from the vendor emulators'
 * data, so they agree with what each vendor reports except for a few planted, documented
 * discrepancies (`plantedDiscrepancies()`), which the example workflows must find — and
 * nothing else.
 *
 *   GET /partner/webex-seats.csv?month=YYYY-MM            seats billed per customer and SKU
 *   GET /partner/microsoft-customer-invoices.csv?invoiceId=G000000004
 *                                                         amount invoiced per customer
 *   GET /partner/cisco-subscriptions.csv?month=YYYY-MM    usage amount expected per subscription
 *
 * `month` defaults to last month (UTC). Logged as vendor 'partner', kind 'records'.
 */

import { csvField } from '../csv';
import { sendJson, sendText } from '../server';
import { Rng } from '../webex/prng';
import { reportColumns, reportRows, parseHalves, SKUS } from '../webex/data';
import { expectedLineItems, getDataset } from '../graph/data';
import type { SandboxServer } from '../server';
import type { CiscoSandbox } from '../cisco';

const PREFIX = '/partner';

export interface PlantedRecord {
	kind: 'valueMismatch' | 'missingInPartnerRecords' | 'onlyInPartnerRecords';
	/** the record's key columns as the partner CSV names them */
	key: Record<string, string>;
	/** what the vendor's data gives (null: the vendor has no such key) */
	vendorValue: string | null;
	/** what the partner's record says (null: no record) */
	partnerValue: string | null;
}

export interface PartnerFile {
	header: string[];
	rows: string[][];
	planted: PlantedRecord[];
}

export function createPartner(
	server: SandboxServer,
	{ seed, cisco }: { seed: number; cisco: CiscoSandbox },
) {
	const cache = new Map<string, PartnerFile>();
	const cached = (key: string, build: () => PartnerFile) => {
		let file = cache.get(key);
		if (!file) cache.set(key, (file = build()));
		return file;
	};
	const files = {
		webexSeats: (month: string) => cached(`webex|${month}`, () => webexSeats(seed, month)),
		microsoftInvoices: (invoiceId: string) =>
			cached(`microsoft|${invoiceId}`, () => microsoftInvoices(seed, invoiceId)),
		ciscoSubscriptions: (month: string) =>
			cached(`cisco|${month}`, () => ciscoSubscriptions(seed, month, cisco)),
	};

	server.mount({
		vendor: 'partner',
		prefix: PREFIX,
		classify: (pathname) => ({ kind: 'records', path: pathname }),
		handle(ctx) {
			if (ctx.req.method !== 'GET') return sendJson(ctx.res, 405, { error: 'Only GET' });
			const month = typeof ctx.query.month === 'string' ? ctx.query.month : lastMonth();
			if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
				return sendJson(ctx.res, 400, { error: 'month must be YYYY-MM' });
			let file: PartnerFile | undefined;
			if (ctx.path === `${PREFIX}/webex-seats.csv`) file = files.webexSeats(month);
			else if (ctx.path === `${PREFIX}/cisco-subscriptions.csv`)
				file = files.ciscoSubscriptions(month);
			else if (ctx.path === `${PREFIX}/microsoft-customer-invoices.csv`) {
				const invoiceId =
					typeof ctx.query.invoiceId === 'string' ? ctx.query.invoiceId : latestInvoiceId(seed);
				file = files.microsoftInvoices(invoiceId);
			}
			if (!file) return sendJson(ctx.res, 404, { error: `No such file: ${ctx.path}` });
			sendText(ctx.res, 200, toCsv(file), 'text/csv; charset=utf-8');
		},
	});

	return {
		/** `${url}/partner` */
		get baseUrl() {
			return `${server.url}${PREFIX}`;
		},
		/** The records as the CSV has them, and the planted discrepancies of each file. */
		webexSeats: (month = lastMonth()) => files.webexSeats(month),
		microsoftInvoices: (invoiceId = latestInvoiceId(seed)) => files.microsoftInvoices(invoiceId),
		ciscoSubscriptions: (month = lastMonth()) => files.ciscoSubscriptions(month),
	};
}

/** Last month as YYYY-MM (UTC). */
function lastMonth(now = new Date()) {
	const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
	return first.toISOString().slice(0, 7);
}

/** @param month YYYY-MM */
function monthBounds(month: string) {
	const [year, monthNumber] = month.split('-').map(Number);
	const start = new Date(Date.UTC(year, monthNumber - 1, 1));
	const end = new Date(Date.UTC(year, monthNumber, 0));
	return {
		start: start.toISOString().slice(0, 10),
		end: end.toISOString().slice(0, 10),
		days: end.getUTCDate(),
	};
}

/**
 * Seats per customer and SKU as the Webex node's Ceil per Day rule gives them for the month's
 * CUSTOMER report: ceil(QUANTITY ÷ days in the month).
 */
function webexSeats(seed: number, month: string): PartnerFile {
	const { start, end, days } = monthBounds(month);
	const columns = reportColumns('CUSTOMER');
	const at = (name: string) => columns.indexOf(name);
	const groups: Map<string, { orgId: string; externalId: string; sku: string; halves: number }> =
		new Map();
	for (const row of reportRows(
		{ billingStartDate: start, billingEndDate: end, type: 'CUSTOMER' },
		{ seed },
	)) {
		const key = `${row[at('CUSTOMER_ORG_ID')]}|${row[at('SKU')]}`;
		const halves = parseHalves(row[at('QUANTITY')]);
		const group = groups.get(key);
		if (group) group.halves += halves;
		else
			groups.set(key, {
				orgId: row[at('CUSTOMER_ORG_ID')],
				externalId: row[at('CUSTOMER_EXTERNAL_ID')],
				sku: row[at('SKU')],
				halves,
			});
	}
	const records = [...groups.values()].map((group) => ({
		key: { 'Customer Org ID': group.orgId, SKU: group.sku },
		cells: [group.orgId, group.externalId, group.sku],
		value: String(Math.ceil(group.halves / (2 * days))),
	}));
	const rng = new Rng(seed, 'partner-webex', month);
	return plant(rng, ['Customer Org ID', 'Customer', 'SKU', 'Billed Seats'], records, {
		mismatches: [
			(value) => String(Number(value) + 1),
			(value) => String(Math.max(0, Number(value) - 2)),
		],
		extra: { key: { 'Customer Org ID': rng.uuid(), SKU: SKUS[0].sku }, cells: [], value: '12' },
		extraCells: (key) => [key['Customer Org ID'], 'FORMER-CUSTOMER-0099', key.SKU],
	});
}

/**
 * What the partner invoiced each customer for a Microsoft invoice: the sum of the customer's
 * reconciliation line Totals (the partner passes Microsoft's price on).
 */
function microsoftInvoices(seed: number, invoiceId: string): PartnerFile {
	const customers: Map<string, { name: string; currency: string; micros: bigint }> = new Map();
	for (const line of expectedLineItems(
		{ dataset: 'billedReconciliation', invoiceId, attributeSet: 'full' },
		{ seed },
	)) {
		const id = String(line.CustomerId);
		const micros = BigInt(Math.round(Number(line.Total) * 1e6));
		const customer = customers.get(id);
		if (customer) customer.micros += micros;
		else
			customers.set(id, {
				name: String(line.CustomerName),
				currency: String(line.Currency ?? line.PricingCurrency ?? ''),
				micros,
			});
	}
	const records = [...customers.entries()].map(([id, customer]) => ({
		key: { 'Customer ID': id },
		cells: [id, customer.name, customer.currency],
		value: formatUnits(customer.micros, 6),
	}));
	const rng = new Rng(seed, 'partner-microsoft', invoiceId);
	const currency = records[0]?.cells[2] ?? 'USD';
	return plant(rng, ['Customer ID', 'Customer', 'Currency', 'Invoiced Amount'], records, {
		mismatches: [(value) => addUnits(value, 1234n, 2), (value) => addUnits(value, -1n, 2)],
		extra: { key: { 'Customer ID': rng.uuid() }, cells: [], value: '310.25' },
		extraCells: (key) => [key['Customer ID'], 'Former Customer Ltd', currency],
	});
}

/**
 * The usage amount the partner's records expect per Cisco subscription for last month's
 * invoices: the sum of Extended Amount over their usage lines.
 */
function ciscoSubscriptions(seed: number, month: string, cisco: CiscoSandbox): PartnerFile {
	const subscriptions: Map<string, { customer: string; currency: string; units: bigint }> =
		new Map();
	for (const invoice of cisco
		.invoices()
		.filter((candidate) => candidate.invoiceDate.startsWith(month))) {
		const usage = cisco.expectedUsage(invoice.invoiceNumber);
		for (const line of usage.lines) {
			const id = line['Subscription ID'];
			const units = parseUnits(line['Extended Amount'], 4);
			const subscription = subscriptions.get(id);
			if (subscription) subscription.units += units;
			else
				subscriptions.set(id, {
					customer: line['Customer Name'],
					currency: usage.header.Currency,
					units,
				});
		}
	}
	const records = [...subscriptions.entries()].map(([id, subscription]) => ({
		key: { 'Subscription ID': id },
		cells: [id, subscription.customer, subscription.currency],
		value: formatUnits(subscription.units, 4),
	}));
	const rng = new Rng(seed, 'partner-cisco', month);
	const currency = records[0]?.cells[2] ?? 'USD';
	return plant(rng, ['Subscription ID', 'Customer', 'Currency', 'Expected Amount'], records, {
		mismatches: [(value) => addUnits(value, 2500n, 2), (value) => addUnits(value, -1n, 4)],
		extra: { key: { 'Subscription ID': 'Sub999999' }, cells: [], value: '480.00' },
		extraCells: (key) => [key['Subscription ID'], 'Former Customer, Inc.', currency],
	});
}

/**
 * Plants two value mismatches, one record left out and one extra record, chosen by the seed.
 * @param header key/label columns, then the value column last
 */
function plant(
	rng: Rng,
	header: string[],
	records: Array<{ key: Record<string, string>; cells: string[]; value: string }>,
	how: {
		mismatches: Array<(value: string) => string>;
		extra: { key: Record<string, string>; cells: string[]; value: string };
		extraCells: (key: Record<string, string>) => string[];
	},
): PartnerFile {
	const planted: PlantedRecord[] = [];
	const wanted = how.mismatches.length + 1;
	if (records.length < wanted)
		return { header, rows: records.map((record) => [...record.cells, record.value]), planted };
	const chosen = new Set<number>();
	while (chosen.size < wanted) chosen.add(rng.int(0, records.length - 1));
	const [missing, ...mismatched] = [...chosen];
	const rows: string[][] = [];
	records.forEach((record, index) => {
		if (index === missing) {
			planted.push({
				kind: 'missingInPartnerRecords',
				key: record.key,
				vendorValue: record.value,
				partnerValue: null,
			});
			return;
		}
		const change = how.mismatches[mismatched.indexOf(index)] as
			| ((value: string) => string)
			| undefined;
		const value = change ? change(record.value) : record.value;
		if (change)
			planted.push({
				kind: 'valueMismatch',
				key: record.key,
				vendorValue: record.value,
				partnerValue: value,
			});
		rows.push([...record.cells, value]);
	});
	rows.push([...how.extraCells(how.extra.key), how.extra.value]);
	planted.push({
		kind: 'onlyInPartnerRecords',
		key: how.extra.key,
		vendorValue: null,
		partnerValue: how.extra.value,
	});
	return { header, rows, planted };
}

function toCsv(file: PartnerFile) {
	const line = (row: readonly string[]) => row.map((cell) => csvField(cell)).join(',');
	return [file.header, ...file.rows].map(line).join('\r\n') + '\r\n';
}

function parseUnits(text: string, scale: number) {
	const negative = text.startsWith('-');
	const [whole, fraction = ''] = text.replace(/^[+-]/, '').split('.');
	const units = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
	return negative ? -units : units;
}

function formatUnits(units: bigint, scale: number) {
	const negative = units < 0n;
	const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
	const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
	return negative ? `-${text}` : text;
}

/** value + delta × 10^-scale, exactly. */
function addUnits(value: string, delta: bigint, scale: number) {
	const common = Math.max(scale, (value.split('.')[1] ?? '').length);
	return formatUnits(parseUnits(value, common) + delta * 10n ** BigInt(common - scale), common);
}

/** The newest billed invoice of the seeded Graph data. */
function latestInvoiceId(seed: number) {
	const invoices = getDataset(seed).invoices;
	return invoices[invoices.length - 1].invoiceId;
}

/** `sandbox.partner`. */
export type PartnerSandbox = ReturnType<typeof createPartner>;
