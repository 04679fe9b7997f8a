// Type declarations for data.js (plain JavaScript) so TypeScript tests get types.
export type GraphDataset = 'billedUsage' | 'unbilledUsage' | 'billedReconciliation' | 'unbilledReconciliation';
export type AttributeSet = 'full' | 'basic';

export interface GraphCustomer {
	id: string;
	name: string;
	domain: string;
	country: string;
	currency: 'USD' | 'EUR';
	tier2MpnId: string;
	azure: Array<{ id: string; entitlementId: string; description: string; orderId: string; resourceGroup: string; startMs: number; meters: Array<Record<string, unknown>> }>;
	licenses: Array<{ id: string; orderId: string; seats: number; startMs: number; product: { productId: string; skuId: string; name: string; priceMicros: number } }>;
}

export interface GraphDatasetInfo {
	seed: number;
	partner: { tenantId: string; name: string; mpnId: string; domain: string };
	customers: GraphCustomer[];
	invoices: ReadonlyArray<{ invoiceId: string; currency: string; year: number; month: number }>;
	currencies: readonly string[];
}

export interface Period {
	key: string;
	invoiceId: string;
	currency: 'USD' | 'EUR';
	startMs: number;
	endMs: number;
	lastUsageMs: number;
	billingMonth: string;
}

export interface ExportRequest {
	dataset: GraphDataset;
	invoiceId?: string;
	billingPeriod?: 'current' | 'last' | string;
	currencyCode?: string;
	attributeSet?: AttributeSet;
}

export interface Discrepancy {
	kind: 'subtotalMismatch' | 'quantityMismatch' | 'missingInReconciliation' | 'missingInUsage';
	invoiceId: string;
	customerId: string;
	customerName: string;
	subscriptionId: string;
	description: string;
	/** sums over the subscription's exported billed daily rated usage lines */
	usage: { quantity: number; billingPreTaxTotal: number; lineCount: number };
	/** sums over the subscription's exported reconciliation lines */
	reconciliation: { billableQuantity: number; subtotal: number; lineCount: number };
}

export type LineItem = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function getDataset(seed: number): GraphDatasetInfo;
export function resolvePeriod(seed: number, req: { invoiceId?: string; billingPeriod?: string; currencyCode?: string }, nowMs?: number): Period | undefined;
export function attributeNames(dataset: GraphDataset, attributeSet: AttributeSet): string[];
export function lineItemIterable(req: ExportRequest, opts?: { seed?: number; scaleLineItems?: number; nowMs?: number }): Iterable<LineItem> | undefined;
export function expectedLineItems(req: ExportRequest, opts?: { seed?: number; scaleLineItems?: number; nowMs?: number }): LineItem[];
export function plantedDiscrepancies(invoiceId: string, opts?: { seed?: number }): Discrepancy[];
export const DATASETS: readonly GraphDataset[];
export const USAGE_BASIC: readonly string[];
export const USAGE_FULL_ADDS: readonly string[];
export const RECON_BASIC: readonly string[];
export const RECON_FULL_ADDS: readonly string[];
