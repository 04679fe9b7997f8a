/**
 * Cisco XaaS Billing usage API, relative to `/cisco/ccw/api/v1.0`:
 *   POST /usage                by invoice numbers, or by a range of invoice dates
 *   POST /usageBySubscription  by subscription ids, or by a range of invoice dates
 *
 * [spec] marks what specs/cisco-xaas-billing.md states; [sandbox] marks choices for
 * points it leaves open (the unconfirmed ones are options). Checks run in this order, the first
 * failing group answers: bearer token (401), method / media type / JSON (405, 415, 400), the
 * envelope (400 VALIDATION_ERROR, every problem in one message), the BID (400 BILL_TO_ERROR),
 * business rules (400 BIZ_RULE_FAIL_ERROR).
 */

import { sendJson } from '../server';
import { todayDay, formatDay } from '../webex/dates';
import { parseTimestamp, formatTimestamp, dayOf, minusMonths } from './dates';
import {
	VALIDATION_ERROR,
	BILL_TO_ERROR,
	BIZ_RULE_FAIL_ERROR,
	UNKNOWN_ERROR,
	requestUuid,
	sendCiscoError,
} from './errors';
import { CiscoAuth } from './auth';
import type { RequestContext } from '../server';
import type { Dataset, Invoice } from './data';
import type { ErrorBodyFn } from './errors';
import type { CiscoFiles } from './download';

/** [spec] at most 20 records per page. */
const PAGE_SIZE = 20;
/** [spec] at most 20 invoice numbers or subscription ids per request (the schema would allow 50). */
const MAX_LIST_ENTRIES = 20;
/** [spec] a date range may reach back at most six months from today. */
const MAX_LOOKBACK_MONTHS = 6;
/** [spec] pageNumber 1..999999999999999 */
const MAX_PAGE_NUMBER = 999999999999999;
/** [spec] createdBy: the CCO id, at most 50 characters. */
const MAX_CREATED_BY = 50;
const ENVELOPE_FIELDS = [
	'uuid',
	'createdBy',
	'createdDateTime',
	'billingAddressId',
	'beginDate',
	'endDate',
	'pageNumber',
];
const TIMESTAMP_FIELDS = ['createdDateTime', 'beginDate', 'endDate'];

/** The live options the usage API reads (see CiscoOptions). */
export interface ApiOptions {
	/** what billingAddressId may be (default 'any': a JSON number or a digit string) */
	billingAddressIdType: 'any' | 'number' | 'string';
	/** list element of usageBySubscription (default 'subscriptionList') */
	subscriptionListField: string;
	/** key inside each entry (default 'subscriptionId') */
	subscriptionIdField: string;
	/** JSON type of invoiceNumber in responses (default 'number') */
	invoiceNumberType: 'number' | 'string';
	/** invoiceDate in responses: 'YYYY-MM-DDT00:00:00.000Z' (default) or 'YYYY-MM-DD' */
	invoiceDateFormat: 'dateTime' | 'date';
	/** builds the error body (default {uuid, status: 'ERROR', errorCode, errorMessage}) */
	errorBody: ErrorBodyFn;
}

interface ListSpec {
	field: string;
	idField: string;
	what: string;
	example: string;
	parseId: (value: unknown) => string | undefined;
}

interface Envelope {
	uuid: string;
	beginMs: number;
	endMs: number;
	pageNumber: number;
	ids: string[];
}

/**
 * An invoice number as a JSON number or a string of digits, normalised to digits without
 * leading zeros.
 */
function parseInvoiceNumber(value: unknown) {
	if (typeof value === 'number')
		return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
	if (typeof value === 'string' && /^\d+$/.test(value) && /[1-9]/.test(value))
		return String(BigInt(value));
	return undefined;
}

