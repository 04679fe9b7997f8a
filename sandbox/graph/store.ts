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

import { randomUUID } from 'crypto';
import { hash32, hex8 } from '../webex/prng';
import { lineItemIterable, resolvePeriod, getDataset } from './data';
import type { GraphDataset, Period } from './data';
import type { BlobWriter } from './blobs';

interface OperationError {
	code: string;
	message: string;
}

export interface UploadResult {
	container: string;
	directory: string;
	blobs: Array<{ name: string; partitionValue: string }>;
	lineCount: number;
}

interface Upload {
	state: 'pending' | 'done' | 'error';
	result?: UploadResult;
	error?: string;
	promise: Promise<void>;
}

interface GraphStoreOptions {
	operationDelayMs: number;
	operationTtlMs: number;
	scaleLineItems: number | undefined;
	linesPerBlob: number | undefined;
	blobsPerPartition: number;
}

const CONTAINER_PREFIX: Record<GraphDataset, string> = {
	billedUsage: 'billedusagefastpath',
	unbilledUsage: 'unbilledusagefastpath',
	billedReconciliation: 'billedreconfastpath',
	unbilledReconciliation: 'unbilledreconfastpath',
};

export class Operation {
	id: string;
	manifestId: string;
	createdMs: number;
	dataset: GraphDataset;
	request: Record<string, string>;
	failure: OperationError | undefined;
	exportKey: string | undefined;
	upload: Upload | undefined;
	eTag: string;
	expired: boolean;
	/** ms when the last GET that carried Retry-After was answered, and that Retry-After (s) */
	lastPollMs: number;
	lastRetryAfter: number;
	settledMs: number | undefined;
	private _options: GraphStoreOptions;

	/**
	 * @param init.request body as accepted (attributeSet defaulted)
	 * @param options live options
	 */
	constructor(
		init: {
			dataset: GraphDataset;
			request: Record<string, string>;
			failure: OperationError | undefined;
			exportKey: string | undefined;
			upload: Upload | undefined;
			eTag: string;
		},
		options: GraphStoreOptions,
	) {
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
		this.lastPollMs = 0;
		this.lastRetryAfter = 0;
		this.settledMs = undefined;
		this._options = options;
	}

	get gone() {
		return this.expired || Date.now() - this.createdMs >= this._options.operationTtlMs;
	}

	get state(): 'notStarted' | 'running' | 'succeeded' | 'failed' {
		if (this.settledMs !== undefined) return this.failure ? 'failed' : 'succeeded';
		const elapsed = Date.now() - this.createdMs;
		const delay = this._options.operationDelayMs;
		if (elapsed < delay / 2) return 'notStarted';
		if (elapsed < delay) return 'running';
		if (!this.failure && this.upload) {
			if (this.upload.state === 'pending') return 'running';
			if (this.upload.state === 'error')
				this.failure = { code: '500', message: `Export failed: ${this.upload.error}` };
		}
		this.settledMs = Math.max(Date.now(), this.createdMs + delay);
		return this.failure ? 'failed' : 'succeeded';
	}

	get lastActionMs() {
		return this.settledMs ?? this.createdMs;
	}
}

export class OperationStore {
	seed: number;
	options: GraphStoreOptions;
	writer: () => BlobWriter;
	operations: Map<string, Operation>;
	/** uploads by export key (kept across reset: data is deterministic) */
	uploads: Map<string, Upload>;
	/** data version per period key (touchData) */
	versions: Map<string, number>;
	failNext: OperationError | undefined;

	constructor(deps: { seed: number; options: GraphStoreOptions; writer: () => BlobWriter }) {
		this.seed = deps.seed;
		this.options = deps.options;
		this.writer = deps.writer;
		this.operations = new Map();
		this.uploads = new Map();
		this.versions = new Map();
		this.failNext = undefined;
	}

	create(dataset: GraphDataset, request: Record<string, string>) {
		const billed = dataset.startsWith('billed');
		const period = resolvePeriod(
			this.seed,
			billed
				? { invoiceId: request.invoiceId }
				: { billingPeriod: request.billingPeriod, currencyCode: request.currencyCode },
		);
		let failure = this.failNext;
		this.failNext = undefined;
		let exportKey: string | undefined;
		let upload: Upload | undefined;
		let eTag = '';
		if (!period) {
			// [spec] 5000 arrives as a failed operation, not as an HTTP error.
			failure = failure || { code: '5000', message: 'No data available' };
		} else {
			const version = this.versions.get(period.key) || 0;
			const scale = dataset.endsWith('Usage') ? this.options.scaleLineItems : undefined;
			exportKey = [
				dataset,
				period.key,
				period.startMs,
				period.lastUsageMs,
				request.attributeSet,
				version,
				scale ?? '',
			].join('|');
			eTag = `0x8DC${hex8(hash32(this.seed, exportKey)).toUpperCase()}${hex8(hash32(exportKey, this.seed)).slice(0, 5).toUpperCase()}`;
			if (!failure) upload = this.uploadFor(dataset, request, period, exportKey, scale);
		}
		const op = new Operation({ dataset, request, failure, exportKey, upload, eTag }, this.options);
		this.operations.set(op.id, op);
		return op;
	}

	uploadFor(
		dataset: GraphDataset,
		request: Record<string, string>,
		period: Period,
		exportKey: string,
		scale: number | undefined,
	): Upload {
		const existing = this.uploads.get(exportKey);
		if (existing && existing.state !== 'error') return existing;
		const ds = getDataset(this.seed);
		const container = `${CONTAINER_PREFIX[dataset]}-${hex8(hash32(exportKey))}${hex8(hash32(this.seed, 'c', exportKey))}`;
		const where = period.invoiceId
			? `InvoiceId=${period.invoiceId}`
			: `BillingPeriod=${request.billingPeriod}/Currency=${request.currencyCode}`;
		const directory = `v1/PartnerTenantId=${ds.partner.tenantId}/BillingMonth=${period.billingMonth}/${where}/AttributeSet=${request.attributeSet}`;
		const lines = lineItemIterable(
			{ dataset, ...request, attributeSet: request.attributeSet as 'full' | 'basic' },
			{ seed: this.seed, scaleLineItems: scale },
		);
		const linesPerBlob = this.options.linesPerBlob ?? (scale !== undefined ? 250000 : 500);
		const upload: Upload = { state: 'pending', promise: Promise.resolve() };
		upload.promise = this.writer()
			.upload({
				container,
				directory,
				lines: lines as Iterable<Record<string, unknown>>,
				linesPerBlob,
				blobsPerPartition: this.options.blobsPerPartition,
			})
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

	/** @param periodKey invoice id or 'unbilled:current:USD' */
	touch(periodKey: string) {
		this.versions.set(periodKey, (this.versions.get(periodKey) || 0) + 1);
	}

	byManifest(manifestId: string) {
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
