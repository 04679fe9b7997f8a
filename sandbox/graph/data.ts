/**
 * Seeded Microsoft partner-billing data: partner tenant, customers, subscriptions, billed
 * invoices and unbilled periods, and the line-item generators shared by the blob writer and
 * `expectedLineItems` (so tests compare against exactly what the blobs hold).
 *
 * Money: every amount is an integer number of micro-units (1e-6) internally and is written as
 * `micros / 1e6`, a JSON number whose shortest decimal form is exact (at most 6 fractional
 * digits). Quantities are integer quarters (`q4 / 4`). Sums are exact when done in micros.
 *
 * [sandbox] Reconciliation agrees with billed daily rated usage per customer/subscription
 * (Azure plan lines, ProductCategory 'Azure') except the planted discrepancies listed by
 * `plantedDiscrepancies(invoiceId)`. License subscriptions (ProductCategory 'Onlineservice')
 * appear in reconciliation only: daily rated usage excludes Office/Dynamics ([spec]).
 */

import { Rng } from '../webex/prng';

const DAY_MS = 86400000;

// [spec] attribute lists (names as the spec writes them; order is the sandbox's).
export const USAGE_BASIC = Object.freeze([
	'PartnerId',
	'PartnerName',
	'CustomerId',
	'CustomerName',
	'InvoiceNumber',
	'ProductId',
	'SkuId',
	'SkuName',
	'PublisherName',
	'SubscriptionId',
	'ChargeStartDate',
	'ChargeEndDate',
	'UsageDate',
	'Unit',
	'ResourceURI',
	'ChargeType',
	'UnitPrice',
	'Quantity',
	'BillingPreTaxTotal',
	'BillingCurrency',
	'PricingPreTaxTotal',
	'PricingCurrency',
	'EffectiveUnitPrice',
	'PCToBCExchangeRate',
	'EntitlementId',
	'CreditPercentage',
	'CreditType',
	'BenefitOrderID',
	'BenefitType',
]);
export const USAGE_FULL_ADDS = Object.freeze([
	'CustomerDomainName',
	'CustomerCountry',
	'MpnId',
	'Tier2MpnId',
	'AvailabilityId',
	'ProductName',
	'PublisherId',
	'SubscriptionDescription',
	'MeterType',
	'MeterCategory',
	'MeterId',
	'MeterSubCategory',
	'MeterName',
	'MeterRegion',
	'ResourceLocation',
	'ConsumedService',
	'ResourceGroup',
	'UnitType',
	'ServiceInfo1',
	'ServiceInfo2',
	'Tags',
	'AdditionalInfo',
	'PCToBCExchangeRateDate',
	'EntitlementDescription',
	'PartnerEarnedCreditPercentage',
	'BenefitID',
]);
export const RECON_BASIC = Object.freeze([
	'PartnerId',
	'CustomerId',
	'CustomerName',
	'InvoiceNumber',
	'Tier2MpnId',
	'OrderId',
	'OrderDate',
	'ProductId',
	'SkuId',
	'AvailabilityId',
	'ProductName',
	'ChargeType',
	'UnitPrice',
	'Subtotal',
	'TaxTotal',
	'Total',
	'Currency',
	'PriceAdjustmentDescription',
	'PublisherName',
	'SubscriptionId',
	'ChargeStartDate',
	'ChargeEndDate',
	'TermAndBillingCycle',
	'EffectiveUnitPrice',
	'BillableQuantity',
	'PricingCurrency',
	'PCToBCExchangeRate',
	'ReservationOrderId',
	'CreditReasonCode',
	'SubscriptionStartDate',
	'SubscriptionEndDate',
	'ReferenceId',
	'PromotionId',
	'ProductCategory',
]);
export const RECON_FULL_ADDS = Object.freeze([
	'CustomerDomainName',
	'CustomerCountry',
	'MpnId',
	'SkuName',
	'Quantity',
	'PublisherId',
	'SubscriptionDescription',
	'UnitType',
	'AlternateId',
	'BillingFrequency',
	'PCToBCExchangeRateDate',
	'MeterDescription',
	'ProductQualifiers',
]);

export type GraphDataset =
	| 'billedUsage'
	| 'unbilledUsage'
	| 'billedReconciliation'
	| 'unbilledReconciliation';
export type AttributeSet = 'full' | 'basic';

export function attributeNames(dataset: GraphDataset, attributeSet: AttributeSet) {
	const usage = dataset === 'billedUsage' || dataset === 'unbilledUsage';
	const basic = usage ? USAGE_BASIC : RECON_BASIC;
	return attributeSet === 'basic'
		? [...basic]
		: [...basic, ...(usage ? USAGE_FULL_ADDS : RECON_FULL_ADDS)];
}

