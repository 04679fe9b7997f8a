/**
 * The Webex part of the vendor sandbox, driven over real HTTP on 127.0.0.1 with Node's fetch.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

import { startSandbox, Sandbox, SeedReportParams } from '../../sandbox';
import { expectedReportRows, reportColumns, parseHalves } from '../../sandbox/webex/data';
import { dropCsvField } from '../../sandbox/corrupt';
import { jsonApi, parseCsv, toObjects } from './kit';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const DAY_MS = 86400000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** First and last day of last month (UTC): always a valid report period. */
function lastMonth() {
	const now = new Date();
	const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
	const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0);
	return { billingStartDate: ymd(start), billingEndDate: ymd(end) };
}

function sumBy(rows: Array<Record<string, string>>, key: (r: Record<string, string>) => string) {
	const out = new Map<string, number>();
	for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + parseHalves(r.QUANTITY));
	return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: Sandbox;

const api = jsonApi(
	() => sb.webex.baseUrl,
	() => sb.webex.accessToken,
);

function expectWebexError(json: Json, message?: RegExp) {
	expect(json).toEqual({
		message: expect.any(String),
		errors: [{ description: expect.any(String) }],
		trackingId: expect.stringMatching(/^ROUTER_[0-9A-F-]{36}$/),
	});
	if (message) expect(json.message).toMatch(message);
}

async function createReport(params: Record<string, unknown>) {
	const r = await api('POST', '/wholesale/billing/reports', { body: params });
	expect(r.status).toBe(200);
	return r.json as {
		id: string;
		billingStartDate: string;
		billingEndDate: string;
		type: string;
		category: string;
	};
}

async function waitForStatus(id: string, wanted: string, timeoutMs = 3000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const r = await api('GET', `/wholesale/billing/reports/${id}`);
		expect(r.status).toBe(200);
		if (r.json.status === wanted) return r.json;
		if (Date.now() > deadline) throw new Error(`report ${id} still ${r.json.status}`);
		await sleep(25);
	}
}

async function completedReport(params: Record<string, unknown>) {
	const created = await createReport(params);
	return waitForStatus(created.id, 'COMPLETED');
}

async function download(url: string, headers: Record<string, string> = {}) {
	const res = await fetch(url, { headers });
	return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
	sb = await startSandbox({
		port: 0,
		seed: 42,
		webex: { reportDelayMs: 150, downloadUrlTtlSeconds: 1800 },
	});
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

describe('basics', () => {
	it('exposes URLs and a static token', () => {
		expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sb.webex.baseUrl).toBe(`${sb.url}/webex/v1`);
		expect(sb.webex.authorizeUrl).toBe(`${sb.url}/webex/v1/authorize`);
		expect(sb.webex.tokenUrl).toBe(`${sb.url}/webex/v1/access_token`);
		expect(sb.webex.accessToken).toBe('webex-sandbox-pat-0000');
	});

	it('answers 401 with a Webex error body without a valid token, and logs every request', async () => {
		const none = await api('GET', '/wholesale/billing/reports', { token: null });
		expect(none.status).toBe(401);
		expectWebexError(none.json, /valid access token/);
		expect(none.headers.get('trackingid')).toBe(none.json.trackingId);
		const wrong = await api('GET', '/wholesale/billing/reports', { token: 'nope' });
		expect(wrong.status).toBe(401);
		expect(wrong.json.trackingId).not.toBe(none.json.trackingId);

		expect(sb.requests).toHaveLength(2);
		expect(sb.requests[0]).toMatchObject({
			vendor: 'webex',
			kind: 'api',
			method: 'GET',
			path: '/wholesale/billing/reports',
			query: {},
			status: 401,
			fault: undefined,
		});
		expect(sb.requests[1].headers.authorization).toBe('Bearer nope');
	});

	it('answers 404 for unknown paths and 405 for unsupported methods', async () => {
		expect((await api('GET', '/wholesale/billing/nothing')).status).toBe(404);
		const put = await api('PUT', '/wholesale/billing/reports', { body: {} });
		expect(put.status).toBe(405);
		expectWebexError(put.json);
	});
});

