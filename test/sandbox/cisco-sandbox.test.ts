/**
 * The Cisco XaaS Billing part of the vendor sandbox, driven over real HTTP on 127.0.0.1 (API,
 * token endpoint) and `localhost` (usage files) with Node's fetch.
 */
import { randomUUID } from 'crypto';
import AdmZip from 'adm-zip';
import { startSandbox, Sandbox, CiscoSandbox } from '../../sandbox';
import { dropCsvField, rewriteZipEntry } from '../../sandbox/corrupt';
import { parseCsv, toObjects } from './kit';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY_MS = 86400000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The spec's timestamp format: YYYY-MM-DDTHH:MM:SS.000Z */
const stamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const midnight = (day: string) => `${day}T00:00:00.000Z`;
/** 180 days back is always within six months (which are 181 to 184 days). */
const WITHIN_SIX_MONTHS = ymd(Date.now() - 180 * DAY_MS);
const TODAY = ymd(Date.now());

/** An amount string in ten-thousandths, exactly (the test's own parser, not the sandbox's). */
function units(amount: string): bigint {
	const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(amount);
	if (!m) throw new Error(`not an amount: ${amount}`);
	const v = BigInt(m[2]) * 10000n + BigInt((m[3] ?? '').padEnd(4, '0'));
	return m[1] ? -v : v;
}

let sb: Sandbox;
let c: CiscoSandbox;
/** A password-grant token, fetched once (reset() keeps issued tokens valid). */
let token: string;

async function requestToken(form: Record<string, string>, headers: Record<string, string> = {}) {
	const r = await fetch(c.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(form),
	});
	return { status: r.status, json: (await r.json()) as Json };
}

const passwordForm = () => ({
	grant_type: 'password',
	client_id: c.clientId,
	client_secret: c.clientSecret,
	username: c.username,
	password: c.password,
});

/** A valid by-date envelope; `overrides` replace fields (undefined values are dropped). */
function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const body: Record<string, unknown> = {
		uuid: randomUUID(),
		createdBy: c.username,
		createdDateTime: stamp(Date.now()),
		billingAddressId: c.billingAddressId,
		beginDate: midnight(WITHIN_SIX_MONTHS),
		endDate: midnight(TODAY),
		pageNumber: 1,
		invoiceList: [],
		...overrides,
	};
	for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
	return body;
}

async function post(
	path: string,
	body: unknown,
	opts: { token?: string | null; base?: string } = {},
) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const bearer = opts.token === undefined ? token : opts.token;
	if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
	const r = await fetch(`${opts.base ?? c.baseUrl}${path}`, {
		method: 'POST',
		headers,
		body: JSON.stringify(body),
	});
	const text = await r.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: r.status, headers: r.headers, text, json };
}

async function usageByDates(beginDay: string, endDay: string, pageNumber = 1) {
	const r = await post(
		'/usage',
		envelope({ beginDate: midnight(beginDay), endDate: midnight(endDay), pageNumber }),
	);
	expect(r.status).toBe(200);
	return r.json;
}

function expectCiscoError(
	r: { status: number; json: Json },
	errorCode: string,
	message: RegExp,
	uuid?: string,
) {
	expect(r.status).toBe(400);
	expect(r.json).toEqual({
		uuid: uuid ?? expect.any(String),
		status: 'ERROR',
		errorCode,
		errorMessage: expect.stringMatching(message),
	});
}

