/**
 * Microsoft Partner Center invoices under `/partnercenter/v1` (specs/microsoft-partner-center-invoices.md):
 *   GET /invoices[?size=&offset=]   a paged collection {totalCount, items, links.next?, attributes}
 *   GET /invoices/{id}              one invoice, with its 30-minute signed pdfDownloadLink
 *
 * [spec] a Partner Center token (not a Graph one); MS-RequestId / MS-CorrelationId echoed;
 * Get by ID is documented as app+user only.
 * [sandbox] the invoices are the ones the Graph exports know (G000000001..4, one in EUR), each
 * `totalCharges` the exact sum of its reconciliation line items' `Total`, except the planted
 * mismatch on G000000004; plus a credit note (G000000005, amending G000000003) that Graph has
 * no export for. Invoices are served oldest first, at most `pageSize` per page whatever `size`
 * asks, so a client must page and sort. Errors are `{code, description}` ([unconfirmed] shape).
 * An app-only token reading one invoice gets 403 unless `appOnlyGet` is 'allow'.
 */

import { createHmac, randomBytes, randomUUID } from 'crypto';
import { sendJson } from '../server';
import { expectedLineItems, getDataset } from './data';
import type { RequestContext, SandboxServer } from '../server';
import type { GraphAuth } from './auth';

export const PARTNER_CENTER_PREFIX = '/partnercenter/v1';
const PDF_PREFIX = '/partnercenter-pdf';
const PDF_TTL_MS = 30 * 60 * 1000;

export interface PartnerCenterOptions {
	/** most invoices per page, whatever `size` asks (default 2) */
	invoicePageSize: number;
	/** how the next page is announced: `links.next` (default) or only totalCount (offset paging) */
	invoicePaging: 'nextLink' | 'offset';
	/** Get by ID with an app-only token: 'refuse' (default, as documented) or 'allow' */
	appOnlyGet: 'refuse' | 'allow';
	/** invoice IDs not issued yet: left out of the list, 404 by ID (a newer invoice "appears" when removed) */
	unissuedInvoices: string[];
}

export const PARTNER_CENTER_DEFAULTS: PartnerCenterOptions = Object.freeze({
	invoicePageSize: 2,
	invoicePaging: 'nextLink',
	appOnlyGet: 'refuse',
	unissuedInvoices: [],
});

/** The planted difference between G000000004's totalCharges and its line items, in micro-units. */
const PLANTED_MISMATCH = { invoiceId: 'G000000004', micros: 25_000_000 };
const CREDIT_NOTE_ID = 'G000000005';

const ISSUE_DATES: Record<string, string> = {
	G000000001: '2023-10-08T00:00:00Z',
	G000000002: '2023-10-09T00:00:00Z',
	G000000003: '2023-11-08T00:00:00Z',
	G000000004: '2023-12-08T00:00:00Z',
};

export interface PartnerCenterInvoice {
	id: string;
	invoiceDate: string;
	billingPeriodStartDate: string;
	billingPeriodEndDate: string;
	totalCharges: number;
	paidAmount: number;
	currencyCode: string;
	currencySymbol: string;
	invoiceDetails: Array<{ invoiceLineItemType: string; billingProvider: string }>;
	amendments: PartnerCenterInvoice[];
	documentType: 'Invoice' | 'Credit Note';
	amendsOf: string;
	invoiceType: string;
}

/** The exact total of an invoice's reconciliation line items (`Total`), in micro-units. */
export function reconciliationTotalMicros(invoiceId: string, seed: number): number {
	return expectedLineItems(
		{ dataset: 'billedReconciliation', invoiceId, attributeSet: 'full' },
		{ seed },
	).reduce((sum, line) => sum + Math.round(Number(line.Total) * 1e6), 0);
}

/** Every invoice and credit note Partner Center has for the partner, oldest first. */
export function partnerCenterInvoices(seed: number): PartnerCenterInvoice[] {
	const invoices: PartnerCenterInvoice[] = getDataset(seed).invoices.map((invoice) => {
		const start = new Date(Date.UTC(invoice.year, invoice.month - 1, 1));
		const end = new Date(Date.UTC(invoice.year, invoice.month, 0));
		const micros =
			reconciliationTotalMicros(invoice.invoiceId, seed) +
			(invoice.invoiceId === PLANTED_MISMATCH.invoiceId ? PLANTED_MISMATCH.micros : 0);
		const paid = invoice.invoiceId !== 'G000000004';
		return {
			id: invoice.invoiceId,
			invoiceDate: ISSUE_DATES[invoice.invoiceId],
			billingPeriodStartDate: start.toISOString().replace('.000Z', 'Z'),
			billingPeriodEndDate: end.toISOString().replace('.000Z', 'Z'),
			totalCharges: micros / 1e6,
			paidAmount: paid ? -micros / 1e6 : 0,
			currencyCode: invoice.currency,
			currencySymbol: invoice.currency === 'EUR' ? '€' : '$',
			invoiceDetails: [
				{ invoiceLineItemType: 'billing_line_items', billingProvider: 'azure' },
				{ invoiceLineItemType: 'billing_line_items', billingProvider: 'office' },
			],
			amendments: [],
			documentType: 'Invoice',
			amendsOf: '',
			invoiceType: 'Recurring',
		};
	});
	const amended = invoices.find((invoice) => invoice.id === 'G000000003')!;
	const creditNote: PartnerCenterInvoice = {
		...amended,
		id: CREDIT_NOTE_ID,
		invoiceDate: '2023-11-20T00:00:00Z',
		totalCharges: -125.5,
		paidAmount: 0,
		invoiceDetails: [{ invoiceLineItemType: 'billing_line_items', billingProvider: 'office' }],
		documentType: 'Credit Note',
		amendsOf: amended.id,
		invoiceType: 'OneTime',
	};
	amended.amendments = [{ ...creditNote }];
	invoices.splice(invoices.indexOf(amended) + 1, 0, creditNote);
	return invoices;
}