describe('create', () => {
	const today = ymd(Date.now());
	const yesterday = ymd(Date.now() - DAY_MS);
	const tomorrow = ymd(Date.now() + DAY_MS);
	const sixYearsAgo = ymd(Date.now() - 6 * 366 * DAY_MS);
	const { billingStartDate, billingEndDate } = lastMonth();

	it.each([
		['missing billingStartDate', { billingEndDate }, /billingStartDate is required/],
		['missing billingEndDate', { billingStartDate }, /billingEndDate is required/],
		[
			'non-padded date',
			{ billingStartDate: billingStartDate.slice(0, 8) + '1', billingEndDate },
			/YYYY-MM-DD/,
		],
		['impossible date', { billingStartDate: '2025-02-30', billingEndDate }, /YYYY-MM-DD/],
		[
			'datetime instead of date',
			{ billingStartDate: `${billingStartDate}T00:00:00Z`, billingEndDate },
			/YYYY-MM-DD/,
		],
		['end date today', { billingStartDate, billingEndDate: today }, /current day/],
		['end date in the future', { billingStartDate, billingEndDate: tomorrow }, /current day/],
		['older than five years', { billingStartDate: sixYearsAgo, billingEndDate }, /five years/],
		[
			'start after end',
			{ billingStartDate: yesterday, billingEndDate: billingStartDate },
			/not be after/,
		],
		[
			'unknown type',
			{ billingStartDate, billingEndDate, type: 'SUMMARY' },
			/type must be one of PARTNER, CUSTOMER, USER/,
		],
		['lower-case type', { billingStartDate, billingEndDate, type: 'user' }, /type must be one of/],
		[
			'unknown property',
			{ billingStartDate, billingEndDate, reportType: 'USER' },
			/Unrecognized field "reportType"/,
		],
		[
			'internal not boolean',
			{ billingStartDate, billingEndDate, internal: 'true' },
			/internal must be a boolean/,
		],
		[
			'unknown sub-partner',
			{ billingStartDate, billingEndDate, subPartnerOrgId: 'nope' },
			/not a sub-partner/,
		],
	])('400 for %s', async (_name, body, message) => {
		const r = await api('POST', '/wholesale/billing/reports', { body });
		expect(r.status).toBe(400);
		expectWebexError(r.json, message as RegExp);
		expect(sb.webex.reports.size).toBe(0);
	});

	it('lists every problem of a bad body in errors[]', async () => {
		const r = await api('POST', '/wholesale/billing/reports', { body: { type: 'X', extra: 1 } });
		expect(r.status).toBe(400);
		expect(r.json.errors.length).toBeGreaterThanOrEqual(4);
	});

	it('415 when the body is not JSON, 400 when the JSON is broken', async () => {
		const text = await api('POST', '/wholesale/billing/reports', {
			rawBody: 'billingStartDate=2025-01-01',
			contentType: 'application/x-www-form-urlencoded',
		});
		expect(text.status).toBe(415);
		expectWebexError(text.json);
		const broken = await api('POST', '/wholesale/billing/reports', {
			rawBody: '{"billingStartDate":',
			contentType: 'application/json',
		});
		expect(broken.status).toBe(400);
		expectWebexError(broken.json, /not valid JSON/);
	});

	it('200 with {id, billingStartDate, billingEndDate, type, category}; id like the spec', async () => {
		const r = await api('POST', '/wholesale/billing/reports', {
			body: { billingStartDate, billingEndDate },
		});
		expect(r.status).toBe(200);
		expect(r.headers.get('trackingid')).toMatch(/^ROUTER_/);
		expect(r.json).toEqual({
			id: expect.any(String),
			billingStartDate,
			billingEndDate,
			type: 'PARTNER',
			category: 'RECONCILIATION',
		});
		expect(r.json.id).toMatch(/^Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JUL[A-Za-z0-9_-]+$/);
		expect(Buffer.from(r.json.id, 'base64url').toString()).toMatch(
			/^ciscospark:\/\/us\/BILLING_REPORT\/[0-9a-f-]{36}$/,
		);
		expect(sb.requests[0].body).toEqual({ billingStartDate, billingEndDate });
	});

	it('409 for a second report of the same period, type and sub-partner (any status)', async () => {
		const sub = sb.webex.dataset.subPartners[0].webexId;
		await createReport({ billingStartDate, billingEndDate, type: 'USER' });
		const dup = await api('POST', '/wholesale/billing/reports', {
			body: { billingStartDate, billingEndDate, type: 'USER', internal: true },
		});
		expect(dup.status).toBe(409);
		expectWebexError(dup.json, /already exists for this period.*must be deleted/);
		// A different type or sub-partner is another report.
		await createReport({ billingStartDate, billingEndDate, type: 'CUSTOMER' });
		await createReport({ billingStartDate, billingEndDate, type: 'USER', subPartnerOrgId: sub });
		expect(sb.webex.reports.size).toBe(3);
	});
});

