/**
 * Deterministic Webex Wholesale billing data: one partner, sub-partners, customers, locations,
 * subscribers (people and workspaces) with packages and assignment windows, and the report rows
 * derived from them.
 *
 * The CSV writer (csv.ts) and the test helper `expectedReportRows` both consume
 * `reportRows()`, so the file the sandbox serves and the rows tests expect cannot drift.
 *
 * Spec vs. sandbox choices:
 * - Spec (help article): column names below, QUANTITY = 1 per user-day, 0.5 for a half day,
 *   summed over the period; CUSTOMER and PARTNER reports sum their users; LICENSE_ID is empty for
 *   older licences; one CUSTOMER row per package/location/licence.
 * - Sandbox choices ([unconfirmed] upstream): exact header spelling (`DESCRIPTION`), column
 *   order (it differs per report type on purpose: clients must parse the header), ids in the
 *   CSV are plain UUIDs (the API uses base64 Webex ids), dates are `YYYY-MM-DD`, QUANTITY is a
 *   plain decimal string (`30`, `12.5`), PARTNER_NAME/PARTNER_ORG_ID name the customer's
 *   owner (the partner or the sub-partner), a report without subPartnerOrgId covers the
 *   customers of the partner and of all its sub-partners, the assignment day counts 0.5 when
 *   the package was assigned at midday (else 1), the removal day counts 0.5 when removed at
 *   midday (else 0), rows are emitted only for packages with QUANTITY > 0, and
 *   CONSUMPTION_START/END_DATE are the first/last day with usage (min/max when summed).
 */

import { Rng, hash32, mulberry32, hex8 } from './prng';
import { parseDay, formatDay } from './dates';

// Module-level aliases (fast inside jest's vm context, see prng.ts).
const { floor, max, min } = Math;
const INF = Infinity;

const PARTNER_NAME = 'Sandbox Wholesale Partner';
const SUB_PARTNER_NAMES = ['Northwind Voice Reseller', 'Contoso Cloud Comms', 'Fabrikam Telecom'];
const CUSTOMER_COUNT = 60;

export interface Sku {
	sku: string;
	service: string;
	description: string;
}

/** Descriptions of WX-SUITE and WX-MTG contain a comma and double quotes on purpose (exercise RFC 4180 quoting in every report type). */
export const SKUS: readonly Sku[] = Object.freeze([
	{ sku: 'WX-CALL-PRO', service: 'WEBEX_CALLING', description: 'Webex Calling Professional' },
	{ sku: 'WX-CALL-STD', service: 'WEBEX_CALLING', description: 'Webex Calling Standard' },
	{ sku: 'WX-CAA', service: 'COMMON_AREA_CALLING', description: 'Webex Calling Common Area' },
	{
		sku: 'WX-SUITE',
		service: 'WEBEX_SUITE',
		description: 'Webex Suite, "Calling + Meetings" bundle',
	},
	{ sku: 'WX-MTG', service: 'WEBEX_MEETINGS', description: 'Webex Meetings, "Enterprise" edition' },
]);
const SKU_CALL_PRO = 0;
const SKU_CALL_STD = 1;
const SKU_CAA = 2;
const SKU_SUITE = 3;
const SKU_MTG = 4;
/** Primary package of a person: CALL-PRO, CALL-STD, SUITE, MTG. */
const PRIMARY_SKUS = [SKU_CALL_PRO, SKU_CALL_STD, SKU_SUITE, SKU_MTG];
const PRIMARY_WEIGHTS = [40, 25, 20, 15];
/** Optional second package by primary package (SUITE already includes both). */
const SECOND_SKU: Record<number, number | undefined> = {
	[SKU_CALL_PRO]: SKU_MTG,
	[SKU_CALL_STD]: SKU_MTG,
	[SKU_MTG]: SKU_CALL_STD,
	[SKU_SUITE]: undefined,
};
const PERSON_SKUS = [SKU_CALL_PRO, SKU_CALL_STD, SKU_SUITE, SKU_MTG];

