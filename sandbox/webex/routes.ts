/**
 * Webex Wholesale Billing Reports API, relative to `/webex/v1`:
 *   POST   /wholesale/billing/reports        create
 *   GET    /wholesale/billing/reports        list (RFC 5988 Link paging)
 *   GET    /wholesale/billing/reports/{id}   get
 *   DELETE /wholesale/billing/reports/{id}   delete
 *
 * [spec] marks what the OpenAPI file / help article state; [sandbox] marks choices for points no
 * public source confirms. The node must cope with both.
 */

import { sendJson, sendEmpty } from '../server';
import { sendWebexError, newTrackingId } from './errors';
import { parseDay, todayDay, minusYears } from './dates';
import type { ReportRecord, ReportStore } from './store';
import type { RequestContext, SandboxServer } from '../server';
import type { WebexAuth } from './auth';
import type { WebexDownloads } from './download';
import type { Dataset, ReportType } from './data';

const REPORTS = '/wholesale/billing/reports';
const REPORT_RE = /^\/wholesale\/billing\/reports\/([^/]+)$/;
const TYPES = ['PARTNER', 'CUSTOMER', 'USER'];
const STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED'];
const SORT_BY = ['id', 'billingStartDate', 'billingEndDate', 'status'];
const CREATE_FIELDS = new Set([
	'billingStartDate',
	'billingEndDate',
	'type',
	'subPartnerOrgId',
	'internal',
]);
const LIST_FILTERS = ['billingStartDate', 'billingEndDate', 'type', 'status', 'subPartnerOrgId'];
const LIST_PARAMS = new Set([...LIST_FILTERS, 'sortBy', 'max', 'cursor']);

interface ApiOptions {
	createStatus: number;
	reportTypeField: 'type' | 'reportType';
	inProgressStatus: string;
}

interface Cursor {
	f: Record<string, string>;
	s: string;
	o: number;
	m: number;
}

export class WebexApi {
	server: SandboxServer;
	store: ReportStore;
	auth: WebexAuth;
	downloads: WebexDownloads;
	dataset: Dataset;
	prefix: string;
	options: ApiOptions;

	/**
	 * @param deps.prefix API base path, '/webex/v1'
	 * @param deps.options live options
	 */
	constructor(deps: {
		server: SandboxServer;
		store: ReportStore;
		auth: WebexAuth;
		downloads: WebexDownloads;
		dataset: Dataset;
		prefix: string;
		options: ApiOptions;
	}) {
		this.server = deps.server;
		this.store = deps.store;
		this.auth = deps.auth;
		this.downloads = deps.downloads;
		this.dataset = deps.dataset;
		this.prefix = deps.prefix;
		this.options = deps.options;
	}

	/**
	 * The status as the API shows it: IN_PROGRESS may be rendered as another "still running"
	 * value (option inProgressStatus, e.g. REQUESTED, seen in the wild per the spec notes).
	 */
	/** The status as Webex names it; takes the status read once, as a report may finish meanwhile. */
	shownStatus(status: ReportRecord['status']) {
		return status === 'IN_PROGRESS' ? this.options.inProgressStatus || 'IN_PROGRESS' : status;
	}

	handle(ctx: RequestContext) {
		const { res } = ctx;
		const method = ctx.entry.method;
		// [spec] every call needs `Authorization: Bearer <token>`.
		const auth = this.auth.authenticate(ctx.req.headers, method);
		if (!auth.ok) {
			sendWebexError(res, auth.status, auth.message);
			return;
		}
		if (ctx.path === REPORTS) {
			if (method === 'POST') return this.create(ctx);
			if (method === 'GET') return this.list(ctx);
			sendWebexError(res, 405, `Method ${method} is not allowed on ${REPORTS}.`, {
				headers: { allow: 'GET, POST' },
			});
			return;
		}
		const m = REPORT_RE.exec(ctx.path);
		if (m) {
			let id;
			try {
				id = decodeURIComponent(m[1]);
			} catch {
				id = m[1];
			}
			if (method === 'GET') return this.get(ctx, id);
			if (method === 'DELETE') return this.delete(ctx, id);
			sendWebexError(res, 405, `Method ${method} is not allowed on ${REPORTS}/{id}.`, {
				headers: { allow: 'GET, DELETE' },
			});
			return;
		}
		sendWebexError(res, 404, `The requested resource could not be found: ${method} ${ctx.path}`);
	}