describe('lifecycle and delete', () => {
	const period = lastMonth();

	it('IN_PROGRESS until reportDelayMs, then COMPLETED with a freshly signed tempDownloadURL', async () => {
		sb.webex.options.reportDelayMs = 60000; // live option: keep it in progress while we look
		const created = await createReport({ ...period, type: 'CUSTOMER' });
		const first = await api('GET', `/wholesale/billing/reports/${created.id}`);
		expect(first.json).toEqual({
			id: created.id,
			...period,
			type: 'CUSTOMER',
			category: 'RECONCILIATION',
			created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			createdBy: expect.stringMatching(/^Y2lzY29zcGFyazovL3VzL1BFT1BMRS/),
			status: 'IN_PROGRESS',
			errors: [],
		});
		sb.webex.options.reportDelayMs = 150;
		const done = await waitForStatus(created.id, 'COMPLETED');
		expect(done.tempDownloadURL).toMatch(
			new RegExp(
				`^${sb.url}/cdn/webex/[0-9a-f-]{36}/WHOLESALE/[0-9a-f-]{36}\\.csv\\?Expires=\\d+&Signature=[A-Za-z0-9_-]+&Key-Pair-Id=SANDBOXKEYPAIR$`,
			),
		);
		const expires = Number(new URL(done.tempDownloadURL).searchParams.get('Expires'));
		expect(Math.abs(expires - (Math.floor(Date.now() / 1000) + 1800))).toBeLessThanOrEqual(2);
		// Signed afresh on every GET: a shorter TTL shows up immediately.
		sb.webex.options.downloadUrlTtlSeconds = 60;
		const again = await api('GET', `/wholesale/billing/reports/${created.id}`);
		expect(Number(new URL(again.json.tempDownloadURL).searchParams.get('Expires'))).toBeLessThan(
			expires,
		);
	});

	it('FAILED with errors when failNextReport is armed; failed reports cannot be deleted or re-created', async () => {
		sb.webex.failNextReport([{ code: 4711, description: 'Usage aggregation failed' }]);
		const created = await createReport({ ...period, type: 'USER' });
		const failed = await waitForStatus(created.id, 'FAILED');
		expect(failed.errors).toEqual([{ code: 4711, description: 'Usage aggregation failed' }]);
		expect(failed.tempDownloadURL).toBeUndefined();
		const del = await api('DELETE', `/wholesale/billing/reports/${created.id}`);
		expect(del.status).toBe(409);
		expectWebexError(del.json, /failed/);
		expect(sb.webex.reports.has(created.id)).toBe(true);
		expect(
			(await api('POST', '/wholesale/billing/reports', { body: { ...period, type: 'USER' } }))
				.status,
		).toBe(409);
		// Only the next report fails.
		const next = await createReport({ ...period, type: 'PARTNER' });
		await waitForStatus(next.id, 'COMPLETED');
	});

	it('DELETE: 409 while in progress, 204 when completed, then 404', async () => {
		sb.webex.options.reportDelayMs = 60000;
		const created = await createReport(period);
		const early = await api('DELETE', `/wholesale/billing/reports/${created.id}`);
		expect(early.status).toBe(409);
		expectWebexError(early.json, /in progress/);
		sb.webex.options.reportDelayMs = 0;
		await waitForStatus(created.id, 'COMPLETED');
		const del = await api('DELETE', `/wholesale/billing/reports/${created.id}`);
		expect(del.status).toBe(204);
		expect(del.text).toBe('');
		const gone = await api('GET', `/wholesale/billing/reports/${created.id}`);
		expect(gone.status).toBe(404);
		expectWebexError(gone.json, /not found/);
		expect((await api('DELETE', `/wholesale/billing/reports/${created.id}`)).status).toBe(404);
		// Deleted: the period can be created again.
		await createReport(period);
	});

	it('seedReport puts existing reports in place', async () => {
		const seeded = sb.webex.seedReport({ ...period, type: 'USER', status: 'IN_PROGRESS' });
		const r = await api('GET', `/wholesale/billing/reports/${seeded.id}`);
		expect(r.json.status).toBe('IN_PROGRESS');
		seeded.status = 'COMPLETED';
		expect(
			(await api('GET', `/wholesale/billing/reports/${seeded.id}`)).json.tempDownloadURL,
		).toBeDefined();
	});
});

describe('list', () => {
	function seed250() {
		const base = Date.UTC(2025, 0, 1);
		const types = ['PARTNER', 'CUSTOMER', 'USER'] as const;
		for (let i = 0; i < 250; i++) {
			const start = ymd(base + ((i * 7919) % 250) * DAY_MS);
			sb.webex.seedReport({
				billingStartDate: start,
				billingEndDate: start,
				type: types[i % 3],
				status: i % 10 === 0 ? 'FAILED' : 'COMPLETED',
			});
		}
	}

	it('pages with an RFC 5988 Link header across 3 pages, served from the cursor alone', async () => {
		seed250();
		const seen: Json[] = [];
		let url: string | undefined = `${sb.webex.baseUrl}/wholesale/billing/reports?max=100`;
		let pages = 0;
		while (url) {
			const r = await api('GET', url);
			expect(r.status).toBe(200);
			pages++;
			seen.push(...r.json.items);
			const link = r.headers.get('link');
			url = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
			if (url)
				expect(url).toMatch(
					new RegExp(`^${sb.webex.baseUrl}/wholesale/billing/reports\\?cursor=[^&]+&max=100$`),
				);
		}
		expect(pages).toBe(3);
		expect(seen).toHaveLength(250);
		expect(new Set(seen.map((i) => i.id)).size).toBe(250);
		expect(Object.keys(seen[0]).sort()).toEqual([
			'billingEndDate',
			'billingStartDate',
			'category',
			'id',
			'status',
			'type',
		]);
		const starts = seen.map((i) => i.billingStartDate);
		expect([...starts].sort()).toEqual(starts); // default sortBy billingStartDate
		expect(sb.requests.map((e) => Object.keys(e.query).sort().join())).toEqual([
			'max',
			'cursor,max',
			'cursor,max',
		]);
		expect(sb.violations).toEqual([]);
	});

	it('filters match exactly and carry over to the next page', async () => {
		seed250();
		sb.webex.seedReport({
			billingStartDate: '2025-01-01',
			billingEndDate: '2025-01-31',
			type: 'USER',
		});
		const exact = await api(
			'GET',
			'/wholesale/billing/reports?billingStartDate=2025-01-01&billingEndDate=2025-01-31',
		);
		expect(exact.json.items).toHaveLength(1);
		const users = await api(
			'GET',
			'/wholesale/billing/reports?type=USER&status=COMPLETED&max=30&sortBy=id',
		);
		expect(users.json.items.every((i: Json) => i.type === 'USER' && i.status === 'COMPLETED')).toBe(
			true,
		);
		const ids = users.json.items.map((i: Json) => i.id);
		expect([...ids].sort()).toEqual(ids);
		const next = /<([^>]+)>/.exec(users.headers.get('link') ?? '')![1];
		const page2 = await api('GET', next);
		expect(page2.json.items.every((i: Json) => i.type === 'USER')).toBe(true);
		expect(page2.json.items[0].id > ids[ids.length - 1]).toBe(true);
	});

	it('records a violation when a follow-up page re-sends the query', async () => {
		seed250();
		const first = await api('GET', '/wholesale/billing/reports?type=PARTNER&max=10');
		const next = /<([^>]+)>/.exec(first.headers.get('link') ?? '')![1];
		const r = await api('GET', `${next}&type=PARTNER`);
		expect(r.status).toBe(200);
		expect(sb.violations).toEqual([
			expect.stringMatching(/re-sent query parameters with the cursor \(type\)/),
		]);
	});

	it.each([
		['max=0'],
		['max=101'],
		['max=ten'],
		['sortBy=created'],
		['type=ALL'],
		['status=DONE'],
		['billingStartDate=2025-1-1'],
		['foo=bar'],
		['type='],
		['type=USER&type=PARTNER'],
		['cursor=garbage'],
	])('400 for %s', async (qs) => {
		const r = await api('GET', `/wholesale/billing/reports?${qs}`);
		expect(r.status).toBe(400);
		expectWebexError(r.json);
	});
});