async function download(url: string, headers: Record<string, string> = {}) {
	const r = await fetch(url, { headers });
	return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

function unzip(buffer: Buffer) {
	return new AdmZip(buffer)
		.getEntries()
		.map((e) => ({ name: e.entryName, text: e.getData().toString('utf8') }));
}

const partnerInvoice = (i = 0) => c.invoices()[i].invoiceNumber;

beforeAll(async () => {
	sb = await startSandbox({ port: 0, seed: 42 });
	c = sb.cisco;
	token = (await requestToken(passwordForm())).json.access_token;
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

describe('token endpoint', () => {
	it('issues a bearer token for the password grant', async () => {
		const t = await requestToken(passwordForm());
		expect(t.status).toBe(200);
		expect(t.json).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 3600,
		});
		expect(c.issuedTokens()).toContain(t.json.access_token);
		expect((await post('/usage', envelope(), { token: t.json.access_token })).status).toBe(200);
		expect(sb.requests[0]).toMatchObject({
			vendor: 'cisco',
			kind: 'token',
			method: 'POST',
			path: '/cisco-sso/as/token.oauth2',
			status: 200,
		});
	});

	it('issues a bearer token for client_credentials, with the client in the form or as HTTP Basic', async () => {
		const inForm = await requestToken({
			grant_type: 'client_credentials',
			client_id: c.clientId,
			client_secret: c.clientSecret,
		});
		expect(inForm.status).toBe(200);
		const basic = `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
		const asBasic = await requestToken(
			{ grant_type: 'client_credentials' },
			{ authorization: basic },
		);
		expect(asBasic.status).toBe(200);
		expect(asBasic.json.token_type).toBe('Bearer');
		expect(asBasic.json.access_token).not.toBe(inForm.json.access_token);
	});

	it('answers OAuth errors for wrong credentials, without echoing secrets', async () => {
		const client = await requestToken({ ...passwordForm(), client_secret: 'wrong-secret' });
		expect(client.status).toBe(401);
		expect(client.json.error).toBe('invalid_client');
		const user = await requestToken({ ...passwordForm(), password: 'wrong-password' });
		expect(user.status).toBe(400);
		expect(user.json.error).toBe('invalid_grant');
		const grant = await requestToken({ ...passwordForm(), grant_type: 'authorization_code' });
		expect(grant.json.error).toBe('unsupported_grant_type');
		expect(JSON.stringify([client.json, user.json])).not.toMatch(
			/wrong-|sandbox-password|client-secret/,
		);
	});

	it('takes expires_in from accessTokenTtlSeconds', async () => {
		c.options.accessTokenTtlSeconds = 120;
		expect((await requestToken(passwordForm())).json.expires_in).toBe(120);
	});
});

describe('API authentication', () => {
	it('answers 401 JSON without a token or with an unknown one', async () => {
		const none = await post('/usage', envelope(), { token: null });
		expect(none.status).toBe(401);
		expect(none.json).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
		expect((await post('/usage', envelope(), { token: 'not-issued' })).status).toBe(401);
	});

	it('answers 401 once the tokens are expired', async () => {
		const t = (await requestToken(passwordForm())).json.access_token;
		expect((await post('/usage', envelope(), { token: t })).status).toBe(200);
		c.expireAccessTokens();
		const r = await post('/usage', envelope(), { token: t });
		expect(r.status).toBe(401);
		expect(r.json.error_description).toMatch(/expired/);
		expect(r.text).not.toContain(t);
		token = (await requestToken(passwordForm())).json.access_token; // for the other tests
	});
});

describe('envelope validation', () => {
	it.each([
		[
			'createdDateTime without milliseconds',
			{ createdDateTime: '2025-01-02T03:04:05Z' },
			/createdDateTime/,
		],
		[
			'createdDateTime with real milliseconds',
			{ createdDateTime: '2025-01-02T03:04:05.123Z' },
			/createdDateTime/,
		],
		[
			'beginDate as a plain date',
			{ beginDate: WITHIN_SIX_MONTHS },
			/beginDate .*YYYY-MM-DDTHH:MM:SS\.000Z/,
		],
		['endDate with an offset', { endDate: `${TODAY}T00:00:00.000+01:00` }, /endDate/],
		['an impossible endDate', { endDate: '2025-02-30T00:00:00.000Z' }, /endDate/],
	])('400 VALIDATION_ERROR for %s', async (_name, overrides, message) => {
		const body = envelope(overrides);
		expectCiscoError(await post('/usage', body), 'VALIDATION_ERROR', message, body.uuid as string);
	});

	it('400 VALIDATION_ERROR when createdBy is longer than 50 characters (50 is fine)', async () => {
		expect((await post('/usage', envelope({ createdBy: 'x'.repeat(50) }))).status).toBe(200);
		expectCiscoError(
			await post('/usage', envelope({ createdBy: 'x'.repeat(51) })),
			'VALIDATION_ERROR',
			/createdBy .*1 to 50 characters \(got 51\)/,
		);
	});

	it('400 VALIDATION_ERROR for a missing uuid, echoed as null', async () => {
		const r = await post('/usage', envelope({ uuid: undefined }));
		expect(r.status).toBe(400);
		expect(r.json).toMatchObject({
			uuid: null,
			errorCode: 'VALIDATION_ERROR',
			errorMessage: expect.stringMatching(/uuid is required/),
		});
	});

	it.each([
		['pageNumber 0', { pageNumber: 0 }, /pageNumber/],
		['a fractional pageNumber', { pageNumber: 1.5 }, /pageNumber/],
		['pageNumber as a string', { pageNumber: '2' }, /pageNumber/],
		[
			'invoice entries wrapped in "properties"',
			{ invoiceList: [{ properties: { invoiceNumber: 1 } }] },
			/invoiceList\[0\]/,
		],
		[
			'a non-numeric invoice number',
			{ invoiceList: [{ invoiceNumber: 'INV-1' }] },
			/invoiceList\[0\]/,
		],
		['a missing invoiceList', { invoiceList: undefined }, /invoiceList is required/],
		['an unknown field', { subscriptionList: [] }, /Unrecognized field "subscriptionList"/],
	])('400 VALIDATION_ERROR for %s', async (_name, overrides, message) => {
		expectCiscoError(await post('/usage', envelope(overrides)), 'VALIDATION_ERROR', message);
	});

	it('400 BIZ_RULE_FAIL_ERROR for more than 20 invoice numbers', async () => {
		const numbers = c
			.invoices()
			.slice(0, 21)
			.map((i) => ({ invoiceNumber: Number(i.invoiceNumber) }));
		expectCiscoError(
			await post('/usage', envelope({ invoiceList: numbers })),
			'BIZ_RULE_FAIL_ERROR',
			/At most 20 invoice numbers .*\(got 21\)/,
		);
		expect((await post('/usage', envelope({ invoiceList: numbers.slice(0, 20) }))).status).toBe(
			200,
		);
	});

	it('400 BIZ_RULE_FAIL_ERROR for a date range reaching back more than six months', async () => {
		const r = await post(
			'/usage',
			envelope({ beginDate: midnight(ymd(Date.now() - 200 * DAY_MS)) }),
		);
		expectCiscoError(r, 'BIZ_RULE_FAIL_ERROR', /more than 6 months before today/);
	});

	it('400 BIZ_RULE_FAIL_ERROR when beginDate is after endDate', async () => {
		const r = await post(
			'/usage',
			envelope({ beginDate: midnight(TODAY), endDate: midnight(WITHIN_SIX_MONTHS) }),
		);
		expectCiscoError(r, 'BIZ_RULE_FAIL_ERROR', /beginDate must not be after endDate/);
	});

	it("400 BILL_TO_ERROR for a BID that is not the partner's", async () => {
		const r = await post('/usage', envelope({ billingAddressId: c.otherBillingAddressId }));
		expectCiscoError(r, 'BILL_TO_ERROR', /^Given CCO ID is not associated with the BID$/);
	});

	it('takes billingAddressId as a number or a digit string; option billingAddressIdType narrows it', async () => {
		expect(
			(await post('/usage', envelope({ billingAddressId: String(c.billingAddressId) }))).status,
		).toBe(200);
		c.options.billingAddressIdType = 'number';
		expectCiscoError(
			await post('/usage', envelope({ billingAddressId: String(c.billingAddressId) })),
			'VALIDATION_ERROR',
			/billingAddressId is required: a JSON number/,
		);
		expect((await post('/usage', envelope())).status).toBe(200);
	});

	it('builds error bodies with the errorBody option', async () => {
		c.options.errorBody = (e) => ({ messages: [{ code: e.errorCode, text: e.errorMessage }] });
		const r = await post('/usage', envelope({ billingAddressId: c.otherBillingAddressId }));
		expect(r.status).toBe(400);
		expect(r.json).toEqual({
			messages: [{ code: 'BILL_TO_ERROR', text: 'Given CCO ID is not associated with the BID' }],
		});
	});

	it('logs every request with its parsed body, valid or not', async () => {
		const good = envelope();
		const bad = envelope({ createdBy: '' });
		await post('/usage', good);
		await post('/usage', bad);
		expect(sb.requests.map((e) => [e.kind, e.path, e.status])).toEqual([
			['api', '/usage', 200],
			['api', '/usage', 400],
		]);
		expect(sb.requests.map((e) => e.body)).toEqual([good, bad]);
	});
});

describe('usage by invoice and by date range', () => {
	it('pages a date range 20 invoices at a time, totalPage from the whole result', async () => {
		const expected = c
			.invoices()
			.filter((i) => i.invoiceDate >= WITHIN_SIX_MONTHS && i.invoiceDate <= TODAY);
		expect(expected.length).toBeGreaterThan(40);
		const first = await usageByDates(WITHIN_SIX_MONTHS, TODAY);
		expect(first.totalPage).toBe(Math.ceil(expected.length / 20));
		expect(first.totalPage).toBeGreaterThanOrEqual(3);
		const seen: Json[] = [...first.usageURLList];
		for (let page = 2; page <= first.totalPage; page++) {
			const r = await usageByDates(WITHIN_SIX_MONTHS, TODAY, page);
			expect(r).toMatchObject({ pageNumber: page, totalPage: first.totalPage });
			expect(r.usageURLList.length).toBe(
				page < first.totalPage ? 20 : expected.length - 20 * (page - 1),
			);
			seen.push(...r.usageURLList);
		}
		expect(first.usageURLList).toHaveLength(20);
		expect(seen.map((e) => [String(e.invoiceNumber), e.invoiceDate])).toEqual(
			expected.map((i) => [i.invoiceNumber, midnight(i.invoiceDate)]),
		);
		expect(typeof seen[0].invoiceNumber).toBe('number');
		expect(seen[0].usageURL).toMatch(
			new RegExp(
				`^http://localhost:${sb.port}/cisco-files/[0-9a-f]{32}\\.zip\\?sig=[A-Za-z0-9_-]+$`,
			),
		);
	});

	it('answers the envelope: uuid echoed, createdDateTime in the spec format', async () => {
		const body = envelope();
		const r = await post('/usage', body);
		expect(r.json).toEqual({
			uuid: body.uuid,
			createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
			pageNumber: 1,
			totalPage: expect.any(Number),
			usageURLList: expect.any(Array),
		});
	});

	it('answers an empty list for a page beyond totalPage', async () => {
		const first = await usageByDates(WITHIN_SIX_MONTHS, TODAY);
		const beyond = await usageByDates(WITHIN_SIX_MONTHS, TODAY, first.totalPage + 1);
		expect(beyond).toMatchObject({
			pageNumber: first.totalPage + 1,
			totalPage: first.totalPage,
			usageURLList: [],
		});
	});

	it('silently drops invoices of another BID and unknown numbers', async () => {
		const [other1, other2] = c.otherBidInvoiceNumbers();
		const mine = [partnerInvoice(3), partnerInvoice(40)];
		const list = [mine[0], other1, '999999999', mine[1], other2].map((n) => ({
			invoiceNumber: Number(n),
		}));
		const r = await post('/usage', envelope({ invoiceList: list }));
		expect(r.status).toBe(200);
		expect(r.json.totalPage).toBe(1);
		expect(r.json.usageURLList.map((e: Json) => String(e.invoiceNumber))).toEqual(mine);
	});

	it('gives invoice numbers precedence over the date range (the date rules do not apply)', async () => {
		const old = c.invoices()[0]; // older than six months
		expect(old.invoiceDate < WITHIN_SIX_MONTHS).toBe(true);
		const r = await post(
			'/usage',
			envelope({
				invoiceList: [{ invoiceNumber: old.invoiceNumber }],
				beginDate: midnight(TODAY),
				endDate: midnight(TODAY),
			}),
		);
		expect(r.status).toBe(200);
		expect(r.json.usageURLList).toEqual([
			{
				invoiceNumber: Number(old.invoiceNumber),
				invoiceDate: midnight(old.invoiceDate),
				usageURL: expect.any(String),
			},
		]);
	});

	it('renders invoiceNumber and invoiceDate as the options say', async () => {
		c.options.invoiceNumberType = 'string';
		c.options.invoiceDateFormat = 'date';
		const inv = c.invoices()[10];
		const r = await post(
			'/usage',
			envelope({ invoiceList: [{ invoiceNumber: inv.invoiceNumber }] }),
		);
		expect(r.json.usageURLList[0]).toMatchObject({
			invoiceNumber: inv.invoiceNumber,
			invoiceDate: inv.invoiceDate,
		});
	});
});

