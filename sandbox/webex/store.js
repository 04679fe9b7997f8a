// @ts-check
'use strict';

/**
 * In-memory store of Webex billing reports.
 *
 * Lifecycle (spec: IN_PROGRESS -> COMPLETED | FAILED): a created report is IN_PROGRESS until
 * `options.reportDelayMs` (read live) have elapsed since its creation, then COMPLETED, or FAILED
 * with `errors` when `failNextReport` was armed. Computed lazily when `status` is read; once
 * settled it stays settled. No timers.
 */

const { randomUUID } = require('crypto');
const { webexId } = require('./data');

/** Default background errors of a failed report (sandbox choice; the spec only gives the shape {code, description}). */
const DEFAULT_FAILURE = Object.freeze([{ code: 2031, description: 'Billing report generation failed due to an internal error.' }]);

/**
 * @typedef {'IN_PROGRESS'|'COMPLETED'|'FAILED'} ReportStatus
 * @typedef {{ code?: number, description: string }} ReportError
 * @typedef {{ reportDelayMs: number }} StoreOptions
 */

let sequence = 0;

class ReportRecord {
	/**
	 * @param {object} init
	 * @param {string} init.billingStartDate
	 * @param {string} init.billingEndDate
	 * @param {'PARTNER'|'CUSTOMER'|'USER'} init.type
	 * @param {string} [init.subPartnerOrgId]
	 * @param {boolean} [init.internal]
	 * @param {number} init.createdMs
	 * @param {string} init.createdBy
	 * @param {ReportStatus} init.status
	 * @param {ReportError[]} [init.errors]
	 * @param {{ status: ReportStatus, errors: ReportError[] }} [init.outcome] pending outcome (created reports)
	 * @param {StoreOptions} options live options
	 */
	constructor(init, options) {
		this.uuid = randomUUID();
		/** Spec-like id: base64url of `ciscospark://us/BILLING_REPORT/<uuid>`. */
		this.id = webexId('BILLING_REPORT', this.uuid);
		this.billingStartDate = init.billingStartDate;
		this.billingEndDate = init.billingEndDate;
		this.type = init.type;
		/** @type {string | undefined} */
		this.subPartnerOrgId = init.subPartnerOrgId || undefined;
		this.internal = init.internal === true;
		this.category = 'RECONCILIATION';
		this.createdMs = init.createdMs;
		this.createdBy = init.createdBy;
		/** @type {ReportError[]} */
		this.errors = init.errors ? [...init.errors] : [];
		/** Where the file lives on the "CDN": /cdn/webex/<folderUuid>/WHOLESALE/<fileUuid>.csv */
		this.folderUuid = randomUUID();
		this.fileUuid = randomUUID();
		this.seq = ++sequence;
		/** @type {{ key: string, bytes: number } | undefined} cached CSV size for Content-Length/Range */
		this.csvSize = undefined;
		/** @private */
		this._status = init.status;
		/** @private */
		this._outcome = init.outcome;
		/** @private */
		this._options = options;
	}

	/** ISO timestamp with milliseconds (spec example `2021-06-16T12:40:33.109Z`). */
	get created() {
		return new Date(this.createdMs).toISOString();
	}

	/** @returns {ReportStatus} */
	get status() {
		if (this._status === 'IN_PROGRESS' && this._outcome && Date.now() - this.createdMs >= this._options.reportDelayMs) {
			this._status = this._outcome.status;
			this.errors = [...this._outcome.errors];
			this._outcome = undefined;
		}
		return this._status;
	}

	/** Tests may force a status; this cancels any pending lazy transition. @param {ReportStatus} value */
	set status(value) {
		this._status = value;
		this._outcome = undefined;
	}

	/** The key create uses to refuse duplicates (spec: delete the existing report first). */
	get periodKey() {
		return periodKey(this);
	}
}

/**
 * @param {{ billingStartDate: string, billingEndDate: string, type?: string, subPartnerOrgId?: string }} p
 */
function periodKey(p) {
	return [p.billingStartDate, p.billingEndDate, p.type || 'PARTNER', p.subPartnerOrgId || ''].join('|');
}

class ReportStore {
	/**
	 * @param {StoreOptions} options live options object
	 * @param {string} createdBy person id of the partner administrator
	 */
	constructor(options, createdBy) {
		this.options = options;
		this.createdBy = createdBy;
		/** @type {Map<string, ReportRecord>} */
		this.reports = new Map();
		/** @type {ReportError[] | undefined} */
		this.failNext = undefined;
	}

	/**
	 * Create as the API does: IN_PROGRESS, settling lazily.
	 * @param {{ billingStartDate: string, billingEndDate: string, type: 'PARTNER'|'CUSTOMER'|'USER', subPartnerOrgId?: string, internal?: boolean }} params
	 */
	create(params) {
		const outcome = this.failNext ? { status: /** @type {ReportStatus} */ ('FAILED'), errors: this.failNext } : { status: /** @type {ReportStatus} */ ('COMPLETED'), errors: [] };
		this.failNext = undefined;
		const record = new ReportRecord({ ...params, createdMs: Date.now(), createdBy: this.createdBy, status: 'IN_PROGRESS', outcome }, this.options);
		this.reports.set(record.id, record);
		return record;
	}

	/**
	 * Put an existing report in place (no validation, duplicates allowed). Default status COMPLETED;
	 * a seeded IN_PROGRESS report stays in progress until a test sets `status`.
	 * @param {{ billingStartDate: string, billingEndDate: string, type?: 'PARTNER'|'CUSTOMER'|'USER', subPartnerOrgId?: string,
	 *   internal?: boolean, status?: ReportStatus, errors?: ReportError[], created?: string | number }} params
	 */
	seed(params) {
		const status = params.status || 'COMPLETED';
		const createdMs = params.created === undefined ? Date.now() : typeof params.created === 'number' ? params.created : Date.parse(params.created);
		const errors = params.errors || (status === 'FAILED' ? DEFAULT_FAILURE.map((e) => ({ ...e })) : []);
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

	/** @param {ReportError[]} [errors] */
	failNextReport(errors) {
		this.failNext = errors && errors.length ? errors.map((e) => ({ ...e })) : DEFAULT_FAILURE.map((e) => ({ ...e }));
	}

	/** @param {{ billingStartDate: string, billingEndDate: string, type?: string, subPartnerOrgId?: string }} params */
	findDuplicate(params) {
		const key = periodKey(params);
		for (const r of this.reports.values()) if (r.periodKey === key) return r;
		return undefined;
	}

	/** @param {string} fileUuid */
	findByFile(fileUuid) {
		for (const r of this.reports.values()) if (r.fileUuid === fileUuid) return r;
		return undefined;
	}

	clear() {
		this.reports.clear();
		this.failNext = undefined;
	}
}

module.exports = { ReportStore, ReportRecord, periodKey, DEFAULT_FAILURE };
