// @ts-check
'use strict';

/**
 * Export operations and the uploads behind them.
 *
 * [spec] lifecycle: notStarted -> running -> succeeded (alias completed) | failed; 410 once the
 * operation link expired.
 * [sandbox] computed lazily on read, no timers: notStarted for the first half of
 * `operationDelayMs`, running for the rest and for as long as the blobs are still uploading,
 * then settled. Gone after `operationTtlMs` or `expireOperation`. An unknown invoice or currency
 * settles as failed with code '5000' "No data available". Blobs of an export are uploaded once
 * per (dataset, request, attribute set, data version) and reused by later operations.
 */

const { randomUUID } = require('crypto');
const { hash32, hex8 } = require('../webex/prng');
const { lineItemIterable, resolvePeriod, getDataset } = require('./data');

/**
 * @typedef {import('./data').GraphDataset} GraphDataset
 * @typedef {{ code: string, message: string }} OperationError
 * @typedef {{ container: string, directory: string, blobs: Array<{ name: string, partitionValue: string }>, lineCount: number }} UploadResult
 * @typedef {{ state: 'pending' | 'done' | 'error', result?: UploadResult, error?: string, promise: Promise<void> }} Upload
 *
 * @typedef {object} GraphStoreOptions
 * @property {number} operationDelayMs
 * @property {number} operationTtlMs
 * @property {number | undefined} scaleLineItems
 * @property {number | undefined} linesPerBlob
 * @property {number} blobsPerPartition
 */

const CONTAINER_PREFIX = /** @type {Record<GraphDataset, string>} */ ({
	billedUsage: 'billedusagefastpath',
	unbilledUsage: 'unbilledusagefastpath',
	billedReconciliation: 'billedreconfastpath',
	unbilledReconciliation: 'unbilledreconfastpath',
});

class Operation {
	/**
	 * @param {object} init
	 * @param {GraphDataset} init.dataset
	 * @param {Record<string, string>} init.request  body as accepted (attributeSet defaulted)
	 * @param {OperationError | undefined} init.failure
	 * @param {string | undefined} init.exportKey
	 * @param {Upload | undefined} init.upload
	 * @param {string} init.eTag
	 * @param {GraphStoreOptions} options live options
	 */
	constructor(init, options) {
		this.id = randomUUID();
		this.manifestId = randomUUID();
		this.createdMs = Date.now();
		this.dataset = init.dataset;
		this.request = init.request;
		this.failure = init.failure;
		this.exportKey = init.exportKey;
		this.upload = init.upload;
		this.eTag = init.eTag;
		this.expired = false;
		/** ms when the last GET that carried Retry-After was answered, and that Retry-After (s) */
		this.lastPollMs = 0;
		this.lastRetryAfter = 0;
		/** @type {number | undefined} */
		this.settledMs = undefined;
		/** @private */
		this._options = options;
	}

	get gone() {
		return this.expired || Date.now() - this.createdMs >= this._options.operationTtlMs;
	}

	/** @returns {'notStarted' | 'running' | 'succeeded' | 'failed'} */
	get state() {
		if (this.settledMs !== undefined) return this.failure ? 'failed' : 'succeeded';
		const elapsed = Date.now() - this.createdMs;
		const delay = this._options.operationDelayMs;
		if (elapsed < delay / 2) return 'notStarted';
		if (elapsed < delay) return 'running';
		if (!this.failure && this.upload) {
			if (this.upload.state === 'pending') return 'running';
			if (this.upload.state === 'error') this.failure = { code: '500', message: `Export failed: ${this.upload.error}` };
		}
		this.settledMs = Math.max(Date.now(), this.createdMs + delay);
		return this.failure ? 'failed' : 'succeeded';
	}

	get lastActionMs() {
		return this.settledMs ?? this.createdMs;
	}
}

class OperationStore {
	/**
	 * @param {object} deps
	 * @param {number} deps.seed
	 * @param {GraphStoreOptions} deps.options
	 * @param {() => import('./blobs').BlobWriter} deps.writer
	 */
	constructor(deps) {
		this.seed = deps.seed;
		this.options = deps.options;
		this.writer = deps.writer;
		/** @type {Map<string, Operation>} */
		this.operations = new Map();
		/** @type {Map<string, Upload>} uploads by export key (kept across reset: data is deterministic) */
		this.uploads = new Map();
		/** @type {Map<string, number>} data version per period key (touchData) */
		this.versions = new Map();
		/** @type {OperationError | undefined} */
		this.failNext = undefined;
	}