describe('usage by subscription', () => {
	const bySubscription = (ids: string[], overrides: Record<string, unknown> = {}) =>
		post(
			'/usageBySubscription',
			envelope({
				invoiceList: undefined,
				subscriptionList: ids.map((subscriptionId) => ({ subscriptionId })),
				...overrides,
			}),
		);

	it('returns the invoices of the subscriptions in date order', async () => {
		const [s1, s2] = c.subscriptions();
		const expected = c
			.invoices()
			.filter(
				(i) =>
					i.subscriptionIds.includes(s1.subscriptionId) ||
					i.subscriptionIds.includes(s2.subscriptionId),
			);
		expect(expected.length).toBeGreaterThan(1);
		const r = await bySubscription([s1.subscriptionId, s2.subscriptionId]);
		expect(r.status).toBe(200);
		expect(r.json.totalPage).toBe(Math.ceil(expected.length / 20));
		expect(r.json.usageURLList.map((e: Json) => String(e.invoiceNumber))).toEqual(
			expected.slice(0, 20).map((i) => i.invoiceNumber),
		);
	});

	it("accepts the shared envelope's empty invoiceList alongside", async () => {
		const r = await bySubscription([c.subscriptions()[0].subscriptionId], { invoiceList: [] });
		expect(r.status).toBe(200);
	});

	it('reads the list under the configured element names', async () => {
		c.options.subscriptionListField = 'subscriptions';
		c.options.subscriptionIdField = 'id';
		const sub = c.subscriptions()[2];
		const refused = await bySubscription([sub.subscriptionId]);
		expectCiscoError(
			refused,
			'VALIDATION_ERROR',
			/Unrecognized field "subscriptionList".*subscriptions is required/,
		);
		const r = await post(
			'/usageBySubscription',
			envelope({ invoiceList: undefined, subscriptions: [{ id: sub.subscriptionId }] }),
		);
		expect(r.status).toBe(200);
		expect(r.json.usageURLList.length).toBe(Math.min(20, sub.invoiceNumbers.length));
	});

	it('400 BIZ_RULE_FAIL_ERROR for more than 20 subscription ids', async () => {
		const ids = Array.from({ length: 21 }, (_, i) => `Sub${100000 + i}`);
		expectCiscoError(
			await bySubscription(ids),
			'BIZ_RULE_FAIL_ERROR',
			/At most 20 subscription ids/,
		);
	});
});

