// @ts-check
'use strict';

/**
 * Cisco XaaS Billing emulator: mounts `/cisco-sso` (token endpoint), `/cisco/ccw/api/v1.0`
 * (usage API) and `/cisco-files` (usage ZIPs, reached as `http://<fileHost>:PORT/...`) on the
 * sandbox core and returns the object exposed as `sandbox.cisco`.
 */

const http = require('http');
const { sendJson } = require('../server');
const { todayDay } = require('../webex/dates');
const { getDataset, invoiceOf, expectedUsage, plantedDiscrepancies } = require('./data');
const { CiscoAuth } = require('./auth');
const { CiscoFiles, FILES_PREFIX } = require('./download');
const { CiscoApi } = require('./routes');
const { defaultErrorBody, faultError } = require('./errors');

const API_PREFIX = '/cisco/ccw/api/v1.0';
const SSO_PREFIX = '/cisco-sso';
const TOKEN_PATH = `${SSO_PREFIX}/as/token.oauth2`;

/**
 * @typedef {object} CiscoOptions
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {string} username                the partner's CCO user (password grant)
 * @property {string} password
 * @property {number} accessTokenTtlSeconds   expires_in of issued tokens (default 3600)
 * @property {'any'|'number'|'string'} billingAddressIdType  what billingAddressId may be (default 'any': a JSON number or a digit string)
 * @property {string} subscriptionListField   list element of usageBySubscription (default 'subscriptionList')
 * @property {string} subscriptionIdField     key inside each entry (default 'subscriptionId')
 * @property {'number'|'string'} invoiceNumberType  JSON type of invoiceNumber in responses (default 'number')
 * @property {'dateTime'|'date'} invoiceDateFormat  invoiceDate in responses: 'YYYY-MM-DDT00:00:00.000Z' (default) or 'YYYY-MM-DD'
 * @property {import('./errors').ErrorBodyFn} errorBody  builds the error body (default {uuid, status: 'ERROR', errorCode, errorMessage})
 * @property {number | undefined} usageLinesPerInvoice  every invoice has exactly this many usage lines (default: 20..200, seeded)
 * @property {string} headerFileName          ZIP entry name; `{invoiceNumber}` is replaced (default 'Invoice_Header_{invoiceNumber}.csv')
 * @property {string} usageFileName           (default 'Consolidated_Usage_{invoiceNumber}.csv')
 * @property {string} csvDelimiter            ',' (default) or ';'
 * @property {boolean} csvBom                 UTF-8 BOM at the start of both CSV files (default false)
 * @property {string} lineEnding              '\r\n' (default) or '\n'
 * @property {string} fileHost                host name in usage URLs (default 'localhost': not the API's host)
 * @property {number} linkTtlSeconds          a usage URL works this long after it was issued (default 86400 = 24 h)
 * @property {'none'|'bearer'} fileAuth       'bearer': the file host demands the API's bearer token (default 'none')
 * @property {string[]} tokenHosts            host names allowed to receive an Authorization header (default ['127.0.0.1'])
 */

/** @type {Readonly<CiscoOptions>} */
const DEFAULTS = Object.freeze({
	clientId: 'cisco-sandbox-client-id',
	clientSecret: 'cisco-sandbox-client-secret~0000',
	username: 'sandbox.partner.cco',
	password: 'cisco-sandbox-password~0000',
	accessTokenTtlSeconds: 3600,
	billingAddressIdType: /** @type {'any'} */ ('any'),
	subscriptionListField: 'subscriptionList',
	subscriptionIdField: 'subscriptionId',
	invoiceNumberType: /** @type {'number'} */ ('number'),
	invoiceDateFormat: /** @type {'dateTime'} */ ('dateTime'),
	errorBody: defaultErrorBody,
	usageLinesPerInvoice: undefined,
	headerFileName: 'Invoice_Header_{invoiceNumber}.csv',
	usageFileName: 'Consolidated_Usage_{invoiceNumber}.csv',
	csvDelimiter: ',',
	csvBom: false,
	lineEnding: '\r\n',
	fileHost: 'localhost',
	linkTtlSeconds: 86400,
	fileAuth: /** @type {'none'} */ ('none'),
	tokenHosts: ['127.0.0.1'],
});

/**
 * The host name of a Host header, lower case, without port or IPv6 brackets.
 * @param {string | undefined} host
 */
function hostnameOf(host) {
	if (!host) return '';
	try {
		return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
	} catch {
		return host.toLowerCase();
	}
}

/**
 * @param {import('../server').SandboxServer} server
 * @param {{ seed: number, options?: Partial<CiscoOptions> }} config
 */
