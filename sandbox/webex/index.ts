/**
 * Webex Wholesale Billing emulator: mounts `/webex/v1` (API + OAuth) and `/cdn/webex` (report
 * files) on the sandbox core and returns the object exposed as `sandbox.webex`.
 */

import { ReportStore } from './store';
import { WebexAuth } from './auth';
import { WebexDownloads } from './download';
import { WebexApi } from './routes';
import { getDataset } from './data';
import { webexErrorBody, statusMessage } from './errors';
import { withLiveOptions, type SandboxServer } from '../server';
import type { ReportError, SeedReportParams } from './store';

const API_PREFIX = '/webex/v1';
const CDN_PREFIX = '/cdn/webex';

export interface WebexOptions {
	/** IN_PROGRESS time of a created report (default 200) */
	reportDelayMs: number;
	/** lifetime of tempDownloadURL (default 1800 = 30 min, as the spec says) */
	downloadUrlTtlSeconds: number;
	/** bench: USER reports have exactly this many data rows */
	userReportRows: number | undefined;
	/** prefix CSV files with a UTF-8 BOM (default false) */
	csvBom: boolean;
	/** gzip report files when the client accepts it (default false) */
	downloadGzip: boolean;
	/** the static personal access token */
	accessToken: string;
	/** OAuth client the token endpoint accepts */
	clientId: string;
	clientSecret: string;
	/** expires_in of issued tokens (default 1209600 = 14 days) */
	accessTokenTtlSeconds: number;
	/** refresh_token_expires_in (default 7776000 = 90 days) */
	refreshTokenTtlSeconds: number;
	/** status of a successful create (default 200; the docs also speak of 202) */
	createStatus: number;
	/** key of the report type in GET /reports/{id} (default 'type'; one spec example says reportType) */
	reportTypeField: 'type' | 'reportType';
	/** how IN_PROGRESS is shown by get/list (default 'IN_PROGRESS'; e.g. 'REQUESTED' was seen in the wild) */
	inProgressStatus: string;
}

const DEFAULTS: WebexOptions = Object.freeze({
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

export function createWebex(
	server: SandboxServer,
	config: { seed: number; options?: Partial<WebexOptions> },
) {
	const seed = config.seed;
	const options: WebexOptions = { ...DEFAULTS, ...(config.options || {}) };
	const initialOptions = { ...options };
	const dataset = getDataset(seed);
	const store = new ReportStore(options, dataset.adminPersonId);
	const auth = new WebexAuth(options, server);
	const downloads = new WebexDownloads(server, store, options, seed);
	const api = new WebexApi({
		server,
		store,
		auth,
		downloads,
		dataset,
		prefix: API_PREFIX,
		options,
	});

	const faultResponse = (status: number) => {
		const body = webexErrorBody(statusMessage(status));
		return {
			body: JSON.stringify(body),
			headers: { 'content-type': 'application/json;charset=UTF-8', trackingid: body.trackingId },
		};
	};

	server.mount({
		vendor: 'webex',
		prefix: API_PREFIX,
		classify(pathname) {
			if (pathname === `${API_PREFIX}/authorize` || pathname === `${API_PREFIX}/access_token`)
				return { kind: 'token', path: pathname };
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

	const facadeFields = {
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
		/** Live options: changes apply to the next request. */
		options,
		/** id -> report record (status is computed lazily when read). */
		reports: store.reports,
		/** The seeded organisations (partner, subPartners with webexId, customers, counts). */
		dataset,
		seed,
		/** Put an existing report in place (no validation; duplicates allowed). */
		seedReport: (params: SeedReportParams) => store.seed(params),
		/** The next report created through the API ends FAILED with these errors. */
		failNextReport: (errors?: ReportError[]) => store.failNextReport(errors),
		/** Expire every OAuth access token issued so far (refresh tokens stay valid). */
		expireAccessTokens: () => auth.expireAccessTokens(),
		/** A freshly signed download URL for a report (as GET would return it). */
		downloadUrl: (id: string) => {
			const r = store.reports.get(id);
			if (!r) throw new Error(`unknown report ${id}`);
			return downloads.urlFor(r);
		},
		/** Every signed download URL handed out since the last reset (tests assert none leaks). */
		signedUrls: () => [...downloads.issued],
	};
	const facade = withLiveOptions(facadeFields, options, [
		'accessToken',
		'clientId',
		'clientSecret',
	]);

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

/** `sandbox.webex`. */
export type WebexSandbox = ReturnType<typeof createWebex>;