describe('usage files', () => {
	async function zipOf(invoiceNumber: string) {
		const r = await post('/usage', envelope({ invoiceList: [{ invoiceNumber }] }));
		const d = await download(r.json.usageURLList[0].usageURL);
		expect(d.status).toBe(200);
		expect(d.headers.get('content-type')).toBe('application/zip');
		return unzip(d.body);
	}

	it('serves one ZIP per invoice with exactly the header CSV and the usage CSV', async () => {
		const n = partnerInvoice(5);
		const entries = await zipOf(n);
		expect(entries.map((e) => e.name)).toEqual([
			`Invoice_Header_${n}.csv`,
			`Consolidated_Usage_${n}.csv`,
		]);
		const expected = c.expectedUsage(n);
		const [header] = toObjects(parseCsv(entries[0].text));
		const lines = toObjects(parseCsv(entries[1].text));
		expect(header).toEqual(expected.header);
		expect(lines).toEqual(expected.lines);
		expect(Object.keys(header)).toEqual([
			'Invoice Number',
			'Invoice Date',
			'Bill To ID',
			'Currency',
			'Total Usage Amount',
			'Usage Line Count',
		]);
		expect(header['Usage Line Count']).toBe(String(lines.length));
		expect(entries[1].text.endsWith('\r\n')).toBe(true);
		expect(entries[1].text).toMatch(/"[^"\r\n]*""[^\r\n]*"/); // a quoted customer name or description with doubled quotes
	});

	it('header totals equal the exact sum of Extended Amount, except the planted discrepancies', async () => {
		const mismatches = [];
		for (const inv of c.invoices()) {
			const { header, lines } = c.expectedUsage(inv.invoiceNumber);
			const sum = lines.reduce((s, l) => s + units(l['Extended Amount']), 0n);
			if (sum !== units(header['Total Usage Amount']))
				mismatches.push({
					invoiceNumber: inv.invoiceNumber,
					delta: units(header['Total Usage Amount']) - sum,
				});
		}
		const planted = c.plantedDiscrepancies();
		expect(planted).toHaveLength(3);
		expect(mismatches.map((m) => [m.invoiceNumber, m.delta])).toEqual(
			planted.map((p) => [p.invoiceNumber, units(p.delta)]),
		);
		for (const p of planted) expect(units(p.headerTotal) - units(p.usageSum)).toBe(units(p.delta));
		// The planted ones are reachable by a date range too.
		const { header } = c.expectedUsage(planted[0].invoiceNumber);
		expect(header['Invoice Date'] >= WITHIN_SIX_MONTHS).toBe(true);
	});

	it('writes the CSV dialect of the options: delimiter, BOM, line ending', async () => {
		c.options.csvDelimiter = ';';
		c.options.csvBom = true;
		c.options.lineEnding = '\n';
		const n = partnerInvoice(7);
		const [header, usage] = await zipOf(n);
		for (const e of [header, usage]) {
			expect(e.text.startsWith('\ufeffInvoice Number;')).toBe(true);
			expect(e.text).not.toContain('\r');
		}
		expect(toObjects(parseCsv(usage.text.slice(1), ';'))).toEqual(c.expectedUsage(n).lines);
		expect(usage.text).toContain('"Fabrikam; Ltd."');
	});

	it('names the entries and sizes the usage file as the options say', async () => {
		c.options.headerFileName = 'HDR-{invoiceNumber}.CSV';
		c.options.usageFileName = 'usage/{invoiceNumber}_lines.csv';
		c.options.usageLinesPerInvoice = 1000;
		const n = partnerInvoice(8);
		const [header, usage] = await zipOf(n);
		expect([header.name, usage.name]).toEqual([`HDR-${n}.CSV`, `usage/${n}_lines.csv`]);
		expect(parseCsv(usage.text)).toHaveLength(1001);
		expect(toObjects(parseCsv(header.text))[0]['Usage Line Count']).toBe('1000');
	});

	it('answers 403 "Request has expired" for an expired link, never the ZIP', async () => {
		const url = c.usageUrl(partnerInvoice());
		c.expireLinks();
		const r = await download(url);
		expect(r.status).toBe(403);
		expect(r.body.toString()).toMatch(
			/<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message><\/Error>/,
		);
		c.options.linkTtlSeconds = 0;
		expect((await download(c.usageUrl(partnerInvoice()))).status).toBe(403);
	});

	it('answers 403 for a tampered or unknown link', async () => {
		const url = c.usageUrl(partnerInvoice());
		expect((await download(url.replace(/sig=.*/, 'sig=forged'))).status).toBe(403);
		expect(
			(await download(`http://localhost:${sb.port}/cisco-files/${'0'.repeat(32)}.zip?sig=x`))
				.status,
		).toBe(403);
	});

	it('with fileAuth bearer, refuses a download without the token and serves it with one', async () => {
		c.options.fileAuth = 'bearer';
		c.options.tokenHosts = ['127.0.0.1', 'localhost'];
		const url = c.usageUrl(partnerInvoice());
		const without = await download(url);
		expect(without.status).toBe(401);
		expect(without.headers.get('www-authenticate')).toBe('Bearer');
		const withToken = await download(url, { authorization: `Bearer ${token}` });
		expect(withToken.status).toBe(200);
		expect(unzip(withToken.body)).toHaveLength(2);
		expect(sb.violations).toEqual([]);
	});

	it('records a violation when a bearer token goes to the file host, naming the host but not the token', async () => {
		const url = c.usageUrl(partnerInvoice());
		const r = await download(url, { authorization: `Bearer ${token}` });
		expect(r.status).toBe(200);
		expect(sb.violations).toEqual([
			expect.stringMatching(
				/^Authorization header sent to host "localhost", which is not in tokenHosts \(127\.0\.0\.1\): GET \/cisco-files\//,
			),
			expect.stringMatching(/^bearer token sent to the usage file host: GET \/cisco-files\//),
		]);
		const sig = new URL(url).searchParams.get('sig')!;
		for (const v of sb.violations) {
			expect(v).not.toContain(token);
			expect(v).not.toContain(sig);
		}
	});

	it('records a violation when the API is called with a token on a host outside tokenHosts', async () => {
		expect((await post('/usage', envelope())).status).toBe(200);
		expect(sb.violations).toEqual([]);
		const r = await post('/usage', envelope(), {
			base: c.baseUrl.replace('127.0.0.1', 'localhost'),
		});
		expect(r.status).toBe(200);
		expect(sb.violations).toEqual([
			expect.stringMatching(/^Authorization header sent to host "localhost".*: POST \/usage$/),
		]);
	});

	it('serves a replaced ZIP until reset', async () => {
		const n = partnerInvoice(2);
		const hostile = new AdmZip();
		hostile.addFile('../../evil.csv', Buffer.from('x\r\n'));
		const buffer = hostile.toBuffer();
		c.replaceZip(n, buffer);
		expect((await download(c.usageUrl(n))).body.equals(buffer)).toBe(true);
		await sb.reset();
		expect(unzip((await download(c.usageUrl(n))).body).map((e) => e.name)).toEqual([
			`Invoice_Header_${n}.csv`,
			`Consolidated_Usage_${n}.csv`,
		]);
	});

	it('cuts a download mid-ZIP with a reset fault; the next attempt gets the whole file', async () => {
		const n = partnerInvoice(4);
		const url = c.usageUrl(n);
		const fault = sb.addFault({
			vendor: 'cisco',
			kind: 'download',
			type: 'reset',
			afterBytes: 200,
		});
		await expect(download(url)).rejects.toThrow();
		expect(fault.hits).toBe(1);
		const again = await download(url);
		expect(again.body.equals(c.usageZip(n))).toBe(true);
		expect(again.body.length).toBeGreaterThan(200);
	});
});

describe('faults and reset', () => {
	it('answers a status fault on the API with a Cisco error body echoing the uuid', async () => {
		sb.addFault({ vendor: 'cisco', kind: 'api', type: 'status', status: 503, retryAfter: 2 });
		const body = envelope();
		const r = await post('/usage', body);
		expect(r.status).toBe(503);
		expect(r.headers.get('retry-after')).toBe('2');
		expect(r.json).toMatchObject({ uuid: body.uuid, status: 'ERROR', errorCode: 'CISCO_ERROR' });
	});

	it('answers a status fault on the token endpoint with an OAuth error', async () => {
		sb.addFault({ vendor: 'cisco', kind: 'token', type: 'status', status: 500 });
		const r = await requestToken(passwordForm());
		expect(r.status).toBe(500);
		expect(r.json.error).toBe('server_error');
	});

	it('truncates a ZIP with a truncate fault: a complete answer that is not a readable ZIP', async () => {
		const n = partnerInvoice(2);
		sb.addFault({ vendor: 'cisco', kind: 'download', type: 'truncate', afterBytes: 300 });
		const short = await download(c.usageUrl(n));
		expect(short.status).toBe(200);
		expect(short.body.equals(c.usageZip(n).subarray(0, 300))).toBe(true);
		expect(() => unzip(short.body)).toThrow();
	});

	it('serves a ZIP whose usage CSV lost a field with replaceZip and rewriteZipEntry', async () => {
		const n = partnerInvoice(3);
		const original = unzip(c.usageZip(n));
		c.replaceZip(
			n,
			rewriteZipEntry(c.usageZip(n), 'Consolidated_Usage', (csv) => dropCsvField(csv, 1)),
		);
		const [header, usage] = unzip((await download(c.usageUrl(n))).body);
		expect(header).toEqual(original[0]);
		expect(usage.name).toBe(original[1].name);
		const records = parseCsv(usage.text);
		expect(records[1]).toHaveLength(records[0].length - 1);
		expect(records[2]).toHaveLength(records[0].length);
	});

	it('lists every usage URL issued until the next reset', async () => {
		const url = c.usageUrl(partnerInvoice());
		expect(c.usageUrls()).toEqual([url]);
		await sb.reset();
		expect(c.usageUrls()).toEqual([]);
	});

	it('reset() restores the start options and forgets issued links, keeping tokens', async () => {
		const url = c.usageUrl(partnerInvoice());
		c.options.csvDelimiter = ';';
		c.options.tokenHosts.push('localhost');
		await sb.reset();
		expect(c.options.csvDelimiter).toBe(',');
		expect(c.options.tokenHosts).toEqual(['127.0.0.1']);
		expect((await download(url)).status).toBe(403);
		expect((await post('/usage', envelope())).status).toBe(200);
	});
});