const ASSIGN_FROM = parseDay('2019-01-01') as number;
const ASSIGN_TO = parseDay('2027-12-31') as number;
/** Customers with legacy licences: packages assigned before this day have an empty LICENSE_ID. */
const LEGACY_CUTOFF = parseDay('2023-01-01') as number;

const COLUMNS: Readonly<Record<'PARTNER' | 'CUSTOMER' | 'USER', readonly string[]>> = Object.freeze(
	{
		PARTNER: Object.freeze([
			'PARTNER_NAME',
			'PARTNER_ORG_ID',
			'SUBSCRIPTION_ID',
			'SERVICE_NAME',
			'SKU',
			'DESCRIPTION',
			'CONSUMPTION_START_DATE',
			'CONSUMPTION_END_DATE',
			'QUANTITY',
		]),
		CUSTOMER: Object.freeze([
			'PARTNER_NAME',
			'PARTNER_ORG_ID',
			'CUSTOMER_ORG_ID',
			'CUSTOMER_EXTERNAL_ID',
			'SUBSCRIPTION_ID',
			'LOCATION_ID',
			'LICENSE_ID',
			'SERVICE_NAME',
			'SKU',
			'DESCRIPTION',
			'CONSUMPTION_START_DATE',
			'CONSUMPTION_END_DATE',
			'QUANTITY',
		]),
		USER: Object.freeze([
			'PARTNER_NAME',
			'PARTNER_ORG_ID',
			'CUSTOMER_ORG_ID',
			'CUSTOMER_EXTERNAL_ID',
			'SUBSCRIPTION_ID',
			'LOCATION_ID',
			'LICENSE_ID',
			'SERVICE_NAME',
			'SKU',
			'DESCRIPTION',
			'SUBSCRIBER_ID',
			'USER_ID',
			'WORKSPACE_ID',
			'CONSUMPTION_START_DATE',
			'CONSUMPTION_END_DATE',
			'QUANTITY',
		]),
	},
);

export type ReportType = 'PARTNER' | 'CUSTOMER' | 'USER';

export interface Owner {
	name: string;
	uuid: string;
	webexId: string;
	subscriptions: string[];
	index: number;
}

/** a = assignment day, r = removal day (Infinity while assigned); see packageHalves() */
export interface Package {
	skuIndex: number;
	licenseId: string;
	a: number;
	r: number;
	halfStart: boolean;
	halfEnd: boolean;
}

export interface Subscriber {
	subscriberId: string;
	userId: string;
	workspaceId: string;
	location: number;
	packages: Package[];
}

export interface Customer {
	index: number;
	name: string;
	uuid: string;
	webexId: string;
	externalId: string;
	ownerIndex: number;
	subscriptionId: string;
	internal: boolean;
	locations: string[];
	licenses: string[];
	legacyLicenses: boolean;
	subscribers: Subscriber[];
}

export interface Dataset {
	seed: number;
	partner: Owner;
	subPartners: Owner[];
	owners: Owner[];
	customers: Customer[];
	internalOrg: Customer;
	adminPersonId: string;
	skus: readonly Sku[];
	counts: {
		customers: number;
		subPartners: number;
		locations: number;
		people: number;
		workspaces: number;
		packages: number;
	};
}

export interface ReportParams {
	billingStartDate: string;
	billingEndDate: string;
	type?: string;
	subPartnerOrgId?: string;
	internal?: boolean;
}

export interface DataOptions {
	seed?: number;
	userReportRows?: number;
}

/**
 * Webex API id: base64url (no padding) of `ciscospark://us/<KIND>/<uuid>`, like the spec examples.
 * @param kind e.g. ORGANIZATION, PEOPLE, BILLING_REPORT
 */
export function webexId(kind: string, uuid: string) {
	return Buffer.from(`ciscospark://us/${kind}/${uuid}`, 'utf8').toString('base64url');
}

function pad4(n: number) {
	return String(n).padStart(4, '0');
}

