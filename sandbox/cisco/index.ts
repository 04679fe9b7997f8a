/**
 * Cisco XaaS Billing emulator: mounts `/cisco-sso` (token endpoint), `/cisco/ccw/api/v1.0`
 * (usage API) and `/cisco-files` (usage ZIPs, reached as `http://<fileHost>:PORT/...`) on the
 * sandbox core and returns the object exposed as `sandbox.cisco`.
 */

import http from 'http';
import { sendJson, withLiveOptions } from '../server';
import { todayDay } from '../webex/dates';
import { getDataset, invoiceOf, expectedUsage, plantedDiscrepancies } from './data';
import { CiscoAuth } from './auth';
import { CiscoFiles, FILES_PREFIX, type FileOptions } from './download';
import { CiscoApi, type ApiOptions } from './routes';
import { defaultErrorBody, faultError } from './errors';
import type { RequestContext, SandboxServer } from '../server';

const API_PREFIX = '/cisco/ccw/api/v1.0';
const SSO_PREFIX = '/cisco-sso';
const TOKEN_PATH = `${SSO_PREFIX}/as/token.oauth2`;

export interface CiscoOptions extends ApiOptions, FileOptions {
	clientId: string;
	clientSecret: string;
	/** the partner's CCO user (password grant) */
	username: string;
	password: string;
	/** expires_in of issued tokens (default 3600) */
	accessTokenTtlSeconds: number;
	/** host names allowed to receive an Authorization header (default ['127.0.0.1']) */
	tokenHosts: string[];
}

const DEFAULTS: Readonly<CiscoOptions> = Object.freeze({
	clientId: 'cisco-sandbox-client-id',
	clientSecret: 'cisco-sandbox-client-secret~0000',
	username: 'sandbox.partner.cco',
	password: 'cisco-sandbox-password~0000',
	accessTokenTtlSeconds: 3600,
	billingAddressIdType: 'any',
	subscriptionListField: 'subscriptionList',
	subscriptionIdField: 'subscriptionId',
	invoiceNumberType: 'number',
	invoiceDateFormat: 'dateTime',
	errorBody: defaultErrorBody,
	usageLinesPerInvoice: undefined,
	headerFileName: 'Invoice_Header_{invoiceNumber}.csv',
	usageFileName: 'Consolidated_Usage_{invoiceNumber}.csv',
	csvDelimiter: ',',
	csvBom: false,
	lineEnding: '\r\n',
	fileHost: 'localhost',
	linkTtlSeconds: 86400,
	fileAuth: 'none',
	tokenHosts: ['127.0.0.1'],
});

/** The host name of a Host header, lower case, without port or IPv6 brackets. */
function hostnameOf(host: string | undefined) {
	if (!host) return '';
	try {
		return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
	} catch {
		return host.toLowerCase();
	}
}