const money = (micros: number) => micros / 1e6;
const qty = (q4: number) => q4 / 4;

// [sandbox] Azure plan meters. Unit prices in USD micros, all multiples of 4 so price x quarter
// quantity stays an integer number of micros.
const METERS = Object.freeze([
	{
		key: 'vm',
		name: 'D2s v3',
		category: 'Virtual Machines',
		sub: 'Dsv3 Series',
		unit: '1 Hour',
		priceMicros: 96000,
		service: 'Microsoft.Compute',
		provider: 'Microsoft.Compute/virtualMachines',
		maxQ4: 96,
	},
	{
		key: 'lrs',
		name: 'LRS Data Stored',
		category: 'Storage',
		sub: 'General Block Blob v2',
		unit: '1 GB/Month',
		priceMicros: 18400,
		service: 'Microsoft.Storage',
		provider: 'Microsoft.Storage/storageAccounts',
		maxQ4: 2000,
	},
	{
		key: 'egress',
		name: 'Standard Data Transfer Out',
		category: 'Bandwidth',
		sub: 'Rtn Preference: MGN',
		unit: '1 GB',
		priceMicros: 87000,
		service: 'Microsoft.Network',
		provider: 'Microsoft.Network/publicIPAddresses',
		maxQ4: 400,
	},
	{
		key: 'sql',
		name: 'vCore',
		category: 'SQL Database',
		sub: 'General Purpose - Compute Gen5',
		unit: '1 Hour',
		priceMicros: 504400,
		service: 'Microsoft.Sql',
		provider: 'Microsoft.Sql/servers',
		maxQ4: 96,
	},
	{
		key: 'app',
		name: 'P1 v3 App',
		category: 'Azure App Service',
		sub: 'Premium v3 Plan',
		unit: '1 Hour',
		priceMicros: 200000,
		service: 'Microsoft.Web',
		provider: 'Microsoft.Web/serverfarms',
		maxQ4: 96,
	},
	{
		key: 'logs',
		name: 'Analytics Logs Data Ingestion',
		category: 'Log Analytics',
		sub: 'Analytics Logs',
		unit: '1 GB',
		priceMicros: 2760000,
		service: 'Microsoft.OperationalInsights',
		provider: 'Microsoft.OperationalInsights/workspaces',
		maxQ4: 40,
	},
	{
		key: 'kv',
		name: 'Operations',
		category: 'Key Vault',
		sub: 'Standard',
		unit: '10K',
		priceMicros: 30000,
		service: 'Microsoft.KeyVault',
		provider: 'Microsoft.KeyVault/vaults',
		maxQ4: 200,
	},
	{
		key: 'func',
		name: 'Standard Execution Time',
		category: 'Functions',
		sub: 'Consumption',
		unit: '1 GB Second',
		priceMicros: 16,
		service: 'Microsoft.Web',
		provider: 'Microsoft.Web/sites',
		maxQ4: 1600000,
	},
]);
const REGIONS = Object.freeze([
	['EU West', 'westeurope'],
	['US East', 'eastus'],
	['US West 2', 'westus2'],
	['EU North', 'northeurope'],
]);

// [sandbox] license products (reconciliation only). Prices in USD micros per seat and month.
const LICENSES = Object.freeze([
	{
		productId: 'CFQ7TTC0LH18',
		skuId: '0001',
		name: 'Microsoft 365 Business Basic',
		priceMicros: 6000000,
	},
	{
		productId: 'CFQ7TTC0LDPB',
		skuId: '0001',
		name: 'Microsoft 365 Business Standard',
		priceMicros: 12500000,
	},
	{ productId: 'CFQ7TTC0LFLZ', skuId: '0001', name: 'Microsoft 365 E3', priceMicros: 36000000 },
	{
		productId: 'CFQ7TTC0RWH7',
		skuId: '0001',
		name: 'Microsoft Teams Essentials',
		priceMicros: 4000000,
	},
]);

const COMPANY_WORDS = Object.freeze([
	'Adatum',
	'Alpine',
	'Bluebird',
	'Contour',
	'Fabrikam',
	'Granite',
	'Harbor',
	'Ironwood',
	'Juniper',
	'Kestrel',
	'Lakeside',
	'Meridian',
	'Northwind',
	'Orchid',
	'Proseware',
	'Quarry',
	'Redwood',
	'Summit',
	'Tailspin',
	'Umbra',
	'Vanguard',
	'Wingtip',
	'Xylem',
	'Yellowstone',
]);
const COMPANY_SUFFIXES = Object.freeze(['Ltd', 'Inc', 'GmbH', 'Corp', 'LLC', 'Partners', 'Group']);