	ok(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}) {
		sendJson(ctx.res, status, body, { trackingid: newTrackingId(), ...headers });
	}

	create(ctx: RequestContext) {
		const { res } = ctx;
		// [spec] 415 is listed; [sandbox] anything but a JSON content type gets it.
		const contentType = String(ctx.req.headers['content-type'] || '').toLowerCase();
		if (!/^application\/([\w.+-]*\+)?json\b/.test(contentType)) {
			sendWebexError(
				res,
				415,
				'Unsupported Media Type: the request body must be JSON (Content-Type: application/json).',
			);
			return;
		}
		if (!ctx.bodyIsJson) {
			sendWebexError(
				res,
				400,
				ctx.rawBody.length ? 'The request body is not valid JSON.' : 'The request body is missing.',
			);
			return;
		}
		const body = ctx.body;
		if (body === null || typeof body !== 'object' || Array.isArray(body)) {
			sendWebexError(res, 400, 'The request body must be a JSON object.');
			return;
		}
		const b = body as Record<string, unknown>;
		const problems: string[] = [];
		// [sandbox] unknown properties are refused (catches misspelt fields such as reportType).
		for (const k of Object.keys(b))
			if (!CREATE_FIELDS.has(k))
				problems.push(`Unrecognized field "${k}": allowed are ${[...CREATE_FIELDS].join(', ')}.`);

		const today = todayDay();
		const oldest = minusYears(today, 5);
		const days: Record<string, number> = {};
		for (const field of ['billingStartDate', 'billingEndDate']) {
			const v = b[field];
			if (v === undefined || v === null || v === '') {
				problems.push(`${field} is required.`); // [spec] required
				continue;
			}
			const day = parseDay(v);
			if (day === undefined) {
				problems.push(
					`${field} must be a date in the format YYYY-MM-DD (got ${JSON.stringify(v)}).`,
				); // [spec] plain YYYY-MM-DD
				continue;
			}
			// [spec] within the last five years, not the current day (UTC here: [sandbox]).
			if (day >= today)
				problems.push(
					`${field} ${v} must be before the current day (UTC): reports cover past days only.`,
				);
			else if (day < oldest)
				problems.push(
					`${field} ${v} is older than five years: the earliest allowed date is ${new Date(oldest * 86400000).toISOString().slice(0, 10)}.`,
				);
			days[field] = day;
		}
		if (
			days.billingStartDate !== undefined &&
			days.billingEndDate !== undefined &&
			days.billingStartDate > days.billingEndDate
		) {
			problems.push('billingStartDate must not be after billingEndDate.'); // [spec]
		}
		const type = b.type === undefined ? 'PARTNER' : b.type; // [spec] default PARTNER
		if (typeof type !== 'string' || !TYPES.includes(type))
			problems.push(`type must be one of ${TYPES.join(', ')} (got ${JSON.stringify(b.type)}).`);
		const sub = b.subPartnerOrgId;
		if (sub !== undefined) {
			if (typeof sub !== 'string' || sub === '')
				problems.push('subPartnerOrgId must be a non-empty string.');
			// [sandbox] an org that is not one of this partner's sub-partners is refused.
			else if (!this.dataset.subPartners.some((s) => s.webexId === sub))
				problems.push(`subPartnerOrgId ${sub} is not a sub-partner of this partner organization.`);
		}
		if (b.internal !== undefined && typeof b.internal !== 'boolean')
			problems.push('internal must be a boolean.'); // [spec] boolean

		if (problems.length) {
			sendWebexError(
				res,
				400,
				problems.length === 1 ? problems[0] : `The request is invalid: ${problems.join(' ')}`,
				{ descriptions: problems },
			);
			return;
		}
		const params = {
			billingStartDate: b.billingStartDate as string,
			billingEndDate: b.billingEndDate as string,
			type: type as ReportType,
			subPartnerOrgId: sub as string | undefined,
			internal: b.internal === true,
		};
		// [spec] the existing report must be deleted first; [sandbox] 409 for a duplicate (any status).
		const existing = this.store.findDuplicate(params);
		if (existing) {
			sendWebexError(
				res,
				409,
				`A billing report already exists for this period (${params.billingStartDate} to ${params.billingEndDate}, type ${params.type}${params.subPartnerOrgId ? `, subPartnerOrgId ${params.subPartnerOrgId}` : ''}). It must be deleted before a new one can be created.`,
			);
			return;
		}
		const record = this.store.create(params);
		// [spec] 200 with {id, billingStartDate, billingEndDate, type, category} (docs also speak
		// of 202: option createStatus lets tests check that a client accepts any 2xx).
		this.ok(ctx, this.options.createStatus || 200, {
			id: record.id,
			billingStartDate: record.billingStartDate,
			billingEndDate: record.billingEndDate,
			type: record.type,
			category: record.category,
		});
	}

	get(ctx: RequestContext, id: string) {
		const record = this.store.reports.get(id);
		if (!record) {
			sendWebexError(ctx.res, 404, 'Billing Report not found.'); // [spec] ReportError example text
			return;
		}
		const status = record.status;
		const body: Record<string, unknown> = {
			id: record.id,
			billingStartDate: record.billingStartDate,
			billingEndDate: record.billingEndDate,
			// [spec] `type`; one spec example says `reportType` (option reportTypeField).
			[this.options.reportTypeField === 'reportType' ? 'reportType' : 'type']: record.type,
			category: record.category,
			created: record.created,
			createdBy: record.createdBy,
			status: this.shownStatus(status),
			errors: record.errors.map((e) => ({ ...e })),
		};
		// [spec] tempDownloadURL (capital URL) once completed; freshly signed on every GET.
		if (status === 'COMPLETED') body.tempDownloadURL = this.downloads.urlFor(record);
		this.ok(ctx, 200, body);
	}

	delete(ctx: RequestContext, id: string) {
		const record = this.store.reports.get(id);
		if (!record) {
			sendWebexError(ctx.res, 404, 'Billing Report not found.');
			return;
		}
		const status = record.status;
		// [spec] deleting an in-progress or failed report does not succeed; [sandbox] it is a 409.
		if (status === 'IN_PROGRESS') {
			sendWebexError(
				ctx.res,
				409,
				'The billing report is still in progress and cannot be deleted. Try again once it has completed.',
			);
			return;
		}
		if (status === 'FAILED') {
			sendWebexError(ctx.res, 409, 'The billing report failed and cannot be deleted.');
			return;
		}
		this.store.reports.delete(id);
		sendEmpty(ctx.res, 204, { trackingid: newTrackingId() });
	}

	list(ctx: RequestContext) {
		const { res, query } = ctx;
		const problems: string[] = [];
		for (const [k, v] of Object.entries(query)) {
			// [sandbox] unknown, repeated or empty parameters are refused.
			if (!LIST_PARAMS.has(k)) problems.push(`Unrecognized query parameter "${k}".`);
			else if (Array.isArray(v)) problems.push(`Query parameter "${k}" must not be repeated.`);
			else if (v === '') problems.push(`Query parameter "${k}" must not be empty.`);
		}
		if (problems.length) {
			sendWebexError(res, 400, problems[0], { descriptions: problems });
			return;
		}
		const q = query as Record<string, string>;

		let max = 100; // [spec] default and maximum 100
		if (q.max !== undefined) {
			if (!/^\d+$/.test(q.max) || Number(q.max) < 1 || Number(q.max) > 100) {
				sendWebexError(
					res,
					400,
					`max must be an integer from 1 to 100 (got ${JSON.stringify(q.max)}).`,
				);
				return;
			}
			max = Number(q.max);
		}

		let filters: Record<string, string> = {};
		let sortBy = 'billingStartDate'; // [spec] default
		let offset = 0;
		if (q.cursor !== undefined) {
			// [spec] follow the next URL as given; do not re-send the query.
			const resent = Object.keys(q).filter((k) => k !== 'cursor' && k !== 'max');
			if (resent.length) {
				this.server.violation(
					`List follow-up page re-sent query parameters with the cursor (${resent.join(', ')}): GET ${ctx.path}`,
				);
			}
			const cursor = decodeCursor(q.cursor);
			if (!cursor) {
				sendWebexError(res, 400, 'The cursor is invalid.');
				return;
			}
			// Served from the cursor alone; re-sent parameters are ignored.
			filters = cursor.f;
			sortBy = cursor.s;
			offset = cursor.o;
			if (q.max === undefined) max = cursor.m;
		} else {
			for (const k of LIST_FILTERS) if (q[k] !== undefined) filters[k] = q[k];
			if (filters.type !== undefined && !TYPES.includes(filters.type))
				problems.push(`type must be one of ${TYPES.join(', ')}.`);
			if (filters.status !== undefined && !STATUSES.includes(filters.status))
				problems.push(`status must be one of ${STATUSES.join(', ')}.`);
			for (const k of ['billingStartDate', 'billingEndDate']) {
				if (filters[k] !== undefined && parseDay(filters[k]) === undefined)
					problems.push(`${k} must be a date in the format YYYY-MM-DD.`);
			}
			if (q.sortBy !== undefined) {
				if (!SORT_BY.includes(q.sortBy))
					problems.push(`sortBy must be one of ${SORT_BY.join(', ')}.`);
				sortBy = q.sortBy;
			}
			if (problems.length) {
				sendWebexError(res, 400, problems[0], { descriptions: problems });
				return;
			}
		}

		// [spec] filters match exactly (an overlapping period is not a match).
		const matches = [...this.store.reports.values()].filter((r) => {
			for (const [k, v] of Object.entries(filters)) {
				const actual = k === 'status' ? r.status : r[k as keyof ReportRecord];
				if ((actual ?? '') !== v) return false;
			}
			return true;
		});
		// [sandbox] ascending by the sort key, ties in creation order.
		matches.sort((a, b) => {
			const x = String(sortBy === 'status' ? a.status : a[sortBy as keyof ReportRecord]);
			const y = String(sortBy === 'status' ? b.status : b[sortBy as keyof ReportRecord]);
			return x < y ? -1 : x > y ? 1 : a.seq - b.seq;
		});
		const page = matches.slice(offset, offset + max);
		const headers: Record<string, string> = {};
		if (offset + max < matches.length) {
			const next = encodeCursor({ f: filters, s: sortBy, o: offset + max, m: max });
			headers.link = `<${this.server.url}${this.prefix}${REPORTS}?cursor=${next}&max=${max}>; rel="next"`;
		}
		// [spec] ListReport items: {id, billingStartDate, billingEndDate, status, type, category}.
		this.ok(
			ctx,
			200,
			{
				items: page.map((r) => ({
					id: r.id,
					billingStartDate: r.billingStartDate,
					billingEndDate: r.billingEndDate,
					status: this.shownStatus(r.status),
					type: r.type,
					category: r.category,
				})),
			},
			headers,
		);
	}
}

function encodeCursor(c: Cursor) {
	return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(s: string): Cursor | undefined {
	try {
		const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
		if (
			c &&
			c.f &&
			typeof c.f === 'object' &&
			Object.values(c.f).every((v) => typeof v === 'string') &&
			SORT_BY.includes(c.s) &&
			Number.isInteger(c.o) &&
			c.o >= 0 &&
			Number.isInteger(c.m) &&
			c.m >= 1 &&
			c.m <= 100
		)
			return c;
	} catch {
		/* invalid */
	}
	return undefined;
}