function makePackage(
	rng: Rng,
	skuIndex: number,
	a: number,
	maxRemovalDays: number,
	removalChance: number,
	customer: Customer,
): Package {
	const removed = rng.chance(removalChance);
	const r = removed ? a + rng.int(1, maxRemovalDays) : Infinity;
	const halfStart = rng.chance(0.5);
	const halfEnd = rng.chance(0.5);
	const licenseId = customer.legacyLicenses && a < LEGACY_CUTOFF ? '' : customer.licenses[skuIndex];
	return { skuIndex, licenseId, a, r, halfStart, halfEnd };
}

function buildCustomer(
	seed: number,
	label: string,
	index: number,
	owner: Owner,
	shape: {
		name: string;
		externalId: string;
		internal: boolean;
		people: [number, number];
		workspaces: [number, number];
		locations: [number, number];
	},
): Customer {
	const rng = new Rng(seed, label, index);
	const uuid = rng.uuid();
	const customer: Customer = {
		index,
		name: shape.name,
		uuid,
		webexId: webexId('ORGANIZATION', uuid),
		externalId: shape.externalId,
		ownerIndex: owner.index,
		subscriptionId: rng.pick(owner.subscriptions),
		internal: shape.internal,
		locations: [],
		licenses: SKUS.map(() => rng.uuid()),
		legacyLicenses: rng.chance(0.2),
		subscribers: [],
	};
	const locationCount = rng.int(shape.locations[0], shape.locations[1]);
	for (let i = 0; i < locationCount; i++) customer.locations.push(rng.uuid());

	const subs: Array<Subscriber & { order: number }> = [];
	const people = rng.int(shape.people[0], shape.people[1]);
	for (let i = 0; i < people; i++) {
		const skuIndex = PRIMARY_SKUS[rng.weighted(PRIMARY_WEIGHTS)];
		const a = ASSIGN_FROM + rng.int(0, ASSIGN_TO - ASSIGN_FROM);
		const packages = [makePackage(rng, skuIndex, a, 1500, 0.25, customer)];
		const second = SECOND_SKU[skuIndex];
		if (second !== undefined && rng.chance(0.35)) {
			packages.push(makePackage(rng, second, a + rng.int(0, 400), 1200, 0.3, customer));
		}
		subs.push({
			order: subs.length,
			subscriberId: rng.uuid(),
			userId: rng.uuid(),
			workspaceId: '',
			location: rng.int(0, locationCount - 1),
			packages,
		});
	}
	const workspaces = rng.int(shape.workspaces[0], shape.workspaces[1]);
	for (let i = 0; i < workspaces; i++) {
		const a = ASSIGN_FROM + rng.int(0, ASSIGN_TO - ASSIGN_FROM);
		subs.push({
			order: subs.length,
			subscriberId: rng.uuid(),
			userId: '',
			workspaceId: rng.uuid(),
			location: rng.int(0, locationCount - 1),
			packages: [makePackage(rng, SKU_CAA, a, 1500, 0.15, customer)],
		});
	}
	subs.sort((x, y) => x.location - y.location || x.order - y.order);
	customer.subscribers = subs.map(({ order: _order, ...s }) => s);
	return customer;
}

const datasetCache = new Map<number, Dataset>();