/** EUR prices: USD x 0.92, rounded to a multiple of 4 micros (never 0). */
const eurPrice = (usdMicros: number) => Math.max(4, Math.round((usdMicros * 92) / 100 / 4) * 4);
/** [sandbox] tax rates in percent per customer country */
const TAX_PERCENT: Record<string, number> = { US: 0, DE: 19, FR: 20, NL: 21 };

/** @param m1 1-based month */
const monthStartMs = (y: number, m1: number) => Date.UTC(y, m1 - 1, 1);
const isoDayCache: Map<number, string> = new Map();
/** `YYYY-MM-DDT00:00:00Z` of a UTC midnight (cached: the bench writes millions of lines). */
function isoDay(ms: number) {
	let s = isoDayCache.get(ms);
	if (s === undefined) {
		s = `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`;
		if (isoDayCache.size < 100000) isoDayCache.set(ms, s);
	}
	return s;
}

export interface Customer {
	id: string;
	name: string;
	domain: string;
	country: string;
	currency: 'USD' | 'EUR';
	tier2MpnId: string;
	azure: AzureSub[];
	licenses: LicenseSub[];
}

export interface AzureSub {
	/** Partner Center subscription id (SubscriptionId) */
	id: string;
	/** Azure subscription id (EntitlementId) */
	entitlementId: string;
	description: string;
	orderId: string;
	resourceGroup: string;
	startMs: number;
	meters: Array<
		(typeof METERS)[number] & { meterId: string; region: string; location: string; tags: string }
	>;
}

export interface LicenseSub {
	id: string;
	orderId: string;
	seats: number;
	startMs: number;
	product: (typeof LICENSES)[number];
}

const datasetCache: Map<number, ReturnType<typeof buildDataset>> = new Map();

export function getDataset(seed: number) {
	let ds = datasetCache.get(seed);
	if (!ds) {
		ds = buildDataset(seed);
		datasetCache.set(seed, ds);
	}
	return ds;
}

function buildDataset(seed: number) {
	const rng = new Rng(seed, 'graph-dataset');
	const meterIds = METERS.map(() => rng.uuid());
	const partner = {
		tenantId: rng.uuid(),
		name: 'Contoso Cloud Partner (sandbox)',
		mpnId: String(rng.int(4000000, 4999999)),
		domain: 'contosopartner.onmicrosoft.com',
	};
	const customers: Customer[] = [];
	for (let i = 0; i < 24; i++) {
		const eur = i >= 16;
		const country = eur ? ['DE', 'FR', 'NL'][i % 3] : 'US';
		const name = `${COMPANY_WORDS[i]} ${rng.pick(COMPANY_SUFFIXES)}`;
		const domain = `${COMPANY_WORDS[i].toLowerCase()}${rng.int(10, 99)}.onmicrosoft.com`;
		const c: Customer = {
			id: rng.uuid(),
			name,
			domain,
			country,
			currency: eur ? 'EUR' : 'USD',
			tier2MpnId: rng.chance(0.25) ? String(rng.int(5000000, 5999999)) : '',
			azure: [],
			licenses: [],
		};
		const nAzure = rng.int(1, 2);
		for (let s = 0; s < nAzure; s++) {
			const nMeters = rng.int(2, 4);
			const pool = METERS.map((m, idx) => idx);
			const meters: AzureSub['meters'] = [];
			for (let k = 0; k < nMeters; k++) {
				const idx = pool.splice(rng.int(0, pool.length - 1), 1)[0];
				const [region, location] = rng.pick(REGIONS);
				const m = METERS[idx];
				meters.push({
					...m,
					priceMicros: eur ? eurPrice(m.priceMicros) : m.priceMicros,
					meterId: meterIds[idx],
					region,
					location,
					tags: rng.chance(0.5) ? JSON.stringify({ costCenter: `cc-${rng.int(100, 999)}` }) : '',
				});
			}
			meters.sort((a, b) => (a.key < b.key ? -1 : 1));
			c.azure.push({
				id: rng.uuid(),
				entitlementId: rng.uuid(),
				description: `Azure subscription ${s + 1}`,
				orderId: rng.uuid().replace(/-/g, '').slice(0, 20),
				resourceGroup: `rg-${COMPANY_WORDS[i].toLowerCase()}-${s + 1}`,
				startMs: Date.UTC(2023, 0, 1 + rng.int(0, 200)),
				meters,
			});
		}
		const nLic = rng.int(1, 2);
		const lpool = LICENSES.map((l, idx) => idx);
		for (let s = 0; s < nLic; s++) {
			const p = LICENSES[lpool.splice(rng.int(0, lpool.length - 1), 1)[0]];
			c.licenses.push({
				id: rng.uuid(),
				orderId: rng.uuid().replace(/-/g, '').slice(0, 20),
				seats: rng.int(3, 120),
				startMs: Date.UTC(2023, rng.int(0, 6), 1),
				product: { ...p, priceMicros: eur ? eurPrice(p.priceMicros) : p.priceMicros },
			});
		}
		customers.push(c);
	}
	// [sandbox] billed invoices (billed data exists from September 2023 on [spec]).
	const invoices = Object.freeze([
		{ invoiceId: 'G000000001', currency: 'USD', year: 2023, month: 9 },
		{ invoiceId: 'G000000002', currency: 'EUR', year: 2023, month: 9 },
		{ invoiceId: 'G000000003', currency: 'USD', year: 2023, month: 10 },
		{ invoiceId: 'G000000004', currency: 'USD', year: 2023, month: 11 },
	]);
	return { seed, partner, customers, invoices, currencies: Object.freeze(['USD', 'EUR']) };
}