export class PartnerCenterApi {
	/** every signed PDF link handed out (tests assert none leaks) */
	readonly pdfLinks: string[] = [];
	private readonly pdfKey = randomBytes(16);

	constructor(
		private readonly deps: {
			server: SandboxServer;
			auth: GraphAuth;
			seed: number;
			options: PartnerCenterOptions;
		},
	) {}

	get baseUrl() {
		return `${this.deps.server.url}${PARTNER_CENTER_PREFIX}`;
	}

	mount() {
		const { server } = this.deps;
		server.mount({
			vendor: 'partnerCenter',
			prefix: PARTNER_CENTER_PREFIX,
			classify: (pathname) => ({
				kind: 'api',
				path: pathname.slice(PARTNER_CENTER_PREFIX.length) || '/',
			}),
			handle: (ctx) => this.handle(ctx),
			faultResponse: (status, ctx) => ({
				body: JSON.stringify({ code: status, description: `HTTP ${status}` }),
				headers: { 'content-type': 'application/json; charset=utf-8', ...this.headers(ctx) },
			}),
		});
		server.mount({
			vendor: 'partnerCenter',
			prefix: PDF_PREFIX,
			classify: (pathname) => ({ kind: 'download', path: pathname.slice(PDF_PREFIX.length) }),
			handle: (ctx) => {
				if (ctx.req.headers.authorization)
					ctx.server.violation(`Authorization header sent to the invoice PDF link: ${ctx.path}`);
				sendJson(ctx.res, 404, { code: 404, description: 'The sandbox serves no PDF.' });
			},
		});
	}

	/** The invoices the list shows now: issued ones only. */
	issued(): PartnerCenterInvoice[] {
		return partnerCenterInvoices(this.deps.seed).filter(
			(invoice) => !this.deps.options.unissuedInvoices.includes(invoice.id),
		);
	}

	private headers(ctx: RequestContext): Record<string, string> {
		const requestId = ctx.req.headers['ms-requestid'];
		const correlationId = ctx.req.headers['ms-correlationid'];
		return {
			'ms-requestid': typeof requestId === 'string' ? requestId : randomUUID(),
			'ms-correlationid': typeof correlationId === 'string' ? correlationId : randomUUID(),
		};
	}

	handle(ctx: RequestContext) {
		const headers = this.headers(ctx);
		const fail = (
			status: number,
			code: number,
			description: string,
			extra: Record<string, string> = {},
		) =>
			sendJson(
				ctx.res,
				status,
				{ code, description, errorData: [], isRetryable: false },
				{ ...headers, ...extra },
			);
		const auth = this.deps.auth.authenticate(ctx.req.headers, 'partnerCenter');
		if (!auth.ok)
			return fail(401, 900300, `Unauthorized: ${auth.message}`, { 'www-authenticate': 'Bearer' });
		if (ctx.entry.method !== 'GET')
			return fail(405, 900101, 'The HTTP method is not supported for this resource.');
		if (ctx.path === '/invoices') return this.list(ctx, headers, fail);
		const m = /^\/invoices\/([^/]+)$/.exec(ctx.path);
		if (!m) return fail(404, 900000, `No resource at ${ctx.path}.`);
		const id = decodeURIComponent(m[1]);
		if (!auth.delegated && this.deps.options.appOnlyGet === 'refuse') {
			return fail(
				403,
				900401,
				'This request requires app+user authentication: application-only access is not supported for this operation.',
			);
		}
		const invoice = this.issued().find((candidate) => candidate.id === id);
		if (!invoice) return fail(404, 800002, `Invoice ${id} was not found.`);
		sendJson(
			ctx.res,
			200,
			{ ...invoice, pdfDownloadLink: this.signPdfLink(id), attributes: { objectType: 'Invoice' } },
			headers,
		);
	}

	private list(
		ctx: RequestContext,
		headers: Record<string, string>,
		fail: (status: number, code: number, description: string) => void,
	) {
		const q = ctx.url.searchParams;
		const number = (name: string, fallback: number) => {
			const text = q.get(name);
			if (text === null) return fallback;
			return /^\d+$/.test(text) ? Number(text) : Number.NaN;
		};
		const all = this.issued();
		const size = number('size', all.length);
		const offset = number('offset', 0);
		if (!Number.isFinite(size) || !Number.isFinite(offset) || size < 1)
			return fail(400, 900400, 'size and offset must be whole numbers, size at least 1.');
		const pageSize = Math.min(size, this.deps.options.invoicePageSize);
		const items = all.slice(offset, offset + pageSize);
		const body: Record<string, unknown> = {
			totalCount: all.length,
			items,
			links: {},
			attributes: { objectType: 'Collection' },
		};
		if (this.deps.options.invoicePaging === 'nextLink' && offset + items.length < all.length) {
			body.links = {
				next: {
					uri: `/invoices?size=${size}&offset=${offset + items.length}`,
					method: 'GET',
					headers: [],
				},
			};
		}
		sendJson(ctx.res, 200, body, headers);
	}

	private signPdfLink(id: string) {
		const expires = new Date(Date.now() + PDF_TTL_MS).toISOString();
		const sig = createHmac('sha256', this.pdfKey).update(`${id}|${expires}`).digest('base64url');
		const link = `${this.deps.server.url}${PDF_PREFIX}/${id}.pdf?se=${encodeURIComponent(expires)}&sig=${sig}`;
		this.pdfLinks.push(link);
		return link;
	}
}