/** The seeded organisation data (cached per seed; treat as read-only). */
export function getDataset(seed = 42): Dataset {
	const cached = datasetCache.get(seed);
	if (cached) return cached;
	const rng = new Rng(seed, 'orgs');
	const owner = (name: string, index: number): Owner => {
		const uuid = rng.uuid();
		return {
			index,
			name,
			uuid,
			webexId: webexId('ORGANIZATION', uuid),
			subscriptions: [`Sub${rng.int(100000, 999999)}`, `Sub${rng.int(100000, 999999)}`],
		};
	};
	const partner = owner(PARTNER_NAME, 0);
	const subPartners = SUB_PARTNER_NAMES.map((name, i) => owner(name, i + 1));
	const owners = [partner, ...subPartners];
	const adminPersonId = webexId('PEOPLE', rng.uuid());

	const customers: Customer[] = [];
	for (let i = 0; i < CUSTOMER_COUNT; i++) {
		// 2 of 5 customers belong to the partner itself, the rest round-robin to the sub-partners.
		const slot = i % 5;
		const ownerIndex = slot < 2 ? 0 : slot - 1;
		customers.push(
			buildCustomer(seed, 'customer', i, owners[ownerIndex], {
				name: `Sandbox Customer ${pad4(i + 1)}`,
				externalId: `CUST-${pad4(i + 1)}`,
				internal: false,
				people: [40, 160],
				workspaces: [2, 12],
				locations: [2, 5],
			}),
		);
	}
	const internalOrg = buildCustomer(seed, 'internal', 0, partner, {
		name: 'Sandbox Wholesale Partner Internal Lab',
		externalId: 'INTERNAL-0001',
		internal: true,
		people: [20, 30],
		workspaces: [2, 3],
		locations: [1, 2],
	});

	const counts = {
		customers: customers.length,
		subPartners: subPartners.length,
		locations: 0,
		people: 0,
		workspaces: 0,
		packages: 0,
	};
	for (const c of customers) {
		counts.locations += c.locations.length;
		for (const s of c.subscribers) {
			if (s.userId) counts.people++;
			else counts.workspaces++;
			counts.packages += s.packages.length;
		}
	}
	const dataset: Dataset = {
		seed,
		partner,
		subPartners,
		owners,
		customers,
		internalOrg,
		adminPersonId,
		skus: SKUS,
		counts,
	};
	datasetCache.set(seed, dataset);
	return dataset;
}

/** Scratch output of packageHalves (avoids an allocation per row on the 1M-row path). */
const usage = { first: 0, last: 0 };

/**
 * Usage of one package in the period [ps, pe] (inclusive), in HALF days (integer arithmetic).
 * Day a (assignment): 1 half if assigned at midday else 2; days a+1 .. r-1: 2 each;
 * day r (removal): 1 half if removed at midday else 0. Sets usage.first/last when > 0.
 */
function packageHalves(p: Package, ps: number, pe: number) {
	let halves = 0;
	let first = INF;
	let last = -INF;
	if (p.a >= ps && p.a <= pe) {
		halves += p.halfStart ? 1 : 2;
		first = p.a;
		last = p.a;
	}
	const fs = max(p.a + 1, ps);
	const fe = min(p.r - 1, pe);
	if (fe >= fs) {
		halves += 2 * (fe - fs + 1);
		if (fs < first) first = fs;
		if (fe > last) last = fe;
	}
	if (p.halfEnd && p.r >= ps && p.r <= pe) {
		halves += 1;
		if (p.r < first) first = p.r;
		if (p.r > last) last = p.r;
	}
	usage.first = first;
	usage.last = last;
	return halves;
}

/** Half days to the QUANTITY string: 60 -> "30", 25 -> "12.5". */
function formatHalves(halves: number) {
	const whole = floor(halves / 2);
	return halves % 2 === 1 ? `${whole}.5` : `${whole}`;
}

/** QUANTITY string to half days (exact; throws on anything but n or n.5 / n.0). */
export function parseHalves(quantity: string) {
	const m = /^(\d+)(?:\.(\d+))?$/.exec(quantity);
	if (!m) throw new Error(`not a QUANTITY: ${quantity}`);
	const frac = (m[2] || '').replace(/0+$/, '');
	if (frac !== '' && frac !== '5')
		throw new Error(`QUANTITY is not a multiple of 0.5: ${quantity}`);
	return Number(m[1]) * 2 + (frac === '5' ? 1 : 0);
}

/** Normalise and check report params (the API validated them already; seeded reports may not be). */
function normaliseParams(params: ReportParams) {
	const ps = parseDay(params.billingStartDate);
	const pe = parseDay(params.billingEndDate);
	if (ps === undefined || pe === undefined)
		throw new Error('billingStartDate/billingEndDate must be YYYY-MM-DD');
	const type = (params.type || 'PARTNER') as ReportType;
	if (!COLUMNS[type]) throw new Error(`unknown report type ${type}`);
	return {
		ps,
		pe,
		type,
		subPartnerOrgId: params.subPartnerOrgId || '',
		internal: params.internal === true,
	};
}

