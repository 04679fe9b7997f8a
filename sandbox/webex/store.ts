/**
 * In-memory store of Webex billing reports.
 *
 * Lifecycle (spec: IN_PROGRESS -> COMPLETED | FAILED): a created report is IN_PROGRESS until
 * `options.reportDelayMs` (read live) have elapsed since its creation, then COMPLETED, or FAILED
 * with `errors` when `failNextReport` was armed. Computed lazily when `status` is read; once
 * settled it stays settled. No timers.
 */

import { randomUUID } from 'crypto';
import { webexId } from './data';
import type { ReportType } from './data';

/** Default background errors of a failed report (sandbox choice; the spec only gives the shape {code, description}). */
const DEFAULT_FAILURE = Object.freeze([
	{ code: 2031, description: 'Billing report generation failed due to an internal error.' },
]);

export type ReportStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ReportError {
	code?: number;
	description: string;
}

interface StoreOptions {
	reportDelayMs: number;
}

interface ReportInit {
	billingStartDate: string;
	billingEndDate: string;
	type: ReportType;
	subPartnerOrgId?: string;
	internal?: boolean;
	createdMs: number;
	createdBy: string;
	status: ReportStatus;
	errors?: ReportError[];
	/** pending outcome (created reports) */
	outcome?: { status: ReportStatus; errors: ReportError[] };
}

/** What create() is given: a request the API has validated. */
interface CreateReportParams {
	billingStartDate: string;
	billingEndDate: string;
	type: ReportType;
	subPartnerOrgId?: string;
	internal?: boolean;
}

export interface SeedReportParams {
	billingStartDate: string;
	billingEndDate: string;
	type?: ReportType;
	subPartnerOrgId?: string;
	internal?: boolean;
	/** default COMPLETED; a seeded IN_PROGRESS report stays so until a test sets `status` */
	status?: ReportStatus;
	errors?: ReportError[];
	/** ISO string or ms epoch; default now */
	created?: string | number;
}

let sequence = 0;

export class ReportRecord {
	uuid: string;
	/** Spec-like id: base64url of `ciscospark://us/BILLING_REPORT/<uuid>`. */
	id: string;
	billingStartDate: string;
	billingEndDate: string;
	type: ReportType;
	subPartnerOrgId: string | undefined;
	internal: boolean;
	category: string;
	createdMs: number;
	createdBy: string;
	errors: ReportError[];
	/** Where the file lives on the "CDN": /cdn/webex/<folderUuid>/WHOLESALE/<fileUuid>.csv */
	folderUuid: string;
	fileUuid: string;
	seq: number;
	/** cached CSV size for Content-Length/Range */
	csvSize: { key: string; bytes: number } | undefined;
	private _status: ReportStatus;
	private _outcome: { status: ReportStatus; errors: ReportError[] } | undefined;
	private _options: StoreOptions;

	/** @param options live options */
	constructor(init: ReportInit, options: StoreOptions) {
		this.uuid = randomUUID();
		this.id = webexId('BILLING_REPORT', this.uuid);
		this.billingStartDate = init.billingStartDate;
		this.billingEndDate = init.billingEndDate;
		this.type = init.type;
		this.subPartnerOrgId = init.subPartnerOrgId || undefined;
		this.internal = init.internal === true;
		this.category = 'RECONCILIATION';
		this.createdMs = init.createdMs;
		this.createdBy = init.createdBy;
		this.errors = init.errors ? [...init.errors] : [];
		this.folderUuid = randomUUID();
		this.fileUuid = randomUUID();
		this.seq = ++sequence;
		this.csvSize = undefined;
		this._status = init.status;
		this._outcome = init.outcome;
		this._options = options;
	}

	/** ISO timestamp with milliseconds (spec example `2021-06-16T12:40:33.109Z`). */
	get created() {
		return new Date(this.createdMs).toISOString();
	}

	get status(): ReportStatus {
		if (
			this._status === 'IN_PROGRESS' &&
			this._outcome &&
			Date.now() - this.createdMs >= this._options.reportDelayMs
		) {
			this._status = this._outcome.status;
			this.errors = [...this._outcome.errors];
			this._outcome = undefined;
		}
		return this._status;
	}

	/** Tests may force a status; this cancels any pending lazy transition. */
	set status(value: ReportStatus) {
		this._status = value;
		this._outcome = undefined;
	}

	/** The key create uses to refuse duplicates (spec: delete the existing report first). */
	get periodKey() {
		return periodKey(this);
	}
}

function periodKey(p: {
	billingStartDate: string;
	billingEndDate: string;
	type?: string;
	subPartnerOrgId?: string;
}) {
	return [p.billingStartDate, p.billingEndDate, p.type || 'PARTNER', p.subPartnerOrgId || ''].join(
		'|',
	);
}

export class ReportStore {
	options: StoreOptions;
	createdBy: string;
	reports: Map<string, ReportRecord>;
	failNext: ReportError[] | undefined;

	/**
	 * @param options live options object
	 * @param createdBy person id of the partner administrator
	 */
	constructor(options: StoreOptions, createdBy: string) {
		this.options = options;
		this.createdBy = createdBy;
		this.reports = new Map();
		this.failNext = undefined;
	}

	/** Create as the API does: IN_PROGRESS, settling lazily. */
	create(params: CreateReportParams) {
		const outcome = this.failNext
			? { status: 'FAILED' as ReportStatus, errors: this.failNext }
			: { status: 'COMPLETED' as ReportStatus, errors: [] };
		this.failNext = undefined;
		const record = new ReportRecord(
			{
				...params,
				createdMs: Date.now(),
				createdBy: this.createdBy,
				status: 'IN_PROGRESS',
				outcome,
			},
			this.options,
		);
		this.reports.set(record.id, record);
		return record;
	}

	/**
	 * Put an existing report in place (no validation, duplicates allowed). Default status COMPLETED;
	 * a seeded IN_PROGRESS report stays in progress until a test sets `status`.
	 */
	seed(params: SeedReportParams) {
		const status = params.status || 'COMPLETED';
		const createdMs =
			params.created === undefined
				? Date.now()
				: typeof params.created === 'number'
					? params.created
					: Date.parse(params.created);
		const errors =
			params.errors || (status === 'FAILED' ? DEFAULT_FAILURE.map((e) => ({ ...e })) : []);
		const record = new ReportRecord(
			{
				billingStartDate: params.billingStartDate,
				billingEndDate: params.billingEndDate,
				type: params.type || 'PARTNER',
				subPartnerOrgId: params.subPartnerOrgId,
				internal: params.internal,
				createdMs,
				createdBy: this.createdBy,
				status,
				errors,
			},
			this.options,
		);
		this.reports.set(record.id, record);
		return record;
	}

	failNextReport(errors?: ReportError[]) {
		this.failNext =
			errors && errors.length
				? errors.map((e) => ({ ...e }))
				: DEFAULT_FAILURE.map((e) => ({ ...e }));
	}

	findDuplicate(params: {
		billingStartDate: string;
		billingEndDate: string;
		type?: string;
		subPartnerOrgId?: string;
	}) {
		const key = periodKey(params);
		for (const r of this.reports.values()) if (r.periodKey === key) return r;
		return undefined;
	}

	findByFile(fileUuid: string) {
		for (const r of this.reports.values()) if (r.fileUuid === fileUuid) return r;
		return undefined;
	}

	clear() {
		this.reports.clear();
		this.failNext = undefined;
	}
}