function parseSubscriptionId(value: unknown) {
	return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isPlainObject(value: unknown) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class CiscoApi {
	dataset: Dataset;
	auth: CiscoAuth;
	files: CiscoFiles;
	options: ApiOptions;

	/** @param deps.options live options */
	constructor(deps: { dataset: Dataset; auth: CiscoAuth; files: CiscoFiles; options: ApiOptions }) {
		this.dataset = deps.dataset;
		this.auth = deps.auth;
		this.files = deps.files;
		this.options = deps.options;
	}

	invoiceListSpec(): ListSpec {
		return {
			field: 'invoiceList',
			idField: 'invoiceNumber',
			what: 'invoice numbers',
			example: '{"invoiceNumber": <number>}',
			parseId: parseInvoiceNumber,
		};
	}

	/** [unconfirmed] element names of the subscription list: options. */
	subscriptionListSpec(): ListSpec {
		const { subscriptionListField: field, subscriptionIdField: idField } = this.options;
		return {
			field,
			idField,
			what: 'subscription ids',
			example: `{"${idField}": "<id>"}`,
			parseId: parseSubscriptionId,
		};
	}

	fail(
		ctx: RequestContext,
		httpStatus: number,
		errorCode: string,
		errorMessage: string,
		headers?: Record<string, string>,
	) {
		sendCiscoError(
			ctx.res,
			this.options.errorBody,
			{ httpStatus, uuid: requestUuid(ctx.body), errorCode, errorMessage },
			headers,
		);
	}

	handle(ctx: RequestContext) {
		// [spec] every call carries `Authorization: Bearer <token>`; [sandbox] the gateway answers
		// 401 before any Cisco logic, for unknown paths too.
		const auth = this.auth.authenticate(ctx.req.headers);
		if (!auth.ok) {
			CiscoAuth.sendUnauthorized(ctx.res, auth.message);
			return;
		}
		const spec =
			ctx.path === '/usage'
				? this.invoiceListSpec()
				: ctx.path === '/usageBySubscription'
					? this.subscriptionListSpec()
					: undefined;
		if (!spec) {
			this.fail(ctx, 404, UNKNOWN_ERROR, `No such resource: ${ctx.entry.method} ${ctx.path}`);
			return;
		}
		if (ctx.entry.method !== 'POST') {
			this.fail(
				ctx,
				405,
				UNKNOWN_ERROR,
				`Method ${ctx.entry.method} is not allowed on ${ctx.path}; use POST.`,
				{ allow: 'POST' },
			);
			return;
		}
		const contentType = String(ctx.req.headers['content-type'] || '').toLowerCase();
		if (!/^application\/([\w.+-]*\+)?json\b/.test(contentType)) {
			this.fail(
				ctx,
				415,
				VALIDATION_ERROR,
				'The request body must be JSON (Content-Type: application/json).',
			);
			return;
		}
		if (!ctx.bodyIsJson || !isPlainObject(ctx.body)) {
			this.fail(
				ctx,
				400,
				VALIDATION_ERROR,
				ctx.bodyIsJson
					? 'The request body must be a JSON object.'
					: 'The request body is not valid JSON.',
			);
			return;
		}
		const body = ctx.body as Record<string, unknown>;
		const { problems, envelope, billingAddressId } = this.validate(body, spec);
		if (!envelope) {
			this.fail(ctx, 400, VALIDATION_ERROR, problems.join(' '));
			return;
		}
		// [spec] BILL_TO_ERROR "Given CCO ID is not associated with the BID".
		if (billingAddressId !== String(this.dataset.partner.billingAddressId)) {
			this.fail(ctx, 400, BILL_TO_ERROR, 'Given CCO ID is not associated with the BID');
			return;
		}
		const ruleProblems = this.businessRuleProblems(envelope, spec);
		if (ruleProblems.length) {
			this.fail(ctx, 400, BIZ_RULE_FAIL_ERROR, ruleProblems.join(' '));
			return;
		}
		const matches = this.select(envelope, spec);
		const totalPage = Math.ceil(matches.length / PAGE_SIZE);
		// [sandbox] a page beyond totalPage is an empty list (not an error).
		const page = matches.slice(
			(envelope.pageNumber - 1) * PAGE_SIZE,
			envelope.pageNumber * PAGE_SIZE,
		);
		sendJson(ctx.res, 200, {
			uuid: envelope.uuid, // [spec] echoed
			createdDateTime: formatTimestamp(Date.now()),
			pageNumber: envelope.pageNumber,
			totalPage,
			usageURLList: page.map((invoice) => ({
				// [unconfirmed] JSON types/format of invoiceNumber and invoiceDate: options.
				invoiceNumber:
					this.options.invoiceNumberType === 'string'
						? invoice.invoiceNumber
						: Number(invoice.invoiceNumber),
				invoiceDate:
					this.options.invoiceDateFormat === 'date'
						? invoice.invoiceDate
						: `${invoice.invoiceDate}T00:00:00.000Z`,
				usageURL: this.files.issueLink(invoice.invoiceNumber),
			})),
		});
	}

	/** The envelope rules of the spec's request table. */
	validate(
		body: Record<string, unknown>,
		spec: ListSpec,
	): { problems: string[]; envelope?: Envelope; billingAddressId?: string } {
		const problems: string[] = [];
		for (const key of Object.keys(body)) {
			if (ENVELOPE_FIELDS.includes(key) || key === spec.field) continue;
			// [sandbox] the subscription request may carry the shared envelope's empty invoiceList.
			if (
				key === 'invoiceList' &&
				spec.field !== 'invoiceList' &&
				Array.isArray(body.invoiceList) &&
				body.invoiceList.length === 0
			)
				continue;
			// [sandbox] unknown fields are refused: catches a misspelt (or differently named) list element.
			problems.push(`Unrecognized field "${key}".`);
		}
		if (typeof body.uuid !== 'string' || body.uuid === '')
			problems.push('uuid is required: a non-empty string.');
		const createdBy = body.createdBy;
		if (
			typeof createdBy !== 'string' ||
			createdBy.length < 1 ||
			createdBy.length > MAX_CREATED_BY
		) {
			problems.push(
				`createdBy is required: a string of 1 to ${MAX_CREATED_BY} characters${typeof createdBy === 'string' ? ` (got ${createdBy.length})` : ''}.`,
			);
		}
		const instants: Record<string, number | undefined> = {};
		for (const field of TIMESTAMP_FIELDS) {
			instants[field] = parseTimestamp(body[field]);
			if (instants[field] === undefined)
				problems.push(
					`${field} is required, formatted YYYY-MM-DDTHH:MM:SS.000Z (got ${JSON.stringify(body[field])}).`,
				);
		}
		const billingAddressId = this.parseBillingAddressId(body.billingAddressId);
		if (billingAddressId === undefined) problems.push(this.billingAddressIdRule());
		const pageNumber = body.pageNumber === undefined ? 1 : body.pageNumber; // [spec] 0..1, first page 1
		if (
			!Number.isInteger(pageNumber) ||
			(pageNumber as number) < 1 ||
			(pageNumber as number) > MAX_PAGE_NUMBER
		) {
			problems.push(
				`pageNumber must be an integer from 1 to ${MAX_PAGE_NUMBER} (got ${JSON.stringify(body.pageNumber)}).`,
			);
		}
		const ids = this.parseList(body[spec.field], spec, problems);

		if (problems.length) return { problems };
		return {
			problems,
			billingAddressId,
			envelope: {
				uuid: body.uuid as string,
				beginMs: instants.beginDate as number,
				endMs: instants.endDate as number,
				pageNumber: pageNumber as number,
				ids: ids as string[],
			},
		};
	}

	/**
	 * [spec] a JSON number in the sibling API, [unconfirmed] here: option billingAddressIdType.
	 * @returns digits without leading zeros
	 */
	parseBillingAddressId(value: unknown): string | undefined {
		const type = this.options.billingAddressIdType;
		if (typeof value === 'number' && type !== 'string')
			return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
		if (
			typeof value === 'string' &&
			type !== 'number' &&
			/^\d+$/.test(value) &&
			/[1-9]/.test(value)
		)
			return String(BigInt(value));
		return undefined;
	}

	billingAddressIdRule() {
		const type = this.options.billingAddressIdType;
		const shape =
			type === 'number'
				? 'a JSON number'
				: type === 'string'
					? 'a string of digits'
					: 'a JSON number or a string of digits';
		return `billingAddressId is required: ${shape}.`;
	}

	/**
	 * The ids of the list element (may be empty: a date-range request), or undefined after
	 * adding the problems to `problems`.
	 */
	parseList(list: unknown, spec: ListSpec, problems: string[]): string[] | undefined {
		if (!Array.isArray(list)) {
			problems.push(
				`${spec.field} is required: an array of ${spec.example} (empty for a date range).`,
			);
			return undefined;
		}
		const ids: string[] = [];
		list.forEach((item, i) => {
			const keys = isPlainObject(item) ? Object.keys(item as object) : [];
			const id =
				keys.length === 1 && keys[0] === spec.idField
					? spec.parseId((item as Record<string, unknown>)[spec.idField])
					: undefined;
			if (id === undefined)
				problems.push(`${spec.field}[${i}] must be ${spec.example} (got ${JSON.stringify(item)}).`);
			else ids.push(id);
		});
		return ids.length === list.length ? ids : undefined;
	}

	/**
	 * [spec] at most 20 list entries; a date range reaches back at most six months.
	 * [sandbox] begin must not be after end; the date rules apply only to date-range requests
	 * (an empty list): ids take precedence and their dates are not looked at.
	 */
	businessRuleProblems(envelope: Envelope, spec: ListSpec) {
		if (envelope.ids.length > MAX_LIST_ENTRIES) {
			return [
				`At most ${MAX_LIST_ENTRIES} ${spec.what} are allowed per request (got ${envelope.ids.length}).`,
			];
		}
		if (envelope.ids.length) return [];
		const problems: string[] = [];
		if (envelope.beginMs > envelope.endMs) problems.push('beginDate must not be after endDate.');
		const earliest = minusMonths(todayDay(), MAX_LOOKBACK_MONTHS);
		if (dayOf(envelope.beginMs) < earliest) {
			problems.push(
				`beginDate must not be more than ${MAX_LOOKBACK_MONTHS} months before today: the earliest allowed is ${formatDay(earliest)}T00:00:00.000Z.`,
			);
		}
		return problems;
	}

	/**
	 * The partner's invoices the request asks for. [spec] invoices of another BID (and unknown
	 * numbers) are silently left out. [sandbox] requested invoices in request order (duplicates
	 * once); subscription and date-range results by invoice date, then number; a date range
	 * compares calendar days (UTC), both ends inclusive.
	 */
	select(envelope: Envelope, spec: ListSpec): Invoice[] {
		const bid = this.dataset.partner.billingAddressId;
		const partnerInvoices = this.dataset.invoices.filter((i) => i.billingAddressId === bid);
		if (envelope.ids.length && spec.field === 'invoiceList') {
			const found: Invoice[] = [];
			for (const n of new Set(envelope.ids)) {
				const invoice = this.dataset.byNumber.get(n);
				if (invoice && invoice.billingAddressId === bid) found.push(invoice);
			}
			return found;
		}
		if (envelope.ids.length) {
			const wanted = new Set(envelope.ids);
			return partnerInvoices.filter((i) => i.subscriptionIds.some((s) => wanted.has(s)));
		}
		const first = dayOf(envelope.beginMs);
		const last = dayOf(envelope.endMs);
		return partnerInvoices.filter((i) => i.invoiceDay >= first && i.invoiceDay <= last);
	}
}