/** The customers a report covers, in report order. */
function selectCustomers(ds: Dataset, subPartnerOrgId: string, internal: boolean) {
	if (subPartnerOrgId) {
		const sp = ds.subPartners.find((s) => s.webexId === subPartnerOrgId);
		// Internal orgs belong to the partner itself, so a sub-partner report never has them.
		return sp ? ds.customers.filter((c) => c.ownerIndex === sp.index) : [];
	}
	return internal ? [...ds.customers, ds.internalOrg] : ds.customers;
}

/** @returns the 10 leading USER/CUSTOMER columns up to DESCRIPTION */
function customerPrefix(ds: Dataset, c: Customer, location: number, p: Package): string[] {
	const o = ds.owners[c.ownerIndex];
	const s = SKUS[p.skuIndex];
	return [
		o.name,
		o.uuid,
		c.uuid,
		c.externalId,
		c.subscriptionId,
		c.locations[location],
		p.licenseId,
		s.service,
		s.sku,
		s.description,
	];
}

/** A group's half days and consumption window. */
interface Usage {
	halves: number;
	first: number;
	last: number;
}

/**
 * Adds a package's half days (just computed by packageHalves, whose window is in `usage`)
 * to its group, widening the group's consumption window.
 * @param create the group's identifying fields, for a new group
 */
function addUsage<Group extends object>(
	groups: Map<string, Group & Usage>,
	key: string,
	halves: number,
	create: () => Group,
) {
	const group = groups.get(key);
	if (group) {
		group.halves += halves;
		if (usage.first < group.first) group.first = usage.first;
		if (usage.last > group.last) group.last = usage.last;
	} else {
		groups.set(key, { ...create(), halves, first: usage.first, last: usage.last });
	}
}

/**
 * Report rows as arrays of strings in COLUMNS[type] order. Streams (a generator): the 1M-row
 * bench report is never held in memory.
 */
export function* reportRows(
	params: ReportParams,
	opts: DataOptions = {},
): Generator<string[], void, undefined> {
	const seed = opts.seed ?? 42;
	const ds = getDataset(seed);
	const { ps, pe, type, subPartnerOrgId, internal } = normaliseParams(params);
	const customers = selectCustomers(ds, subPartnerOrgId, internal);

	if (type === 'USER') {
		const limit = opts.userReportRows ?? Infinity;
		let emitted = 0;
		if (limit <= 0) return;
		for (const c of customers) {
			for (const sub of c.subscribers) {
				for (const p of sub.packages) {
					const h = packageHalves(p, ps, pe);
					if (h <= 0) continue;
					const row = customerPrefix(ds, c, sub.location, p);
					row.push(
						sub.subscriberId,
						sub.userId,
						sub.workspaceId,
						formatDay(usage.first),
						formatDay(usage.last),
						formatHalves(h),
					);
					yield row;
					if (++emitted >= limit) return;
				}
			}
		}
		if (limit !== Infinity)
			yield* syntheticUserRows(
				ds,
				customers.length ? customers : ds.customers,
				ps,
				pe,
				limit - emitted,
			);
		return;
	}

	if (type === 'CUSTOMER') {
		for (const c of customers) {
			const groups = new Map<string, { location: number; p: Package } & Usage>();
			for (const sub of c.subscribers) {
				for (const p of sub.packages) {
					const h = packageHalves(p, ps, pe);
					if (h <= 0) continue;
					addUsage(groups, `${sub.location}|${p.skuIndex}|${p.licenseId}`, h, () => ({
						location: sub.location,
						p,
					}));
				}
			}
			const sorted = [...groups.values()].sort(
				(x, y) =>
					x.location - y.location ||
					x.p.skuIndex - y.p.skuIndex ||
					(x.p.licenseId < y.p.licenseId ? -1 : x.p.licenseId > y.p.licenseId ? 1 : 0),
			);
			for (const g of sorted) {
				const row = customerPrefix(ds, c, g.location, g.p);
				row.push(formatDay(g.first), formatDay(g.last), formatHalves(g.halves));
				yield row;
			}
		}
		return;
	}

	// PARTNER: summed per owner / subscription / SKU.
	const groups = new Map<
		string,
		{ ownerIndex: number; subscriptionId: string; skuIndex: number } & Usage
	>();
	for (const c of customers) {
		for (const sub of c.subscribers) {
			for (const p of sub.packages) {
				const h = packageHalves(p, ps, pe);
				if (h <= 0) continue;
				addUsage(groups, `${c.ownerIndex}|${c.subscriptionId}|${p.skuIndex}`, h, () => ({
					ownerIndex: c.ownerIndex,
					subscriptionId: c.subscriptionId,
					skuIndex: p.skuIndex,
				}));
			}
		}
	}
	const sorted = [...groups.values()].sort(
		(x, y) =>
			x.ownerIndex - y.ownerIndex ||
			(x.subscriptionId < y.subscriptionId ? -1 : x.subscriptionId > y.subscriptionId ? 1 : 0) ||
			x.skuIndex - y.skuIndex,
	);
	for (const g of sorted) {
		const o = ds.owners[g.ownerIndex];
		const s = SKUS[g.skuIndex];
		yield [
			o.name,
			o.uuid,
			g.subscriptionId,
			s.service,
			s.sku,
			s.description,
			formatDay(g.first),
			formatDay(g.last),
			formatHalves(g.halves),
		];
	}
}