	/**
	 * @param {GraphDataset} dataset
	 * @param {Record<string, string>} request
	 */
	create(dataset, request) {
		const billed = dataset.startsWith('billed');
		const period = resolvePeriod(this.seed, billed ? { invoiceId: request.invoiceId } : { billingPeriod: request.billingPeriod, currencyCode: request.currencyCode });
		let failure = this.failNext;
		this.failNext = undefined;
		/** @type {string | undefined} */
		let exportKey;
		/** @type {Upload | undefined} */
		let upload;
		let eTag = '';
		if (!period) {
			// [spec] 5000 arrives as a failed operation, not as an HTTP error.
			failure = failure || { code: '5000', message: 'No data available' };
		} else {
			const version = this.versions.get(period.key) || 0;
			const scale = dataset.endsWith('Usage') ? this.options.scaleLineItems : undefined;
			exportKey = [dataset, period.key, period.startMs, period.lastUsageMs, request.attributeSet, version, scale ?? ''].join('|');
			eTag = `0x8DC${hex8(hash32(this.seed, exportKey)).toUpperCase()}${hex8(hash32(exportKey, this.seed)).slice(0, 5).toUpperCase()}`;
			if (!failure) upload = this.uploadFor(dataset, request, period, exportKey, scale);
		}
		const op = new Operation({ dataset, request, failure, exportKey, upload, eTag }, this.options);
		this.operations.set(op.id, op);
		return op;
	}

	/**
	 * @param {GraphDataset} dataset
	 * @param {Record<string, string>} request
	 * @param {import('./data').Period} period
	 * @param {string} exportKey
	 * @param {number | undefined} scale
	 * @returns {Upload}
	 */
	uploadFor(dataset, request, period, exportKey, scale) {
		const existing = this.uploads.get(exportKey);
		if (existing && existing.state !== 'error') return existing;
		const ds = getDataset(this.seed);
		const container = `${CONTAINER_PREFIX[dataset]}-${hex8(hash32(exportKey))}${hex8(hash32(this.seed, 'c', exportKey))}`;
		const where = period.invoiceId ? `InvoiceId=${period.invoiceId}` : `BillingPeriod=${request.billingPeriod}/Currency=${request.currencyCode}`;
		const directory = `v1/PartnerTenantId=${ds.partner.tenantId}/BillingMonth=${period.billingMonth}/${where}/AttributeSet=${request.attributeSet}`;
		const lines = lineItemIterable({ dataset, ...request, attributeSet: /** @type {'full'|'basic'} */ (request.attributeSet) }, { seed: this.seed, scaleLineItems: scale });
		const linesPerBlob = this.options.linesPerBlob ?? (scale !== undefined ? 250000 : 500);
		/** @type {Upload} */
		const upload = { state: 'pending', promise: Promise.resolve() };
		upload.promise = this.writer()
			.upload({ container, directory, lines: /** @type {Iterable<Record<string, unknown>>} */ (lines), linesPerBlob, blobsPerPartition: this.options.blobsPerPartition })
			.then((result) => {
				upload.state = 'done';
				upload.result = result;
			})
			.catch((err) => {
				upload.state = 'error';
				upload.error = String((err && err.message) || err);
			});
		this.uploads.set(exportKey, upload);
		return upload;
	}

	/** @param {string} periodKey invoice id or 'unbilled:current:USD' */
	touch(periodKey) {
		this.versions.set(periodKey, (this.versions.get(periodKey) || 0) + 1);
	}

	/** @param {string} manifestId */
	byManifest(manifestId) {
		for (const op of this.operations.values()) if (op.manifestId === manifestId) return op;
		return undefined;
	}

	/** Settle every pending upload (tests/bench: wait until the blobs exist). */
	async idle() {
		await Promise.all([...this.uploads.values()].map((u) => u.promise));
	}

	clear() {
		this.operations.clear();
		this.versions.clear();
		this.failNext = undefined;
	}
}

module.exports = { OperationStore, Operation };
