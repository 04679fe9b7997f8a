// Declarations for the seeded Webex data generator (data.js), for TypeScript tests.
export type ReportType = 'PARTNER' | 'CUSTOMER' | 'USER';
export interface ReportParams {
	billingStartDate: string;
	billingEndDate: string;
	type?: ReportType | string;
	subPartnerOrgId?: string;
	internal?: boolean;
}
export interface DataOptions {
	seed?: number;
	userReportRows?: number;
}
export interface Sku {
	sku: string;
	service: string;
	description: string;
}
export interface Owner {
	index: number;
	name: string;
	uuid: string;
	webexId: string;
	subscriptions: string[];
}
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
	counts: { customers: number; subPartners: number; locations: number; people: number; workspaces: number; packages: number };
}
export const PARTNER_NAME: string;
export const SKUS: readonly Sku[];
export const COLUMNS: Readonly<Record<ReportType, readonly string[]>>;
export function getDataset(seed?: number): Dataset;
/** Rows as string arrays in reportColumns(type) order (a generator: streams). */
export function reportRows(params: ReportParams, opts?: DataOptions): Generator<string[], void, undefined>;
export function reportColumns(type: string): readonly string[];
/** The exact rows of a report's CSV, keyed by header, string values. */
export function expectedReportRows(params: ReportParams, opts?: DataOptions): Array<Record<string, string>>;
export function selectCustomers(ds: Dataset, subPartnerOrgId: string, internal: boolean): Customer[];
/** half days -> QUANTITY string (60 -> "30", 25 -> "12.5") */
export function formatHalves(halves: number): string;
/** QUANTITY string -> half days (exact) */
export function parseHalves(quantity: string): number;
export function packageHalves(p: Package, ps: number, pe: number): number;
export function webexId(kind: string, uuid: string): string;