describe('download', () => {
	const period = lastMonth();

	it('says COMPLETED only with the download URL, even when the report finishes while its answer is built', async () => {
		const created = await createReport({ ...period, type: 'PARTNER' });
		const options = sb.webex.options;
		let reads = 0;
		// The first look at the report finds it generating, every later one finished.
		Object.defineProperty(options, 'reportDelayMs', {
			configurable: true,
			enumerable: true,
			get: () => (reads++ === 0 ? 60_000 : 0),
		});
		try {
			const got = await api('GET', `/wholesale/billing/reports/${created.id}`);
			expect(got.json.status).toBe('IN_PROGRESS');
			expect(got.json.tempDownloadURL).toBeUndefined();
		} finally {
			Object.defineProperty(options, 'reportDelayMs', {
				configurable: true,
				enumerable: true,
				writable: true,
				value: 150,
			});
		}
	});

	it('serves text/csv for a valid URL; 403 for a bad signature or an expired URL; 400 + violation with Authorization', async () => {
		const report = await completedReport({ ...period, type: 'PARTNER' });
		const ok = await download(report.tempDownloadURL);
		expect(ok.status).toBe(200);
		expect(ok.headers.get('content-type')).toBe('text/csv');
		expect(ok.text.startsWith('PARTNER_NAME,')).toBe(true);
		expect(sb.requests.at(-1)).toMatchObject({ kind: 'download', method: 'GET', status: 200 });
		expect(sb.requests.at(-1)!.path).toMatch(/^\/cdn\/webex\/.+\.csv$/);

		const bad = new URL(report.tempDownloadURL);
		const signature = bad.searchParams.get('Signature')!;
		bad.searchParams.set('Signature', (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1));
		const denied = await download(bad.toString());
		expect(denied.status).toBe(403);
		expect(denied.text).toContain('<Code>AccessDenied</Code>');
		const tampered = new URL(report.tempDownloadURL);
		tampered.searchParams.set(
			'Expires',
			String(Number(tampered.searchParams.get('Expires')) + 3600),
		);
		expect((await download(tampered.toString())).status).toBe(403);

		sb.webex.options.downloadUrlTtlSeconds = -1;
		const stale = (await api('GET', `/wholesale/billing/reports/${report.id}`)).json
			.tempDownloadURL;
		const expired = await download(stale);
		expect(expired.status).toBe(403);
		expect(expired.text).toContain('Request has expired');

		expect(sb.violations).toEqual([]);
		const leaked = await download(report.tempDownloadURL, {
			authorization: `Bearer ${sb.webex.accessToken}`,
		});
		expect(leaked.status).toBe(400);
		expect(sb.violations).toEqual([
			expect.stringMatching(/^Authorization header sent to the download host: GET \/cdn\/webex\//),
		]);
	});

	it('downloadGzip: Content-Encoding gzip when accepted, same CSV after decoding', async () => {
		const report = await completedReport({ ...period, type: 'CUSTOMER' });
		const plain = await download(report.tempDownloadURL);
		sb.webex.options.downloadGzip = true;
		const res = await fetch(report.tempDownloadURL, { headers: { 'accept-encoding': 'gzip' } });
		expect(res.headers.get('content-encoding')).toBe('gzip');
		expect(await res.text()).toBe(plain.text); // fetch decodes gzip
		const identity = await download(report.tempDownloadURL, { 'accept-encoding': 'identity' });
		expect(identity.headers.get('content-encoding')).toBeNull();
	});

	it('404 once the report is deleted', async () => {
		const report = await completedReport(period);
		expect((await api('DELETE', `/wholesale/billing/reports/${report.id}`)).status).toBe(204);
		expect((await download(report.tempDownloadURL)).status).toBe(404);
	});

	it('serves byte ranges (206) that add up to the full file', async () => {
		const report = await completedReport({ ...period, type: 'CUSTOMER' });
		const full = await download(report.tempDownloadURL);
		const length = Number(full.headers.get('content-length'));
		expect(length).toBe(Buffer.byteLength(full.text));
		const a = await download(report.tempDownloadURL, { range: 'bytes=0-999' });
		const b = await download(report.tempDownloadURL, { range: 'bytes=1000-' });
		expect(a.status).toBe(206);
		expect(a.headers.get('content-range')).toBe(`bytes 0-999/${length}`);
		expect(b.headers.get('content-range')).toBe(`bytes 1000-${length - 1}/${length}`);
		expect(a.text + b.text).toBe(full.text);
		expect((await download(report.tempDownloadURL, { range: `bytes=${length}-` })).status).toBe(
			416,
		);
	});
});

describe('report data', () => {
	// A fixed period (seeded reports skip the API's date rules), so the figures never drift with today's date.
	const period = { billingStartDate: '2026-10-01', billingEndDate: '2026-10-31' };

	async function reportCsv(params: Partial<SeedReportParams>) {
		const report = sb.webex.seedReport({ ...period, ...params });
		const url = (await api('GET', `/wholesale/billing/reports/${report.id}`)).json.tempDownloadURL;
		return (await download(url)).text;
	}

	it('USER, CUSTOMER and PARTNER reports agree exactly and match expectedReportRows', async () => {
		const [userCsv, customerCsv, partnerCsv] = await Promise.all([
			reportCsv({ type: 'USER' }),
			reportCsv({ type: 'CUSTOMER' }),
			reportCsv({ type: 'PARTNER' }),
		]);
		for (const [csv, type] of [
			[userCsv, 'USER'],
			[customerCsv, 'CUSTOMER'],
			[partnerCsv, 'PARTNER'],
		] as const) {
			expect(csv.startsWith(reportColumns(type).join(',') + '\r\n')).toBe(true);
			expect(csv.endsWith('\r\n')).toBe(true);
			expect(csv.replace(/\r\n/g, '')).not.toContain('\n'); // CRLF only
			expect(toObjects(parseCsv(csv))).toEqual(
				expectedReportRows({ ...period, type }, { seed: 42 }),
			);
		}
		const users = toObjects(parseCsv(userCsv));
		const customers = toObjects(parseCsv(customerCsv));
		const partners = toObjects(parseCsv(partnerCsv));
		expect([users.length, customers.length, partners.length]).toEqual([5182, 1036, 40]); // seed 42, 2026-10
		expect(new Set(users.map((u) => u.CUSTOMER_EXTERNAL_ID)).size).toBeGreaterThanOrEqual(50);
		expect(users.some((u) => u.QUANTITY.endsWith('.5'))).toBe(true);
		expect(users.some((u) => u.LICENSE_ID === '')).toBe(true);

		const bySku = (r: Record<string, string>) => r.SKU;
		expect(sumBy(customers, bySku)).toEqual(sumBy(users, bySku));
		expect(sumBy(partners, bySku)).toEqual(sumBy(users, bySku));
		const group = (r: Record<string, string>) =>
			[r.CUSTOMER_ORG_ID, r.LOCATION_ID, r.SKU, r.LICENSE_ID].join('|');
		expect(sumBy(customers, group)).toEqual(sumBy(users, group));
		expect(customers).toHaveLength(new Set(customers.map(group)).size); // one row per group
		const sub = (r: Record<string, string>) => [r.SUBSCRIPTION_ID, r.SKU].join('|');
		expect(sumBy(partners, sub)).toEqual(sumBy(users, sub));

		// RFC 4180 quoting of descriptions with a comma and double quotes.
		expect(partnerCsv).toContain(',"Webex Suite, ""Calling + Meetings"" bundle",');
		expect(partners.map((p) => p.DESCRIPTION)).toContain(
			'Webex Suite, "Calling + Meetings" bundle',
		);
	});

	it('is deterministic: same seed gives byte-identical CSV, another seed differs; csvBom adds a BOM', async () => {
		const mine = await reportCsv({ type: 'USER' });
		const twin = await startSandbox({ seed: 42, webex: { reportDelayMs: 0 } });
		const other = await startSandbox({ seed: 7, webex: { reportDelayMs: 0, csvBom: true } });
		try {
			const csvOf = async (box: Sandbox) => {
				const r = box.webex.seedReport({ ...period, type: 'USER' });
				const res = await fetch(box.webex.downloadUrl(r.id));
				return Buffer.from(await res.arrayBuffer());
			};
			expect((await csvOf(twin)).equals(Buffer.from(mine))).toBe(true);
			const otherCsv = await csvOf(other);
			expect(otherCsv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
			expect(otherCsv.subarray(3).toString()).not.toBe(mine);
		} finally {
			await twin.stop();
			await other.stop();
		}
	});

	it('a sub-partner report has only its customers; internal adds the internal org', async () => {
		const sp = sb.webex.dataset.subPartners[1];
		const own = new Set(
			sb.webex.dataset.customers.filter((c) => c.ownerIndex === sp.index).map((c) => c.uuid),
		);
		const rows = toObjects(
			parseCsv(await reportCsv({ type: 'CUSTOMER', subPartnerOrgId: sp.webexId })),
		);
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.every((r) => own.has(r.CUSTOMER_ORG_ID) && r.PARTNER_ORG_ID === sp.uuid)).toBe(
			true,
		);

		const internal = toObjects(parseCsv(await reportCsv({ type: 'CUSTOMER', internal: true })));
		const plain = expectedReportRows({ ...period, type: 'CUSTOMER' });
		expect(internal.length).toBeGreaterThan(plain.length);
		expect(internal.some((r) => r.CUSTOMER_ORG_ID === sb.webex.dataset.internalOrg.uuid)).toBe(
			true,
		);
		expect(plain.some((r) => r.CUSTOMER_ORG_ID === sb.webex.dataset.internalOrg.uuid)).toBe(false);
	});
});

describe('faults', () => {
	const period = lastMonth();

	it('status: answers the status with Retry-After and a Webex body, without executing the request', async () => {
		const fault = sb.addFault({
			kind: 'api',
			method: 'POST',
			path: '/wholesale/billing/reports',
			type: 'status',
			status: 429,
			retryAfter: 3,
			times: 2,
		});
		for (let i = 0; i < 2; i++) {
			const r = await api('POST', '/wholesale/billing/reports', { body: period });
			expect(r.status).toBe(429);
			expect(r.headers.get('retry-after')).toBe('3');
			expectWebexError(r.json);
		}
		expect(sb.webex.reports.size).toBe(0);
		expect(fault.hits).toBe(2);
		expect(fault.times).toBe(0);
		expect(sb.requests.map((e) => e.fault)).toEqual(['status', 'status']);
		await createReport(period);

		const date = new Date(Date.now() + 5000).toUTCString();
		sb.addFault({
			vendor: 'webex',
			path: /^\/wholesale\/billing\/reports$/,
			type: 'status',
			status: 503,
			retryAfter: date,
		});
		const r = await api('GET', '/wholesale/billing/reports');
		expect(r.status).toBe(503);
		expect(r.headers.get('retry-after')).toBe(date);
	});

	it('html: a 502 proxy error page', async () => {
		sb.addFault({ kind: 'api', type: 'html' });
		const r = await api('GET', '/wholesale/billing/reports');
		expect(r.status).toBe(502);
		expect(r.headers.get('content-type')).toBe('text/html');
		expect(r.text).toContain('<h1>502 Bad Gateway</h1>');
		expect((await api('GET', '/wholesale/billing/reports')).status).toBe(200);
	});

	it('slow: waits delayMs, then answers normally', async () => {
		sb.addFault({ kind: 'api', type: 'slow', delayMs: 300 });
		const t0 = Date.now();
		const r = await api('GET', '/wholesale/billing/reports');
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
		expect(r.status).toBe(200);
		expect(sb.requests[0].fault).toBe('slow');
	});

	it('slow: a reset meanwhile drops the waiting request unexecuted', async () => {
		sb.addFault({ kind: 'api', method: 'POST', type: 'slow', delayMs: 5000 });
		const answer = api('POST', '/wholesale/billing/reports', { body: period });
		await sleep(100);
		// The reset hangs up the connection: the client's rejection comes during the reset.
		const refused = expect(answer).rejects.toThrow();
		await sb.reset();
		await refused;
		expect(sb.webex.reports.size).toBe(0);
	});

	it('reset: without afterBytes the connection drops before a response and nothing executes', async () => {
		sb.addFault({ kind: 'api', method: 'POST', type: 'reset' });
		await expect(api('POST', '/wholesale/billing/reports', { body: period })).rejects.toThrow();
		expect(sb.webex.reports.size).toBe(0);
		expect(sb.requests[0]).toMatchObject({ fault: 'reset', status: undefined });
	});

	it('reset with afterBytes on an API call: the request executes, the response is cut', async () => {
		sb.addFault({ kind: 'api', method: 'POST', type: 'reset', afterBytes: 5 });
		const res = await fetch(`${sb.webex.baseUrl}/wholesale/billing/reports`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${sb.webex.accessToken}`,
				'content-type': 'application/json',
			},
			body: JSON.stringify(period),
		});
		expect(res.status).toBe(200);
		await expect(res.text()).rejects.toThrow();
		expect(sb.webex.reports.size).toBe(1); // a retry now meets 409
		expect((await api('POST', '/wholesale/billing/reports', { body: period })).status).toBe(409);
	});

	it('html with status 200: a proxy sign-in page where JSON was expected', async () => {
		sb.addFault({ kind: 'api', type: 'html', status: 200 });
		const r = await api('GET', '/wholesale/billing/reports');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('text/html');
		expect(r.json).toBeUndefined();
	});

	it('empty: 200 with no body and the given content type, without executing the request', async () => {
		sb.addFault({ kind: 'api', method: 'POST', type: 'empty', contentType: 'application/json' });
		const r = await api('POST', '/wholesale/billing/reports', { body: period });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/json');
		expect(r.headers.get('content-length')).toBe('0');
		expect(r.text).toBe('');
		expect(sb.webex.reports.size).toBe(0);
		expect(sb.requests[0]).toMatchObject({ fault: 'empty', status: 200, bytes: 0 });
	});

	it('contentType: the same answer under another Content-Type', async () => {
		const report = await completedReport(period);
		const clean = await download(report.tempDownloadURL);
		sb.addFault({ kind: 'download', type: 'contentType', contentType: 'text/html; charset=utf-8' });
		const relabelled = await download(report.tempDownloadURL);
		expect(relabelled.status).toBe(200);
		expect(relabelled.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(relabelled.text).toBe(clean.text);
		expect(relabelled.headers.get('content-length')).toBe(String(Buffer.byteLength(clean.text)));
	});

	it('truncate: the answer completes normally with only the first afterBytes bytes and a matching Content-Length', async () => {
		const report = await completedReport(period);
		const clean = await download(report.tempDownloadURL);
		sb.addFault({ kind: 'download', type: 'truncate', afterBytes: 100 });
		const short = await download(report.tempDownloadURL);
		expect(short.status).toBe(200);
		expect(short.headers.get('content-length')).toBe('100');
		expect(short.text).toBe(clean.text.slice(0, 100));
		const entry = sb.requests[sb.requests.length - 1];
		expect(entry).toMatchObject({ fault: 'truncate', bytes: 100 });
	});

	it('transform: the whole answer rewritten, here a CSV row that lost its last field', async () => {
		const report = await completedReport({ ...period, type: 'CUSTOMER' });
		const clean = await download(report.tempDownloadURL);
		sb.addFault({
			kind: 'download',
			type: 'transform',
			transform: (body) => dropCsvField(body, 2),
		});
		const damaged = await download(report.tempDownloadURL);
		const [header, first, second] = parseCsv(damaged.text);
		expect(first).toEqual(parseCsv(clean.text)[1]);
		expect(second).toHaveLength(header.length - 1);
		expect(damaged.headers.get('content-length')).toBe(String(Buffer.byteLength(damaged.text)));
	});

	it('logs the body bytes each answer sent, a cut one included', async () => {
		const report = await completedReport(period);
		const clean = await download(report.tempDownloadURL);
		sb.addFault({ kind: 'download', type: 'reset', afterBytes: 50 });
		await fetch(report.tempDownloadURL)
			.then((r) => r.text())
			.catch(() => undefined);
		const downloads = sb.requests.filter((entry) => entry.kind === 'download');
		expect(downloads.map((entry) => entry.bytes)).toEqual([Buffer.byteLength(clean.text), 50]);
	});

	it('lists every signed URL it handed out until the next reset', async () => {
		const report = await completedReport(period);
		expect(sb.webex.signedUrls()).toContain(report.tempDownloadURL);
		await sb.reset();
		expect(sb.webex.signedUrls()).toEqual([]);
	});

	it('faults match by vendor/kind/method/path in insertion order; clearFaults removes them', async () => {
		sb.addFault({ kind: 'download', type: 'status', status: 500 });
		const forList = sb.addFault({
			method: 'GET',
			path: '/wholesale/billing/reports',
			type: 'status',
			status: 504,
			times: Infinity,
		});
		const second = sb.addFault({ method: 'GET', type: 'status', status: 500 });
		expect((await api('GET', '/wholesale/billing/reports')).status).toBe(504);
		expect((await api('GET', '/wholesale/billing/reports')).status).toBe(504);
		expect(forList.hits).toBe(2);
		expect(second.hits).toBe(0);
		sb.clearFaults();
		expect((await api('GET', '/wholesale/billing/reports')).status).toBe(200);
	});

	it('reset: cuts a CSV download after afterBytes; a Range request resumes it', async () => {
		const report = await completedReport({ ...period, type: 'USER' });
		const full = await download(report.tempDownloadURL);
		sb.addFault({ kind: 'download', path: '/cdn/webex/', type: 'reset', afterBytes: 100000 });
		const res = await fetch(report.tempDownloadURL);
		expect(res.status).toBe(200);
		const reader = res.body!.getReader();
		const parts: Uint8Array[] = [];
		let error: unknown;
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				parts.push(value);
			}
		} catch (err) {
			error = err;
		}
		expect(error).toBeDefined();
		const got = Buffer.concat(parts);
		expect(got.length).toBe(100000);
		const rest = await download(report.tempDownloadURL, { range: `bytes=${got.length}-` });
		expect(rest.status).toBe(206);
		expect(got.toString() + rest.text).toBe(full.text);
	});
});

describe('reset', () => {
	/** A list request as the bytes a client writes to its connection. */
	const listRequest = () =>
		`GET /webex/v1/wholesale/billing/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sb.webex.accessToken}\r\n\r\n`;

	/** A fault added after the reset must be taken by the next request sent, not by the one given up on. */
	async function expectNextRequestTakesTheFault() {
		const fault = sb.addFault({ kind: 'api', type: 'status', status: 503 });
		expect((await api('GET', '/wholesale/billing/reports')).status).toBe(503);
		expect(fault.hits).toBe(1);
		expect(sb.requests).toHaveLength(1);
	}

	it('drops a request that a client sent and gave up on, unread on an open connection', async () => {
		const socket = net.connect(sb.port, '127.0.0.1');
		socket.write(listRequest());
		await once(socket, 'data');
		// In one tick, before the server can read it: what a failed run leaves when it aborts a read.
		socket.write(listRequest());
		socket.destroy();
		await sb.reset();
		await expectNextRequestTakesTheFault();
	});

	it('drops a request that a client sent and gave up on, on a connection not yet accepted', async () => {
		// This process, and so the server, is blocked while the child connects, sends and hangs up.
		const child = `const s = require('node:net').connect(${sb.port}, '127.0.0.1', () => s.end(${JSON.stringify(listRequest())}, () => process.exit(0)))`;
		expect(spawnSync(process.execPath, ['-e', child], { timeout: 10_000 }).status).toBe(0);
		await sb.reset();
		await expectNextRequestTakesTheFault();
	});
});

describe('OAuth', () => {
	const redirectUri = 'http://127.0.0.1:9/callback';
	const basic = () =>
		'Basic ' + Buffer.from(`${sb.webex.clientId}:${sb.webex.clientSecret}`).toString('base64');

	async function authorize(scope?: string) {
		const u = new URL(sb.webex.authorizeUrl);
		u.searchParams.set('response_type', 'code');
		u.searchParams.set('client_id', sb.webex.clientId);
		u.searchParams.set('redirect_uri', redirectUri);
		if (scope) u.searchParams.set('scope', scope);
		u.searchParams.set('state', 'st-1');
		const res = await fetch(u, { redirect: 'manual' });
		expect(res.status).toBe(302);
		const location = new URL(res.headers.get('location')!);
		expect(location.origin + location.pathname).toBe(redirectUri);
		expect(location.searchParams.get('state')).toBe('st-1');
		return location.searchParams.get('code')!;
	}

	async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
		const res = await fetch(sb.webex.tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
			body: new URLSearchParams(form).toString(),
		});
		return { status: res.status, json: (await res.json()) as Json };
	}

	it('authorization code -> tokens -> API; refresh after expiry', async () => {
		const code = await authorize(
			'spark-admin:wholesale_billing_reports_read spark-admin:wholesale_billing_reports_write',
		);
		const t = await token(
			{ grant_type: 'authorization_code', code, redirect_uri: redirectUri },
			{ authorization: basic() },
		);
		expect(t.status).toBe(200);
		expect(t.json).toEqual({
			access_token: expect.any(String),
			expires_in: 1209600,
			refresh_token: expect.any(String),
			refresh_token_expires_in: expect.any(Number),
			token_type: 'Bearer',
			scope:
				'spark-admin:wholesale_billing_reports_read spark-admin:wholesale_billing_reports_write',
		});
		expect(
			(await api('GET', '/wholesale/billing/reports', { token: t.json.access_token })).status,
		).toBe(200);
		expect(
			(
				await token(
					{ grant_type: 'authorization_code', code, redirect_uri: redirectUri },
					{ authorization: basic() },
				)
			).json.error,
		).toBe('invalid_grant');

		sb.webex.expireAccessTokens();
		expect(
			(await api('GET', '/wholesale/billing/reports', { token: t.json.access_token })).status,
		).toBe(401);
		const refreshed = await token({
			grant_type: 'refresh_token',
			refresh_token: t.json.refresh_token,
			client_id: sb.webex.clientId,
			client_secret: sb.webex.clientSecret,
		});
		expect(refreshed.status).toBe(200);
		expect(refreshed.json.access_token).not.toBe(t.json.access_token);
		expect(
			(await api('GET', '/wholesale/billing/reports', { token: refreshed.json.access_token }))
				.status,
		).toBe(200);
		expect(sb.requests.filter((e) => e.kind === 'token').map((e) => e.path)).toEqual([
			'/webex/v1/authorize',
			'/webex/v1/access_token',
			'/webex/v1/access_token',
			'/webex/v1/access_token',
		]);
	});

	it('refuses bad clients and grants; a read-only token cannot create', async () => {
		const code = await authorize('spark-admin:wholesale_billing_reports_read');
		const wrong = await token({
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			client_id: sb.webex.clientId,
			client_secret: 'wrong',
		});
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
		expect((await token({ grant_type: 'password' }, { authorization: basic() })).json.error).toBe(
			'unsupported_grant_type',
		);
		expect(
			(
				await token(
					{ grant_type: 'refresh_token', refresh_token: 'nope' },
					{ authorization: basic() },
				)
			).status,
		).toBe(400);

		const readOnly = await token(
			{
				grant_type: 'authorization_code',
				code: await authorize('spark-admin:wholesale_billing_reports_read'),
				redirect_uri: redirectUri,
			},
			{ authorization: basic() },
		);
		const post = await api('POST', '/wholesale/billing/reports', {
			body: period(),
			token: readOnly.json.access_token,
		});
		expect(post.status).toBe(403);
		expectWebexError(post.json, /scope/);
		expect(
			(await api('GET', '/wholesale/billing/reports', { token: readOnly.json.access_token }))
				.status,
		).toBe(200);
	});

	const period = lastMonth;
});

describe('spec variants (options)', () => {
	it('createStatus 202, reportType instead of type, REQUESTED while in progress', async () => {
		Object.assign(sb.webex.options, {
			createStatus: 202,
			reportTypeField: 'reportType',
			inProgressStatus: 'REQUESTED',
			reportDelayMs: 60000,
		});
		const r = await api('POST', '/wholesale/billing/reports', { body: lastMonth() });
		expect(r.status).toBe(202);
		const got = await api('GET', `/wholesale/billing/reports/${r.json.id}`);
		expect(got.json).toMatchObject({ reportType: 'PARTNER', status: 'REQUESTED' });
		expect(got.json.type).toBeUndefined();
		expect((await api('GET', '/wholesale/billing/reports')).json.items[0].status).toBe('REQUESTED');
		await sb.reset(); // restores the start options
		expect(sb.webex.options).toMatchObject({
			createStatus: 200,
			reportTypeField: 'type',
			inProgressStatus: 'IN_PROGRESS',
			reportDelayMs: 150,
		});
	});
});

describe('bench-sized USER report', () => {
	it('streams 1,000,000 rows without holding them in memory', async () => {
		const big = await startSandbox({
			seed: 42,
			webex: { reportDelayMs: 0, userReportRows: 1_000_000 },
		});
		try {
			const report = big.webex.seedReport({ ...lastMonth(), type: 'USER' });
			global.gc?.();
			const baseline = process.memoryUsage().rss;
			let peak = baseline;
			const res = await fetch(big.webex.downloadUrl(report.id));
			expect(res.status).toBe(200);
			expect(res.headers.get('content-length')).toBeNull(); // chunked: size not computed up front
			let lines = 0;
			let bytes = 0;
			let chunks = 0;
			for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
				bytes += chunk.length;
				for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
				if (++chunks % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
			}
			expect(lines).toBe(1_000_001); // header + 1M rows
			expect(bytes).toBeGreaterThan(300_000_000);
			expect(peak - baseline).toBeLessThan(150 * 1024 * 1024);
		} finally {
			await big.stop();
		}
	}, 30000);
});
