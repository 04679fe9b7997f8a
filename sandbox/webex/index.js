// @ts-check
'use strict';

/**
 * Webex Wholesale Billing emulator: mounts `/webex/v1` (API + OAuth) and `/cdn/webex` (report
 * files) on the sandbox core and returns the object exposed as `sandbox.webex`.
 */

const { ReportStore } = require('./store');
const { WebexAuth } = require('./auth');
const { WebexDownloads } = require('./download');
const { WebexApi } = require('./routes');
const { getDataset } = require('./data');
const { webexErrorBody, statusMessage } = require('./errors');

const API_PREFIX = '/webex/v1';
const CDN_PREFIX = '/cdn/webex';

/**
 * @typedef {object} WebexOptions
 * @property {number} reportDelayMs           IN_PROGRESS time of a created report (default 200)
 * @property {number} downloadUrlTtlSeconds   lifetime of tempDownloadURL (default 1800 = 30 min, as the spec says)
 * @property {number | undefined} userReportRows  bench: USER reports have exactly this many data rows
 * @property {boolean} csvBom                 prefix CSV files with a UTF-8 BOM (default false)
 * @property {boolean} downloadGzip           gzip report files when the client accepts it (default false)
 * @property {string} accessToken             the static personal access token
 * @property {string} clientId                OAuth client the token endpoint accepts
 * @property {string} clientSecret
 * @property {number} accessTokenTtlSeconds   expires_in of issued tokens (default 1209600 = 14 days)
 * @property {number} refreshTokenTtlSeconds  refresh_token_expires_in (default 7776000 = 90 days)
 * @property {number} createStatus            status of a successful create (default 200; the docs also speak of 202)
 * @property {'type'|'reportType'} reportTypeField  key of the report type in GET /reports/{id} (default 'type'; one spec example says reportType)
 * @property {string} inProgressStatus        how IN_PROGRESS is shown by get/list (default 'IN_PROGRESS'; e.g. 'REQUESTED' was seen in the wild)
 */

/** @type {WebexOptions} */
const DEFAULTS = Object.freeze({
	reportDelayMs: 200,
	downloadUrlTtlSeconds: 1800,
	userReportRows: undefined,
	csvBom: false,
	downloadGzip: false,
	accessToken: 'webex-sandbox-pat-0000',
	clientId: 'webex-sandbox-client-id',
	clientSecret: 'webex-sandbox-client-secret',
	accessTokenTtlSeconds: 1209600,
	refreshTokenTtlSeconds: 7776000,
	createStatus: 200,
	reportTypeField: 'type',
	inProgressStatus: 'IN_PROGRESS',
});

/**
 * @param {import('../server').SandboxServer} server
 * @param {{ seed: number, options?: Partial<WebexOptions> }} config
 */
function createWebex(server, config) {
	const seed = config.seed;
	/** @type {WebexOptions} */
	const options = { ...DEFAULTS, ...(config.options || {}) };
	const initialOptions = { ...options };
	const dataset = getDataset(seed);
	const store = new ReportStore(options, dataset.adminPersonId);
	const auth = new WebexAuth(options, server);
	const downloads = new WebexDownloads(server, store, options, seed);
	const api = new WebexApi({ server, store, auth, downloads, dataset, prefix: API_PREFIX, options });

	/** @param {number} status @param {import('../server').RequestContext} ctx */
	const faultResponse = (status, ctx) => {
		const body = webexErrorBody(statusMessage(status));
		void ctx;
		return { body: JSON.stringify(body), headers: { 'content-type': 'application/json;charset=UTF-8', trackingid: body.trackingId } };
	};

	server.mount({
		vendor: 'webex',
		prefix: API_PREFIX,
		classify(pathname) {
			if (pathname === `${API_PREFIX}/authorize` || pathname === `${API_PREFIX}/access_token`) return { kind: 'token', path: pathname };
			return { kind: 'api', path: pathname.slice(API_PREFIX.length) || '/' };
		},
		handle(ctx) {
			if (ctx.kind === 'token') {
				if (ctx.path.endsWith('/authorize')) auth.handleAuthorize(ctx);
				else auth.handleToken(ctx);
				return;
			}
			api.handle(ctx);
		},
		faultResponse,
	});
	server.mount({
		vendor: 'webex',
		prefix: CDN_PREFIX,
		classify: (pathname) => ({ kind: 'download', path: pathname }),
		handle: (ctx) => downloads.handle(ctx),
		faultResponse,
	});

	const facade = {
		/** `${url}/webex/v1`: the API base (what the credential's baseUrl should be). */
		get baseUrl() {
			return `${server.url}${API_PREFIX}`;
		},
		get authorizeUrl() {
			return `${server.url}${API_PREFIX}/authorize`;
		},
		get tokenUrl() {
			return `${server.url}${API_PREFIX}/access_token`;
		},
		get accessToken() {
			return options.accessToken;
		},
		get clientId() {
			return options.clientId;
		},
		get clientSecret() {
			return options.clientSecret;
		},
		/** Live options: changes apply to the next request. */
		options,
		/** id -> report record (status is computed lazily when read). */
		reports: store.reports,
		/** The seeded organisations (partner, subPartners with webexId, customers, counts). */
		dataset,
		seed,
		/**
		 * Put an existing report in place (no validation; duplicates allowed).
		 * @param {Parameters<ReportStore['seed']>[0]} params
		 */
		seedReport: (params) => store.seed(params),
		/**
		 * The next report created through the API ends FAILED with these errors.
		 * @param {Array<{ code?: number, description: string }>} [errors]
		 */
		failNextReport: (errors) => store.failNextReport(errors),
		/** Expire every OAuth access token issued so far (refresh tokens stay valid). */
		expireAccessTokens: () => auth.expireAccessTokens(),
		/**
		 * A freshly signed download URL for a report (as GET would return it).
		 * @param {string} id
		 */
		downloadUrl: (id) => {
			const r = store.reports.get(id);
			if (!r) throw new Error(`unknown report ${id}`);
			return downloads.urlFor(r);
		},
		/** Every signed download URL handed out since the last reset (tests assert none leaks). */
		signedUrls: () => [...downloads.issued],
	};

	server.addVendor({
		name: 'webex',
		reset() {
			store.clear();
			downloads.issued.length = 0;
			Object.assign(options, initialOptions);
		},
	});
	return facade;
}

module.exports = { createWebex, DEFAULTS, API_PREFIX, CDN_PREFIX };