/**
 * Extra USER rows for the `userReportRows` bench option: synthetic people spread over the
 * report's customers, deterministic from the seed and the period, generated one at a time.
 */
function* syntheticUserRows(
	ds: Dataset,
	customers: Customer[],
	ps: number,
	pe: number,
	count: number,
): Generator<string[], void, undefined> {
	const rng = new Rng(ds.seed, 'synthetic-users', ps, pe);
	const days = pe - ps + 1;
	const next = mulberry32(hash32(ds.seed, 'synthetic-ids', ps, pe));
	const uuid = () => {
		const a = hex8(next());
		const b = hex8(next());
		const c = hex8(((next() & 0x3fffffff) | 0x80000000) >>> 0);
		return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${c.slice(0, 4)}-${c.slice(4, 8)}${hex8(next())}`;
	};
	for (let k = 0; k < count; k++) {
		const c = customers[k % customers.length];
		const location = rng.int(0, c.locations.length - 1);
		const skuIndex = PERSON_SKUS[rng.int(0, PERSON_SKUS.length - 1)];
		let halves = 2 * days;
		let first = ps;
		if (!rng.chance(0.8)) {
			first = ps + rng.int(0, days - 1);
			halves = 2 * (pe - first + 1) - (rng.chance(0.5) ? 1 : 0);
		}
		const o = ds.owners[c.ownerIndex];
		const s = SKUS[skuIndex];
		yield [
			o.name,
			o.uuid,
			c.uuid,
			c.externalId,
			c.subscriptionId,
			c.locations[location],
			c.licenses[skuIndex],
			s.service,
			s.sku,
			s.description,
			uuid(),
			uuid(),
			'',
			formatDay(first),
			formatDay(pe),
			formatHalves(halves),
		];
	}
}

export function reportColumns(type: string): readonly string[] {
	const cols = COLUMNS[(type || 'PARTNER') as ReportType];
	if (!cols) throw new Error(`unknown report type ${type}`);
	return cols;
}

/**
 * The exact rows a report's CSV contains, as objects keyed by the CSV header (string values).
 * For tests. Shares reportRows() with the CSV writer.
 */
export function expectedReportRows(
	params: ReportParams,
	opts: DataOptions = {},
): Array<Record<string, string>> {
	const cols = reportColumns(params.type || 'PARTNER');
	const out: Array<Record<string, string>> = [];
	for (const row of reportRows(params, opts)) {
		const obj: Record<string, string> = {};
		for (let i = 0; i < cols.length; i++) obj[cols[i]] = row[i];
		out.push(obj);
	}
	return out;
}