function createCisco(server, config) {
	const seed = config.seed;
	/** @returns {CiscoOptions} a copy that changes to the live options (tokenHosts.push) do not reach */
	const copyOptions = (/** @type {CiscoOptions} */ o) => ({ ...o, tokenHosts: [...o.tokenHosts] });
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
	 * @param {import('../server').RequestContext} ctx
	 */
	const checkTokenHost = (ctx) => {
		if (ctx.req.headers.authorization === undefined) return;
		const host = hostnameOf(ctx.req.headers.host);
		const allowed = options.tokenHosts.map((h) => hostnameOf(h));
		if (!allowed.includes(host)) {
			server.violation(`Authorization header sent to host "${host}", which is not in tokenHosts (${allowed.join(', ')}): ${ctx.entry.method} ${ctx.path}`);
		}
	};

	server.mount({
		vendor: 'cisco',
		prefix: SSO_PREFIX,
		classify: (pathname) => ({ kind: 'token', path: pathname }),
		observe: checkTokenHost,
		handle(ctx) {
			if (ctx.path === TOKEN_PATH) auth.handleToken(ctx);
			else sendJson(ctx.res, 404, { error: 'invalid_request', error_description: `No such endpoint: ${ctx.path}` });
		},
		faultResponse(status) {
			const error = status === 429 || status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request';
			return { body: JSON.stringify({ error, error_description: `HTTP ${status} ${http.STATUS_CODES[status] || ''}`.trim() }), headers: { 'content-type': 'application/json;charset=UTF-8' } };
		},
	});
	server.mount({
		vendor: 'cisco',
		prefix: API_PREFIX,
		classify: (pathname) => ({ kind: 'api', path: pathname.slice(API_PREFIX.length) || '/' }),
		observe: checkTokenHost,
		handle: (ctx) => api.handle(ctx),
		faultResponse(status, ctx) {
			return { body: JSON.stringify(options.errorBody(faultError(status, ctx.body))), headers: { 'content-type': 'application/json;charset=UTF-8' } };
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
			return { body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>HTTP ${status}</Message></Error>`, headers: { 'content-type': 'application/xml' } };
		},
	});

	const usageOptions = () => ({ usageLinesPerInvoice: options.usageLinesPerInvoice });
	const partnerBid = dataset.partner.billingAddressId;

	const facade = {
		/** `${url}/cisco/ccw/api/v1.0`: the credential's baseUrl. */
		get baseUrl() {
			return `${server.url}${API_PREFIX}`;
		},
		/** `${url}/cisco-sso/as/token.oauth2`: the credential's tokenUrl. */
		get tokenUrl() {
			return `${server.url}${TOKEN_PATH}`;
		},
		get clientId() {
			return options.clientId;
		},
		get clientSecret() {
			return options.clientSecret;
		},
		get username() {
			return options.username;
		},
		get password() {
			return options.password;
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
		otherBidInvoiceNumbers: () => dataset.invoices.filter((i) => i.billingAddressId !== partnerBid).map((i) => i.invoiceNumber),
		/** The partner's subscriptions with their customer and invoices. */
		subscriptions: () =>
			dataset.subscriptions
				.filter((s) => s.billingAddressId === partnerBid)
				.map((s) => ({
					subscriptionId: s.subscriptionId,
					customerName: s.customerName,
					invoiceNumbers: dataset.invoices.filter((i) => i.subscriptionIds.includes(s.subscriptionId)).map((i) => i.invoiceNumber),
				})),
		/**
		 * The records of an invoice's header and usage CSV, keyed by column, strings, with the
		 * current options (usageLinesPerInvoice).
		 * @param {string | number} invoiceNumber
		 */
		expectedUsage: (invoiceNumber) => expectedUsage(dataset, String(invoiceNumber), usageOptions()),
		/** Invoices whose header Total Usage Amount differs from the sum of their Extended Amounts. */
		plantedDiscrepancies: () => plantedDiscrepancies(dataset, usageOptions()),
		/**
		 * The ZIP the file host serves for an invoice (a replaced one included).
		 * @param {string | number} invoiceNumber
		 */
		usageZip: (invoiceNumber) => files.zipFor(invoiceOf(dataset, String(invoiceNumber)).invoiceNumber),
		/**
		 * A freshly issued usage URL for an invoice, as the API would hand it out.
		 * @param {string | number} invoiceNumber
		 */
		usageUrl: (invoiceNumber) => files.issueLink(invoiceOf(dataset, String(invoiceNumber)).invoiceNumber),
		/**
		 * Serve this ZIP for the invoice instead of the seeded one (until reset).
		 * @param {string | number} invoiceNumber
		 * @param {Buffer} buffer
		 */
		replaceZip: (invoiceNumber, buffer) => files.replaceZip(String(invoiceNumber), buffer),
		/** Every usage URL issued since the last reset, oldest first (secrets: none may reach an error or a log). */
		usageUrls: () => [...files.issued],
		/** Every usage URL issued so far answers 403 "Request has expired". */
		expireLinks: () => files.expireLinks(),
		/** Every access token issued so far is expired: the API answers 401. */
		expireAccessTokens: () => auth.expireAccessTokens(),
		/** The access tokens issued so far, oldest first. */
		issuedTokens: () => auth.issuedTokens(),
	};

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

module.exports = { createCisco, DEFAULTS, API_PREFIX, TOKEN_PATH };