export function createCisco(
	server: SandboxServer,
	config: { seed: number; options?: Partial<CiscoOptions> },
) {
	const seed = config.seed;
	/** @returns a copy that changes to the live options (tokenHosts.push) do not reach */
	const copyOptions = (o: CiscoOptions): CiscoOptions => ({ ...o, tokenHosts: [...o.tokenHosts] });
	const options = copyOptions({ ...DEFAULTS, ...(config.options || {}) });
	const initialOptions = copyOptions(options);
	// Invoice dates count back from the day the sandbox starts.
	const dataset = getDataset(seed, todayDay());
	const auth = new CiscoAuth(options, server);
	const files = new CiscoFiles({ server, dataset, options, auth });
	const api = new CiscoApi({ dataset, auth, files, options });

	/**
	 * [sandbox] The node must send tokens (and Basic client secrets) only to allowed hosts: any
	 * Cisco request with an Authorization header for another host name is a violation. Names
	 * the host, never the token.
	 */
	const checkTokenHost = (ctx: RequestContext) => {
		if (ctx.req.headers.authorization === undefined) return;
		const host = hostnameOf(ctx.req.headers.host);
		const allowed = options.tokenHosts.map((h) => hostnameOf(h));
		if (!allowed.includes(host)) {
			server.violation(
				`Authorization header sent to host "${host}", which is not in tokenHosts (${allowed.join(', ')}): ${ctx.entry.method} ${ctx.path}`,
			);
		}
	};

	server.mount({
		vendor: 'cisco',
		prefix: SSO_PREFIX,
		classify: (pathname) => ({ kind: 'token', path: pathname }),
		observe: checkTokenHost,
		handle(ctx) {
			if (ctx.path === TOKEN_PATH) auth.handleToken(ctx);
			else
				sendJson(ctx.res, 404, {
					error: 'invalid_request',
					error_description: `No such endpoint: ${ctx.path}`,
				});
		},
		faultResponse(status) {
			const error =
				status === 429 || status === 503
					? 'temporarily_unavailable'
					: status >= 500
						? 'server_error'
						: 'invalid_request';
			return {
				body: JSON.stringify({
					error,
					error_description: `HTTP ${status} ${http.STATUS_CODES[status] || ''}`.trim(),
				}),
				headers: { 'content-type': 'application/json;charset=UTF-8' },
			};
		},
	});
	server.mount({
		vendor: 'cisco',
		prefix: API_PREFIX,
		classify: (pathname) => ({ kind: 'api', path: pathname.slice(API_PREFIX.length) || '/' }),
		observe: checkTokenHost,
		handle: (ctx) => api.handle(ctx),
		faultResponse(status, ctx) {
			return {
				body: JSON.stringify(options.errorBody(faultError(status, ctx.body))),
				headers: { 'content-type': 'application/json;charset=UTF-8' },
			};
		},
	});
	server.mount({
		vendor: 'cisco',
		prefix: FILES_PREFIX,
		classify: (pathname) => ({ kind: 'download', path: pathname }),
		observe(ctx) {
			checkTokenHost(ctx);
			files.observe(ctx);
		},
		handle: (ctx) => files.handle(ctx),
		faultResponse(status) {
			const code = (http.STATUS_CODES[status] || 'Error').replace(/[^A-Za-z]/g, '');
			return {
				body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>HTTP ${status}</Message></Error>`,
				headers: { 'content-type': 'application/xml' },
			};
		},
	});

	const usageOptions = () => ({ usageLinesPerInvoice: options.usageLinesPerInvoice });
	const partnerBid = dataset.partner.billingAddressId;

	const facadeFields = {
		/** `${url}/cisco/ccw/api/v1.0`: the credential's baseUrl. */
		get baseUrl() {
			return `${server.url}${API_PREFIX}`;
		},
		/** `${url}/cisco-sso/as/token.oauth2`: the credential's tokenUrl. */
		get tokenUrl() {
			return `${server.url}${TOKEN_PATH}`;
		},
		/** The partner's bill-to id (BID), e.g. 100234567. */
		billingAddressId: partnerBid,
		/** The BID of the other partner whose invoices the API drops. */
		otherBillingAddressId: dataset.otherBillingAddressId,
		/** Live options: changes apply to the next request. */
		options,
		seed,
		/** The partner's invoices in date order (numbers ascending), as the API knows them. */
		invoices: () =>
			dataset.invoices
				.filter((i) => i.billingAddressId === partnerBid)
				.map((i) => ({
					invoiceNumber: i.invoiceNumber,
					invoiceDate: i.invoiceDate,
					billingAddressId: i.billingAddressId,
					subscriptionIds: [...i.subscriptionIds],
				})),
		/** Numbers of the seeded invoices that belong to the other BID (requested by number, the API drops them). */
		otherBidInvoiceNumbers: () =>
			dataset.invoices.filter((i) => i.billingAddressId !== partnerBid).map((i) => i.invoiceNumber),
		/** The partner's subscriptions with their customer and invoices. */
		subscriptions: () =>
			dataset.subscriptions
				.filter((s) => s.billingAddressId === partnerBid)
				.map((s) => ({
					subscriptionId: s.subscriptionId,
					customerName: s.customerName,
					invoiceNumbers: dataset.invoices
						.filter((i) => i.subscriptionIds.includes(s.subscriptionId))
						.map((i) => i.invoiceNumber),
				})),
		/**
		 * The records of an invoice's header and usage CSV, keyed by column, strings, with the
		 * current options (usageLinesPerInvoice).
		 */
		expectedUsage: (invoiceNumber: string | number) =>
			expectedUsage(dataset, String(invoiceNumber), usageOptions()),
		/** Invoices whose header Total Usage Amount differs from the sum of their Extended Amounts. */
		plantedDiscrepancies: () => plantedDiscrepancies(dataset, usageOptions()),
		/** The ZIP the file host serves for an invoice (a replaced one included). */
		usageZip: (invoiceNumber: string | number) =>
			files.zipFor(invoiceOf(dataset, String(invoiceNumber)).invoiceNumber),
		/** A freshly issued usage URL for an invoice, as the API would hand it out. */
		usageUrl: (invoiceNumber: string | number) =>
			files.issueLink(invoiceOf(dataset, String(invoiceNumber)).invoiceNumber),
		/** Serve this ZIP for the invoice instead of the seeded one (until reset). */
		replaceZip: (invoiceNumber: string | number, buffer: Buffer) =>
			files.replaceZip(String(invoiceNumber), buffer),
		/** Serve the ZIP in this file for the invoice (until reset), streamed from disk: for ZIPs too large to hold. */
		replaceZipFile: (invoiceNumber: string | number, file: string) =>
			files.replaceZipFile(String(invoiceNumber), file),
		/** Every usage URL issued since the last reset, oldest first (secrets: none may reach an error or a log). */
		usageUrls: () => [...files.issued],
		/** Every usage URL issued so far answers 403 "Request has expired". */
		expireLinks: () => files.expireLinks(),
		/** Every access token issued so far is expired: the API answers 401. */
		expireAccessTokens: () => auth.expireAccessTokens(),
		/** The access tokens issued so far, oldest first. */
		issuedTokens: () => auth.issuedTokens(),
	};
	const facade = withLiveOptions(facadeFields, options, [
		'clientId',
		'clientSecret',
		'username',
		'password',
	]);

	server.addVendor({
		name: 'cisco',
		reset() {
			// Issued tokens stay (as with Webex): a client's cached token keeps working.
			files.reset();
			Object.assign(options, copyOptions(initialOptions));
		},
	});
	return facade;
}

/** `sandbox.cisco`. */
export type CiscoSandbox = ReturnType<typeof createCisco>;