export interface Period {
	/** 'G000000001' or 'unbilled:current:USD' */
	key: string;
	/** '' for unbilled */
	invoiceId: string;
	currency: 'USD' | 'EUR';
	/** first day of the billing month */
	startMs: number;
	/** last day of the billing month */
	endMs: number;
	/** last day with usage (yesterday for the current period) */
	lastUsageMs: number;
	/** YYYYMM */
	billingMonth: string;
}

/** Resolve an export request to a billing period; undefined = no data (the operation fails with 5000). */
export function resolvePeriod(
	seed: number,
	req: { invoiceId?: string; billingPeriod?: string; currencyCode?: string },
	nowMs = Date.now(),
): Period | undefined {
	const ds = getDataset(seed);
	if (req.invoiceId !== undefined) {
		const inv = ds.invoices.find((i) => i.invoiceId === req.invoiceId);
		if (!inv) return undefined;
		const startMs = monthStartMs(inv.year, inv.month);
		const endMs = monthStartMs(inv.year, inv.month + 1) - DAY_MS;
		return {
			key: inv.invoiceId,
			invoiceId: inv.invoiceId,
			currency: inv.currency as 'USD' | 'EUR',
			startMs,
			endMs,
			lastUsageMs: endMs,
			billingMonth: `${inv.year}${String(inv.month).padStart(2, '0')}`,
		};
	}
	const currency = req.currencyCode;
	if (currency !== 'USD' && currency !== 'EUR') return undefined;
	const now = new Date(nowMs);
	const y = now.getUTCFullYear();
	const m = now.getUTCMonth() + 1 - (req.billingPeriod === 'last' ? 1 : 0);
	const startMs = monthStartMs(y, m);
	const endMs = monthStartMs(y, m + 1) - DAY_MS;
	// [spec] daily rated usage appears with up to 24 h delay: the current period has usage up to yesterday.
	const yesterday = Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS;
	const lastUsageMs =
		req.billingPeriod === 'last' ? endMs : Math.max(startMs, Math.min(endMs, yesterday));
	const d = new Date(startMs);
	return {
		key: `unbilled:${req.billingPeriod}:${currency}`,
		invoiceId: '',
		currency,
		startMs,
		endMs,
		lastUsageMs,
		billingMonth: `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
	};
}

const activeAzure = (c: Customer, p: Period) => c.azure.filter((s) => s.startMs <= p.endMs);

/**
 * Build one full daily-rated-usage line (keys in the full attribute order).
 * @param replica 0 normally; the bench scale option adds more resources per meter
 */
function usageLine(
	ds: ReturnType<typeof buildDataset>,
	p: Period,
	c: Customer,
	s: AzureSub,
	m: AzureSub['meters'][number],
	dayMs: number,
	q4: number,
	replica: number,
) {
	const billingMicros = (m.priceMicros * q4) / 4;
	const eur = p.currency === 'EUR';
	const resourceName = `${m.key}-${c.domain.slice(0, 6)}-${s.description.slice(-1)}${replica ? `-${replica}` : ''}`;
	return {
		PartnerId: ds.partner.tenantId,
		PartnerName: ds.partner.name,
		CustomerId: c.id,
		CustomerName: c.name,
		InvoiceNumber: p.invoiceId,
		ProductId: 'DZH318Z0BQPS',
		SkuId: '0001',
		SkuName: 'Microsoft Azure Plan',
		PublisherName: 'Microsoft',
		SubscriptionId: s.id,
		ChargeStartDate: isoDay(p.startMs),
		ChargeEndDate: isoDay(p.endMs),
		UsageDate: isoDay(dayMs),
		Unit: m.unit,
		ResourceURI: `/subscriptions/${s.entitlementId}/resourceGroups/${s.resourceGroup}/providers/${m.provider}/${resourceName}`,
		ChargeType: 'new',
		UnitPrice: money(m.priceMicros),
		Quantity: qty(q4),
		BillingPreTaxTotal: money(billingMicros),
		BillingCurrency: p.currency,
		PricingPreTaxTotal: eur ? money(Math.round((billingMicros * 100) / 92)) : money(billingMicros),
		PricingCurrency: 'USD',
		EffectiveUnitPrice: money(m.priceMicros),
		PCToBCExchangeRate: eur ? 0.92 : 1,
		EntitlementId: s.entitlementId,
		CreditPercentage: 0,
		CreditType: 'Credit Not Applicable',
		BenefitOrderID: '',
		BenefitType: '',
		CustomerDomainName: c.domain,
		CustomerCountry: c.country,
		MpnId: ds.partner.mpnId,
		Tier2MpnId: c.tier2MpnId,
		AvailabilityId: 'DZH318Z0BQPS0001',
		ProductName: 'Azure plan',
		PublisherId: '',
		SubscriptionDescription: s.description,
		MeterType: m.unit,
		MeterCategory: m.category,
		MeterId: m.meterId,
		MeterSubCategory: m.sub,
		MeterName: m.name,
		MeterRegion: m.region,
		ResourceLocation: m.location,
		ConsumedService: m.service,
		ResourceGroup: s.resourceGroup,
		UnitType: m.unit,
		ServiceInfo1: '',
		ServiceInfo2: '',
		Tags: m.tags,
		AdditionalInfo: '',
		PCToBCExchangeRateDate: isoDay(p.startMs),
		EntitlementDescription: s.description,
		PartnerEarnedCreditPercentage: c.tier2MpnId ? 0 : 15,
		BenefitID: '',
	};
}

type UsageLine = ReturnType<typeof usageLine>;
type ReconLine = ReturnType<typeof reconLine>;

interface PeriodData {
	period: Period;
	/** full lines as exported (discrepancies applied) */
	usage: Array<Record<string, unknown>>;
	/** full lines as exported (discrepancies applied) */
	recon: Array<Record<string, unknown>>;
	discrepancies: Discrepancy[];
}

export interface Discrepancy {
	kind: 'subtotalMismatch' | 'quantityMismatch' | 'missingInReconciliation' | 'missingInUsage';
	invoiceId: string;
	customerId: string;
	customerName: string;
	subscriptionId: string;
	description: string;
	/** sums over the subscription's exported usage lines */
	usage: { quantity: number; billingPreTaxTotal: number; lineCount: number };
	/** sums over its exported reconciliation lines */
	reconciliation: { billableQuantity: number; subtotal: number; lineCount: number };
}

const periodCache: Map<string, PeriodData> = new Map();

/** All line items of a period (small: a few thousand lines; the bench scale uses scaledUsageLines). */
function periodData(seed: number, p: Period): PeriodData {
	const cacheKey = `${seed}|${p.key}|${p.startMs}|${p.lastUsageMs}`;
	const hit = periodCache.get(cacheKey);
	if (hit) return hit;
	const ds = getDataset(seed);
	const customers = ds.customers.filter((c) => c.currency === p.currency);
	/** usage lines per subscription, in order */
	const usageBySub = new Map<string, UsageLine[]>();
	/** reconciliation usage lines per subscription */
	const reconBySub = new Map<string, ReconLine[]>();
	const licenseLines: ReconLine[] = [];
	for (const c of customers) {
		const taxPercent = TAX_PERCENT[c.country] ?? 0;
		for (const s of activeAzure(c, p)) {
			const lines: UsageLine[] = [];
			const recon: ReconLine[] = [];
			for (const m of s.meters) {
				const rng = new Rng(seed, 'graph-usage', p.key, p.startMs, s.id, m.key);
				let q4Sum = 0;
				let microsSum = 0;
				for (let day = p.startMs; day <= p.lastUsageMs; day += DAY_MS) {
					if (!rng.chance(0.85)) continue;
					const q4 = rng.int(1, m.maxQ4);
					lines.push(usageLine(ds, p, c, s, m, day, q4, 0));
					q4Sum += q4;
					microsSum += (m.priceMicros * q4) / 4;
				}
				if (q4Sum === 0) continue;
				recon.push(
					reconLine(ds, p, c, {
						subscriptionId: s.id,
						orderId: s.orderId,
						productId: 'DZH318Z0BQPS',
						skuId: '0001',
						availabilityId: 'DZH318Z0BQPS0001',
						productName: 'Azure plan',
						skuName: 'Microsoft Azure Plan',
						description: s.description,
						chargeType: 'usage',
						unitPriceMicros: m.priceMicros,
						q4: q4Sum,
						subtotalMicros: microsSum,
						taxPercent,
						unitType: m.unit,
						meterDescription: `${m.category} - ${m.name} - ${m.region}`,
						term: 'none',
						frequency: '',
						category: 'Azure',
						subStartMs: s.startMs,
						subEndMs: Date.UTC(2099, 11, 31),
						alternateId: m.meterId.slice(0, 12),
						qualifiers: ['Consumption'],
					}),
				);
			}
			usageBySub.set(s.id, lines);
			reconBySub.set(s.id, recon);
		}
		for (const l of c.licenses) {
			if (l.startMs > p.endMs) continue;
			licenseLines.push(
				reconLine(ds, p, c, {
					subscriptionId: l.id,
					orderId: l.orderId,
					productId: l.product.productId,
					skuId: l.product.skuId,
					availabilityId: `${l.product.productId}${l.product.skuId}`,
					productName: l.product.name,
					skuName: l.product.name,
					description: l.product.name,
					chargeType: 'cycleCharge',
					unitPriceMicros: l.product.priceMicros,
					q4: l.seats * 4,
					subtotalMicros: l.product.priceMicros * l.seats,
					taxPercent,
					unitType: 'Licenses',
					meterDescription: '',
					term: 'One-Year commitment for monthly/recurring billing',
					frequency: 'Monthly',
					category: 'Onlineservice',
					subStartMs: l.startMs,
					subEndMs: Date.UTC(
						new Date(l.startMs).getUTCFullYear() + 1,
						new Date(l.startMs).getUTCMonth(),
						0,
					),
					alternateId: l.id.slice(0, 12),
					qualifiers: [],
				}),
			);
		}
	}

	const discrepancies: Discrepancy[] = [];
	if (p.invoiceId) plant(seed, p, customers, usageBySub, reconBySub, discrepancies);

	const usage = [];
	const recon = [];
	for (const c of customers) {
		for (const s of activeAzure(c, p)) {
			usage.push(...(usageBySub.get(s.id) || []));
			recon.push(...(reconBySub.get(s.id) || []));
		}
	}
	recon.push(...licenseLines);
	const out = { period: p, usage, recon, discrepancies };
	if (periodCache.size > 64) periodCache.clear();
	periodCache.set(cacheKey, out);
	return out;
}

/**
 * [sandbox] The planted discrepancies of a billed invoice: four distinct Azure subscriptions
 * (chosen by the seed), one per kind. Mutates the per-subscription line lists.
 */
function plant(
	seed: number,
	p: Period,
	customers: Customer[],
	usageBySub: Map<string, UsageLine[]>,
	reconBySub: Map<string, ReconLine[]>,
	out: Discrepancy[],
) {
	const rng = new Rng(seed, 'graph-discrepancies', p.invoiceId);
	const candidates: Array<{ c: Customer; s: AzureSub }> = [];
	for (const c of customers)
		for (const s of activeAzure(c, p))
			if ((reconBySub.get(s.id) || []).length) candidates.push({ c, s });
	const kinds: Discrepancy['kind'][] = [
		'subtotalMismatch',
		'quantityMismatch',
		'missingInReconciliation',
		'missingInUsage',
	];
	for (const kind of kinds) {
		const { c, s } = candidates.splice(rng.int(0, candidates.length - 1), 1)[0];
		const recon = reconBySub.get(s.id) as ReconLine[];
		let description = '';
		if (kind === 'subtotalMismatch') {
			const line = recon[0];
			const deltaMicros = rng.pick([1250000, 10000000, 375000]);
			setReconAmounts(line, Math.round(line.Subtotal * 1e6) + deltaMicros, c);
			line.PriceAdjustmentDescription = '["Manual price adjustment"]';
			description = `reconciliation Subtotal is ${money(deltaMicros)} higher than the billed usage (one line, quantity unchanged)`;
		} else if (kind === 'quantityMismatch') {
			const line = recon[0];
			const q4 = Math.round(line.BillableQuantity * 4) + 8;
			line.BillableQuantity = qty(q4);
			line.Quantity = qty(q4);
			setReconAmounts(
				line,
				Math.round(line.Subtotal * 1e6) + 2 * Math.round(line.UnitPrice * 1e6),
				c,
			);
			description =
				'reconciliation BillableQuantity is 2 higher than the billed usage (Subtotal 2 x UnitPrice higher)';
		} else if (kind === 'missingInReconciliation') {
			reconBySub.set(s.id, []);
			description =
				'billed daily rated usage exists but the invoice has no reconciliation line for the subscription';
		} else {
			usageBySub.set(s.id, []);
			description =
				'the invoice has reconciliation lines but billed daily rated usage has none for the subscription';
		}
		const u = usageBySub.get(s.id) || [];
		const r = reconBySub.get(s.id) || [];
		out.push({
			kind,
			invoiceId: p.invoiceId,
			customerId: c.id,
			customerName: c.name,
			subscriptionId: s.id,
			description,
			usage: {
				quantity: qty(u.reduce((a, l) => a + Math.round(l.Quantity * 4), 0)),
				billingPreTaxTotal: money(
					u.reduce((a, l) => a + Math.round(l.BillingPreTaxTotal * 1e6), 0),
				),
				lineCount: u.length,
			},
			reconciliation: {
				billableQuantity: qty(r.reduce((a, l) => a + Math.round(l.BillableQuantity * 4), 0)),
				subtotal: money(r.reduce((a, l) => a + Math.round(l.Subtotal * 1e6), 0)),
				lineCount: r.length,
			},
		});
	}
}

function setReconAmounts(line: ReconLine, subtotalMicros: number, c: Customer) {
	const taxMicros = Math.round((subtotalMicros * (TAX_PERCENT[c.country] ?? 0)) / 100);
	line.Subtotal = money(subtotalMicros);
	line.TaxTotal = money(taxMicros);
	line.Total = money(subtotalMicros + taxMicros);
}

function reconLine(
	ds: ReturnType<typeof buildDataset>,
	p: Period,
	c: Customer,
	x: {
		subscriptionId: string;
		orderId: string;
		productId: string;
		skuId: string;
		availabilityId: string;
		productName: string;
		skuName: string;
		description: string;
		chargeType: string;
		unitPriceMicros: number;
		q4: number;
		subtotalMicros: number;
		taxPercent: number;
		unitType: string;
		meterDescription: string;
		term: string;
		frequency: string;
		category: string;
		subStartMs: number;
		subEndMs: number;
		alternateId: string;
		qualifiers: string[];
	},
) {
	const taxMicros = Math.round((x.subtotalMicros * x.taxPercent) / 100);
	const eur = p.currency === 'EUR';
	return {
		PartnerId: ds.partner.tenantId,
		CustomerId: c.id,
		CustomerName: c.name,
		InvoiceNumber: p.invoiceId,
		Tier2MpnId: c.tier2MpnId,
		OrderId: x.orderId,
		OrderDate: isoDay(x.subStartMs),
		ProductId: x.productId,
		SkuId: x.skuId,
		AvailabilityId: x.availabilityId,
		ProductName: x.productName,
		ChargeType: x.chargeType,
		UnitPrice: money(x.unitPriceMicros),
		Subtotal: money(x.subtotalMicros),
		TaxTotal: money(taxMicros),
		Total: money(x.subtotalMicros + taxMicros),
		Currency: p.currency,
		PriceAdjustmentDescription: '',
		PublisherName: 'Microsoft',
		SubscriptionId: x.subscriptionId,
		ChargeStartDate: isoDay(p.startMs),
		ChargeEndDate: isoDay(p.endMs),
		TermAndBillingCycle: x.term,
		EffectiveUnitPrice: money(x.unitPriceMicros),
		BillableQuantity: qty(x.q4),
		PricingCurrency: 'USD',
		PCToBCExchangeRate: eur ? 0.92 : 1,
		ReservationOrderId: '',
		CreditReasonCode: '',
		SubscriptionStartDate: isoDay(x.subStartMs),
		SubscriptionEndDate: isoDay(x.subEndMs),
		ReferenceId: x.alternateId,
		PromotionId: '',
		ProductCategory: x.category,
		CustomerDomainName: c.domain,
		CustomerCountry: c.country,
		MpnId: ds.partner.mpnId,
		SkuName: x.skuName,
		Quantity: qty(x.q4),
		PublisherId: '',
		SubscriptionDescription: x.description,
		UnitType: x.unitType,
		AlternateId: x.alternateId,
		BillingFrequency: x.frequency,
		PCToBCExchangeRateDate: isoDay(p.startMs),
		MeterDescription: x.meterDescription,
		ProductQualifiers: x.qualifiers,
	};
}

/** Project a full line onto an attribute set (same key order as attributeNames). */
function project(line: Record<string, unknown>, names: readonly string[]) {
	const out: Record<string, unknown> = {};
	for (const n of names) out[n] = line[n];
	return out;
}

/**
 * Bench: exactly `n` usage lines, cycling over the period's (subscription, meter, day) slots and
 * adding resource replicas. Generated lazily; reconciliation no longer matches it.
 */
function* scaledUsageLines(seed: number, p: Period, n: number) {
	const ds = getDataset(seed);
	const slots: Array<[Customer, AzureSub, AzureSub['meters'][number]]> = [];
	for (const c of ds.customers)
		if (c.currency === p.currency)
			for (const s of activeAzure(c, p)) for (const m of s.meters) slots.push([c, s, m]);
	const days = Math.round((p.lastUsageMs - p.startMs) / DAY_MS) + 1;
	const rng = new Rng(seed, 'graph-scale', p.key, p.startMs);
	for (let i = 0; i < n; i++) {
		const [c, s, m] = slots[i % slots.length];
		const k = Math.floor(i / slots.length);
		yield usageLine(
			ds,
			p,
			c,
			s,
			m,
			p.startMs + (k % days) * DAY_MS,
			rng.int(1, m.maxQ4),
			1 + Math.floor(k / days),
		);
	}
}

export const DATASETS = Object.freeze([
	'billedUsage',
	'unbilledUsage',
	'billedReconciliation',
	'unbilledReconciliation',
]);

export interface ExportRequest {
	dataset: GraphDataset;
	invoiceId?: string;
	billingPeriod?: string;
	currencyCode?: string;
	attributeSet?: AttributeSet;
}

export interface LineItemOptions {
	seed?: number;
	scaleLineItems?: number;
	nowMs?: number;
}

/**
 * The line items an export holds, lazily, in blob order (the blob writer uses this).
 * Undefined when the request has no data (the operation fails with 5000).
 */
export function lineItemIterable(
	req: ExportRequest,
	opts: LineItemOptions = {},
): Iterable<Record<string, unknown>> | undefined {
	const seed = opts.seed ?? 42;
	if (!DATASETS.includes(req.dataset)) throw new Error(`unknown dataset ${req.dataset}`);
	const billed = req.dataset.startsWith('billed');
	const p = resolvePeriod(
		seed,
		billed
			? { invoiceId: req.invoiceId }
			: { billingPeriod: req.billingPeriod, currencyCode: req.currencyCode },
		opts.nowMs,
	);
	if (!p) return undefined;
	const names = attributeNames(req.dataset, req.attributeSet || 'full');
	const usage = req.dataset.endsWith('Usage');
	if (usage && opts.scaleLineItems !== undefined) {
		const n = opts.scaleLineItems;
		// Scaled lines are fresh objects already in full-attribute order: no copy needed for 'full'.
		const full = (req.attributeSet || 'full') === 'full';
		return {
			*[Symbol.iterator]() {
				for (const l of scaledUsageLines(seed, p, n)) yield full ? l : project(l, names);
			},
		};
	}
	const data = periodData(seed, p);
	const lines = usage ? data.usage : data.recon;
	return {
		*[Symbol.iterator]() {
			for (const l of lines) yield project(l, names);
		},
	};
}

/**
 * Expected content of an export (all blobs concatenated in manifest order), as plain objects.
 * `[]` when the request has no data (the export fails with 5000 instead).
 */
export function expectedLineItems(req: ExportRequest, opts: LineItemOptions = {}) {
	const it = lineItemIterable(req, opts);
	return it ? [...it] : [];
}

/**
 * The planted discrepancies between reconciliation and billed daily rated usage of an invoice
 * ([] for unknown invoices).
 */
export function plantedDiscrepancies(
	invoiceId: string,
	opts: { seed?: number } = {},
): Discrepancy[] {
	const seed = opts.seed ?? 42;
	const p = resolvePeriod(seed, { invoiceId });
	if (!p) return [];
	return periodData(seed, p).discrepancies.map((d) => ({
		...d,
		usage: { ...d.usage },
		reconciliation: { ...d.reconciliation },
	}));
}
