/**
 * The Microsoft Graph partner-billing part of the vendor sandbox (with Azurite for the blobs),
 * driven over real HTTP on 127.0.0.1 with Node's fetch.
 */
import { gunzipSync } from 'zlib';
import { startSandbox, Sandbox } from '../../sandbox';
import { expectedLineItems, plantedDiscrepancies, getDataset } from '../../sandbox/graph/data';
import { breakJsonLine } from '../../sandbox/corrupt';
import { jsonApi } from './kit';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const BILLING = '/reports/partners/billing';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sb: Sandbox;
let g: NonNullable<Sandbox['graph']>;

beforeAll(async () => {
	sb = await startSandbox({ seed: 42, graph: { operationDelayMs: 100, retryAfterSeconds: 0 } });
	g = sb.graph!;
});

afterAll(async () => {
	await sb.stop();
});

beforeEach(() => sb.reset());

const api = jsonApi(
	() => g.baseUrl,
	() => g.accessToken,
);

function token(form: Record<string, string>, tenant = g.tenantId) {
	return fetch(`${g.loginBaseUrl}/${tenant}/oauth2/v2.0/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(form),
	}).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }));
}

async function start(kind: string, body: unknown) {
	const r = await api('POST', `${BILLING}/${kind}/export`, { body });
	expect(r.status).toBe(202);
	return r.headers.get('location')!;
}

/** Poll an operation honouring Retry-After until it settles. */
async function settle(location: string) {
	for (let i = 0; i < 200; i++) {
		const r = await api('GET', location);
		if (r.status !== 200) return r;
		if (r.json.status !== 'notStarted' && r.json.status !== 'running') return r;
		await sleep(Math.max(50, Number(r.headers.get('retry-after')) * 1000));
	}
	throw new Error('operation did not settle');
}

async function manifestOf(location: string): Promise<Json> {
	const r = await settle(location);
	expect(r.json['@odata.type']).toBe('#microsoft.graph.partners.billing.exportSuccessOperation');
	return r.json.resourceLocation;
}

/** sas: the manifest's by default; null = none */
function blobUrl(m: Json, name: string, sas: string | null = m.sasToken) {
	const root = String(m.rootDirectory).replace(/\/$/, '');
	return sas === null ? `${root}/${name}` : `${root}/${name}?${String(sas).replace(/^\?/, '')}`;
}

async function download(m: Json): Promise<Json[]> {
	const out: Json[] = [];
	for (const b of m.blobs) {
		const r = await fetch(blobUrl(m, b.name));
		expect(r.status).toBe(200);
		const text = gunzipSync(Buffer.from(await r.arrayBuffer())).toString('utf8');
		for (const line of text.split('\n')) if (line) out.push(JSON.parse(line));
	}
	return out;
}

const micros = (x: number) => Math.round(x * 1e6);

describe('token endpoint', () => {
	it('issues client-credentials tokens that Graph accepts', async () => {
		const t = await token({
			client_id: g.clientId,
			client_secret: g.clientSecret,
			scope: 'https://graph.microsoft.com/.default',
			grant_type: 'client_credentials',
		});
		expect(t.status).toBe(200);
		expect(t.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
		expect(typeof t.json.access_token).toBe('string');
		const r = await api('POST', `${BILLING}/usage/billed/export`, {
			body: { invoiceId: 'G000000001' },
			token: t.json.access_token,
		});
		expect(r.status).toBe(202);
		g.expireAccessTokens();
		const r2 = await api('GET', r.headers.get('location')!, { token: t.json.access_token });
		expect(r2.status).toBe(401);
		expect(sb.requests.filter((e) => e.kind === 'token').every((e) => e.vendor === 'graph')).toBe(
			true,
		);
	});

	it('answers AAD-style errors', async () => {
		const base = {
			client_id: g.clientId,
			client_secret: g.clientSecret,
			scope: 'https://graph.microsoft.com/.default',
			grant_type: 'client_credentials',
		};
		const bad = await token({ ...base, client_secret: 'nope' });
		expect(bad.status).toBe(401);
		expect(bad.json.error).toBe('invalid_client');
		expect(bad.json.error_description).toMatch(/^AADSTS7000215/);
		expect((await token({ ...base, client_id: 'someone-else' })).json.error).toBe(
			'unauthorized_client',
		);
		expect(
			(await token({ ...base, scope: 'https://graph.microsoft.com/PartnerBilling.Read.All' })).json
				.error,
		).toBe('invalid_scope');
		expect((await token({ ...base, grant_type: 'password' })).json.error).toBe(
			'unsupported_grant_type',
		);
		const tenant = await token(base, 'other-tenant.onmicrosoft.com');
		expect(tenant.status).toBe(400);
		expect(tenant.json.error_description).toMatch(/^AADSTS90002/);
	});

	it('supports the delegated authorization-code and refresh flows', async () => {
		const redirect = 'http://127.0.0.1:1/callback';
		const a = await fetch(
			`${g.authorizeUrl}?${new URLSearchParams({ client_id: g.clientId, response_type: 'code', redirect_uri: redirect, scope: 'https://graph.microsoft.com/PartnerBilling.Read.All offline_access', state: 's1' })}`,
			{ redirect: 'manual' },
		);
		expect(a.status).toBe(302);
		const loc = new URL(a.headers.get('location')!);
		expect(loc.searchParams.get('state')).toBe('s1');
		const t = await token({
			client_id: g.clientId,
			client_secret: g.clientSecret,
			grant_type: 'authorization_code',
			code: loc.searchParams.get('code')!,
			redirect_uri: redirect,
		});
		expect(t.status).toBe(200);
		expect(t.json.refresh_token).toBeTruthy();
		const t2 = await token({
			client_id: g.clientId,
			client_secret: g.clientSecret,
			grant_type: 'refresh_token',
			refresh_token: t.json.refresh_token,
		});
		expect(t2.status).toBe(200);
		expect(
			(await api('GET', `${BILLING}/operations/x`, { token: t2.json.access_token })).status,
		).toBe(404);
	});
});

describe('Graph API', () => {
	it('requires a bearer token and answers Graph error bodies with request-id', async () => {
		const r = await api('POST', `${BILLING}/usage/billed/export`, {
			body: { invoiceId: 'G000000001' },
			token: null,
			headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' },
		});
		expect(r.status).toBe(401);
		expect(r.json.error.code).toBe('InvalidAuthenticationToken');
		expect(r.json.error.innerError['request-id']).toBe(r.headers.get('request-id'));
		expect(r.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
		expect((await api('GET', `${BILLING}/operations/x`, { token: 'wrong' })).status).toBe(401);
	});

	const billedCases: Array<[unknown, number]> = [
		[{ invoiceId: 'G000000001' }, 202],
		[{ invoiceId: 'G000000001', attributeSet: 'basic' }, 202],
		[{}, 400],
		[{ invoiceId: '' }, 400],
		[{ invoiceId: 42 }, 400],
		[{ invoiceId: 'G0000/0001' }, 400],
		[{ invoiceId: 'G000000001', attributeSet: 'all' }, 400],
		[{ invoiceId: 'G000000001', billingPeriod: 'current' }, 400],
		[{ invoiceId: 'G000000001', extra: true }, 400],
		[[], 400],
	];
	const unbilledCases: Array<[unknown, number]> = [
		[{ billingPeriod: 'current', currencyCode: 'USD' }, 202],
		[{ billingPeriod: 'last', currencyCode: 'EUR', attributeSet: 'basic' }, 202],
		[{ currencyCode: 'USD' }, 400],
		[{ billingPeriod: 'previous', currencyCode: 'USD' }, 400],
		[{ billingPeriod: 'current' }, 400],
		[{ billingPeriod: 'current', currencyCode: 'usd' }, 400],
		[{ billingPeriod: 'current', currencyCode: 'US' }, 400],
		[{ billingPeriod: 'current', currencyCode: 'USD', attributeSet: 'Full' }, 400],
		[{ billingPeriod: 'current', currencyCode: 'USD', invoiceId: 'G000000001' }, 400],
	];
	for (const kind of [
		'usage/billed',
		'reconciliation/billed',
		'usage/unbilled',
		'reconciliation/unbilled',
	]) {
		it(`validates ${kind}/export`, async () => {
			for (const [body, status] of kind.endsWith('unbilled') ? unbilledCases : billedCases) {
				const r = await api('POST', `${BILLING}/${kind}/export`, { body });
				expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), status]);
				if (status === 202) {
					expect(r.text).toBe('');
					expect(r.headers.get('location')).toMatch(
						new RegExp(`^${g.baseUrl.replace(/\./g, '\\.')}${BILLING}/operations/[0-9a-f-]{36}$`),
					);
				} else {
					expect(r.json.error.code).toBe('BadRequest');
					expect(typeof r.json.error.message).toBe('string');
				}
			}
			const nonJson = await api('POST', `${BILLING}/${kind}/export`, {
				rawBody: 'invoiceId=G000000001',
				contentType: 'text/plain',
			});
			expect(nonJson.status).toBe(415);
			const broken = await api('POST', `${BILLING}/${kind}/export`, {
				rawBody: '{"invoiceId":',
				contentType: 'application/json',
			});
			expect(broken.status).toBe(400);
			expect((await api('GET', `${BILLING}/${kind}/export`)).status).toBe(405);
		});
	}

	it('runs notStarted -> running -> succeeded with Retry-After', async () => {
		g.options.operationDelayMs = 1500;
		g.options.retryAfterSeconds = 1;
		const loc = await start('usage/billed', { invoiceId: 'G000000003', attributeSet: 'basic' });
		const seen: string[] = [];
		for (let i = 0; i < 10; i++) {
			const r = await api('GET', loc);
			expect(r.status).toBe(200);
			expect(r.headers.get('request-id')).toBeTruthy();
			seen.push(r.json.status);
			if (r.json.status === 'succeeded') {
				expect(r.headers.get('retry-after')).toBeNull();
				expect(r.json.resourceLocation.blobCount).toBe(r.json.resourceLocation.blobs.length);
				break;
			}
			expect(r.json['@odata.type']).toBe('#microsoft.graph.partners.billing.runningOperation');
			expect(r.headers.get('retry-after')).toBe('1');
			await sleep(1000);
		}
		expect(seen[0]).toBe('notStarted');
		expect(seen).toContain('running');
		expect(seen[seen.length - 1]).toBe('succeeded');
		expect(sb.violations).toEqual([]);
		// Polling sooner than Retry-After is a protocol violation.
		const loc2 = await start('usage/billed', { invoiceId: 'G000000003', attributeSet: 'basic' });
		await api('GET', loc2);
		await api('GET', loc2);
		expect(sb.violations.length).toBe(1);
		sb.violations.length = 0;
	});

	it('serves the manifest inline or behind a navigation link, and the completed alias', async () => {
		const inline = await manifestOf(
			await start('reconciliation/billed', { invoiceId: 'G000000001' }),
		);
		expect(inline).toMatchObject({
			schemaVersion: '2',
			dataFormat: 'compressedJSON',
			partitionType: 'default',
			partnerTenantId: g.tenantId,
		});
		g.options.manifestStyle = 'navigationLink';
		g.options.successStatus = 'completed';
		const r = await settle(await start('reconciliation/billed', { invoiceId: 'G000000001' }));
		expect(r.json.status).toBe('completed');
		expect(r.json.resourceLocation).toBeUndefined();
		const link = r.json['resourceLocation@odata.navigationLink'];
		expect(link).toMatch(new RegExp(`${BILLING}/manifests/`));
		const m = await api('GET', link);
		expect(m.status).toBe(200);
		expect(m.json.eTag).toBe(inline.eTag);
		expect(m.json.blobs).toEqual(inline.blobs);
		expect(await download(m.json)).toEqual(
			expectedLineItems(
				{ dataset: 'billedReconciliation', invoiceId: 'G000000001', attributeSet: 'full' },
				{ seed: 42 },
			),
		);
	});

	it('fails with 5000 for data that does not exist, and on failNextOperation', async () => {
		for (const [kind, body] of [
			['usage/billed', { invoiceId: 'G999999999' }],
			['reconciliation/unbilled', { billingPeriod: 'last', currencyCode: 'GBP' }],
		] as const) {
			const r = await settle(await start(kind, body));
			expect(r.json['@odata.type']).toBe('#microsoft.graph.partners.billing.failedOperation');
			expect(r.json.status).toBe('failed');
			expect(r.json.error).toEqual({ code: '5000', message: 'No data available' });
		}
		g.failNextOperation({ code: 'InternalError', message: 'boom' });
		const r = await settle(await start('usage/billed', { invoiceId: 'G000000001' }));
		expect(r.json.error).toEqual({ code: 'InternalError', message: 'boom' });
		const ok = await settle(await start('usage/billed', { invoiceId: 'G000000001' }));
		expect(ok.json.status).toBe('succeeded');
	});

	it('answers 410 Gone for expired operations and manifests', async () => {
		g.options.manifestStyle = 'navigationLink';
		const loc = await start('usage/billed', { invoiceId: 'G000000001' });
		const r = await settle(loc);
		const id = loc.split('/').pop()!;
		g.expireOperation(id);
		const gone = await api('GET', loc);
		expect(gone.status).toBe(410);
		expect(gone.json.error.innerError['request-id']).toBe(gone.headers.get('request-id'));
		expect((await api('GET', r.json['resourceLocation@odata.navigationLink'])).status).toBe(410);
		g.options.operationTtlMs = 150;
		const loc2 = await start('usage/billed', { invoiceId: 'G000000001' });
		await sleep(200);
		expect((await api('GET', loc2)).status).toBe(410);
		expect(
			(await api('GET', `${BILLING}/operations/00000000-0000-4000-8000-000000000000`)).status,
		).toBe(404);
	});

	it('keeps the eTag for unchanged data and changes it with touchData', async () => {
		const a = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		const b = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		expect(b.eTag).toBe(a.eTag);
		g.touchData('G000000001');
		const c = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		expect(c.eTag).not.toBe(a.eTag);
		const other = await manifestOf(await start('usage/billed', { invoiceId: 'G000000003' }));
		expect(other.eTag).not.toBe(a.eTag);
	});
});

describe('blobs', () => {
	it('need a valid SAS: fresh per read, 403 when expired or missing', async () => {
		const loc = await start('usage/billed', { invoiceId: 'G000000004' });
		const m = await manifestOf(loc);
		expect(m.sasToken).toBe(g.lastSasToken());
		expect(m.sasToken).toMatch(/(^|&)sp=rl(&|$)/);
		expect(m.sasToken).toMatch(/(^|&)sr=c(&|$)/);
		expect(m.blobCount).toBeGreaterThan(2);
		const partitions = new Map<string, number>();
		for (const b of m.blobs)
			partitions.set(b.partitionValue, (partitions.get(b.partitionValue) ?? 0) + 1);
		expect([...partitions.values()].some((n) => n > 1)).toBe(true);

		expect((await fetch(blobUrl(m, m.blobs[0].name))).status).toBe(200);
		expect((await fetch(blobUrl(m, m.blobs[0].name, null))).status).toBe(403);
		const tampered = String(m.sasToken).replace(/sig=[^&]+/, 'sig=AAAA');
		expect((await fetch(blobUrl(m, m.blobs[0].name, tampered))).status).toBe(403);

		g.options.sasTtlSeconds = -60;
		const expired = (await settle(loc)).json.resourceLocation;
		expect(expired.sasToken).not.toBe(m.sasToken);
		expect((await fetch(blobUrl(expired, expired.blobs[0].name))).status).toBe(403);
		g.options.sasTtlSeconds = 3600;
		const fresh = (await settle(loc)).json.resourceLocation;
		expect((await fetch(blobUrl(fresh, fresh.blobs[0].name))).status).toBe(200);
		// The SAS of one export does not open another export's container.
		const other = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		expect((await fetch(blobUrl(other, other.blobs[0].name, fresh.sasToken))).status).toBe(403);
		// Blob traffic goes through the sandbox's proxy, so it is logged (and faults apply to it).
		expect(
			sb.requests.some((request) => request.vendor === 'graph' && request.kind === 'blob'),
		).toBe(true);
	});

	const cases = [
		{
			dataset: 'billedUsage',
			path: 'usage/billed',
			body: { invoiceId: 'G000000002' },
			attributeSet: 'full',
		},
		{
			dataset: 'billedUsage',
			path: 'usage/billed',
			body: { invoiceId: 'G000000001', attributeSet: 'basic' },
			attributeSet: 'basic',
		},
		{
			dataset: 'billedReconciliation',
			path: 'reconciliation/billed',
			body: { invoiceId: 'G000000002', attributeSet: 'basic' },
			attributeSet: 'basic',
		},
		{
			dataset: 'unbilledUsage',
			path: 'usage/unbilled',
			body: { billingPeriod: 'last', currencyCode: 'USD' },
			attributeSet: 'full',
		},
		{
			dataset: 'unbilledReconciliation',
			path: 'reconciliation/unbilled',
			body: { billingPeriod: 'current', currencyCode: 'EUR', attributeSet: 'basic' },
			attributeSet: 'basic',
		},
	] as const;
	for (const c of cases) {
		it(`hold gzipped JSON Lines equal to expectedLineItems: ${c.path} ${JSON.stringify(c.body)}`, async () => {
			const m = await manifestOf(await start(c.path, c.body));
			const lines = await download(m);
			const expected = expectedLineItems(
				{ dataset: c.dataset, ...c.body, attributeSet: c.attributeSet } as Json,
				{ seed: 42 },
			);
			expect(lines.length).toBeGreaterThan(0);
			expect(lines).toEqual(expected);
			for (const k of Object.keys(lines[0])) expect(k[0]).toBe(k[0].toUpperCase());
		});
	}
});

describe('bench scale', () => {
	it('scaleLineItems streams exactly N usage lines into several blobs', async () => {
		g.options.scaleLineItems = 2500;
		g.options.linesPerBlob = 1000;
		const m = await manifestOf(
			await start('usage/unbilled', { billingPeriod: 'last', currencyCode: 'EUR' }),
		);
		expect(m.blobCount).toBe(3);
		expect(m.blobs.map((b: Json) => b.partitionValue)).toEqual(['1', '1', '2']);
		const lines = await download(m);
		expect(lines.length).toBe(2500);
		expect(lines).toEqual(
			expectedLineItems(
				{
					dataset: 'unbilledUsage',
					billingPeriod: 'last',
					currencyCode: 'EUR',
					attributeSet: 'full',
				},
				{ seed: 42, scaleLineItems: 2500 },
			),
		);
	});
});

describe('seeded data', () => {
	it('has a partner, >= 20 customers with several subscriptions, invoices from Sept 2023', () => {
		const ds = getDataset(42);
		expect(ds.customers.length).toBeGreaterThanOrEqual(20);
		expect(
			ds.customers.reduce((n, c) => n + c.azure.length + c.licenses.length, 0),
		).toBeGreaterThan(60);
		expect(ds.invoices.map((i) => i.invoiceId)).toEqual([
			'G000000001',
			'G000000002',
			'G000000003',
			'G000000004',
		]);
		expect(
			expectedLineItems({ dataset: 'billedUsage', invoiceId: 'G000000001' }, { seed: 42 }),
		).toEqual(expectedLineItems({ dataset: 'billedUsage', invoiceId: 'G000000001' }, { seed: 42 }));
		expect(
			expectedLineItems({ dataset: 'billedUsage', invoiceId: 'G000000001' }, { seed: 7 })[0]
				.CustomerId,
		).not.toBe(
			expectedLineItems({ dataset: 'billedUsage', invoiceId: 'G000000001' }, { seed: 42 })[0]
				.CustomerId,
		);
	});

	it('amounts are exact decimals with at most 6 fractional digits', () => {
		for (const inv of ['G000000001', 'G000000002']) {
			for (const l of expectedLineItems({ dataset: 'billedUsage', invoiceId: inv }, { seed: 42 })) {
				for (const k of ['UnitPrice', 'Quantity', 'BillingPreTaxTotal', 'PricingPreTaxTotal'])
					expect(String(l[k])).toMatch(/^\d+(\.\d{1,6})?$/);
				expect(micros(l.BillingPreTaxTotal as number)).toBe(
					micros(l.UnitPrice as number) * (l.Quantity as number),
				);
			}
		}
	});

	it('reconciliation agrees with billed usage per subscription except exactly the planted discrepancies (from the blobs)', async () => {
		for (const invoiceId of ['G000000001', 'G000000002', 'G000000003', 'G000000004']) {
			const usage = await download(await manifestOf(await start('usage/billed', { invoiceId })));
			const recon = await download(
				await manifestOf(
					await start('reconciliation/billed', { invoiceId, attributeSet: 'basic' }),
				),
			);
			type Sums = { q4: number; m: number; n: number };
			const by = new Map<string, { u: Sums; r: Sums; customerId: string }>();
			const get = (sub: string, customerId: string) => {
				let e = by.get(sub);
				if (!e)
					by.set(sub, (e = { u: { q4: 0, m: 0, n: 0 }, r: { q4: 0, m: 0, n: 0 }, customerId }));
				return e;
			};
			for (const l of usage) {
				const e = get(l.SubscriptionId, l.CustomerId);
				e.u.q4 += Math.round(l.Quantity * 4);
				e.u.m += micros(l.BillingPreTaxTotal);
				e.u.n++;
			}
			for (const l of recon) {
				if (l.ProductCategory !== 'Azure') continue; // license lines have no daily rated usage
				const e = get(l.SubscriptionId, l.CustomerId);
				e.r.q4 += Math.round(l.BillableQuantity * 4);
				e.r.m += micros(l.Subtotal);
				e.r.n++;
				expect(micros(l.Total)).toBe(micros(l.Subtotal) + micros(l.TaxTotal));
			}
			const found = [...by.entries()]
				.filter(([, e]) => e.u.q4 !== e.r.q4 || e.u.m !== e.r.m)
				.map(([sub, e]) => ({
					subscriptionId: sub,
					customerId: e.customerId,
					usage: { quantity: e.u.q4 / 4, billingPreTaxTotal: e.u.m / 1e6, lineCount: e.u.n },
					reconciliation: { billableQuantity: e.r.q4 / 4, subtotal: e.r.m / 1e6, lineCount: e.r.n },
				}))
				.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
			const planted = plantedDiscrepancies(invoiceId, { seed: 42 })
				.map(({ subscriptionId, customerId, usage: u, reconciliation: r }) => ({
					subscriptionId,
					customerId,
					usage: u,
					reconciliation: r,
				}))
				.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
			expect(planted.length).toBe(4);
			expect(found).toEqual(planted);
		}
		expect(plantedDiscrepancies('G999999999', { seed: 42 })).toEqual([]);
		expect(
			plantedDiscrepancies('G000000001', { seed: 42 })
				.map((d) => d.kind)
				.sort(),
		).toEqual([
			'missingInReconciliation',
			'missingInUsage',
			'quantityMismatch',
			'subtotalMismatch',
		]);
	});
});

describe('faults and lifecycle', () => {
	it('apply to Graph routes: 429 with Retry-After, 5xx, reset, slow, html', async () => {
		sb.addFault({
			vendor: 'graph',
			kind: 'api',
			method: 'POST',
			type: 'status',
			status: 429,
			retryAfter: 3,
		});
		const t = await api('POST', `${BILLING}/usage/billed/export`, {
			body: { invoiceId: 'G000000001' },
		});
		expect(t.status).toBe(429);
		expect(t.headers.get('retry-after')).toBe('3');
		expect(t.json.error.code).toBe('TooManyRequests');
		expect(t.headers.get('request-id')).toBe(t.json.error.innerError['request-id']);
		expect(g.operations.size).toBe(0); // not executed

		const loc = await start('usage/billed', { invoiceId: 'G000000001' });
		sb.addFault({ vendor: 'graph', path: `${BILLING}/operations/`, type: 'status', status: 503 });
		const u = await api('GET', loc);
		expect(u.status).toBe(503);
		expect(u.json.error.code).toBe('ServiceUnavailable');

		sb.addFault({ vendor: 'graph', path: /\/operations\//, type: 'html', status: 502 });
		const h = await api('GET', loc);
		expect(h.status).toBe(502);
		expect(h.headers.get('content-type')).toMatch(/text\/html/);

		sb.addFault({ vendor: 'graph', path: `${BILLING}/operations/`, type: 'reset' });
		await expect(
			fetch(loc, { headers: { authorization: `Bearer ${g.accessToken}` } }),
		).rejects.toThrow();

		sb.addFault({ vendor: 'graph', path: `${BILLING}/operations/`, type: 'slow', delayMs: 300 });
		const t0 = Date.now();
		expect((await api('GET', loc)).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(280);

		sb.addFault({ vendor: 'graph', kind: 'token', type: 'status', status: 500 });
		const tk = await token({
			client_id: g.clientId,
			client_secret: g.clientSecret,
			scope: 'https://graph.microsoft.com/.default',
			grant_type: 'client_credentials',
		});
		expect(tk.status).toBe(500);
		expect(tk.json.error).toBe('server_error');

		const logged = sb.requests.filter((e) => e.vendor === 'graph');
		expect(new Set(logged.map((e) => e.kind))).toEqual(new Set(['api', 'token']));
		expect(logged.filter((e) => e.fault).map((e) => e.fault)).toEqual([
			'status',
			'status',
			'html',
			'reset',
			'slow',
			'status',
		]);
	});

	it('reach blob storage: a status fault answers as Azure Storage does, XML and x-ms-error-code', async () => {
		const m = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		sb.addFault({ vendor: 'graph', kind: 'blob', type: 'status', status: 403 });
		const refused = await fetch(blobUrl(m, m.blobs[0].name));
		expect(refused.status).toBe(403);
		expect(refused.headers.get('x-ms-error-code')).toBe('AuthenticationFailed');
		expect(await refused.text()).toContain('<Code>AuthenticationFailed</Code>');
		expect((await fetch(blobUrl(m, m.blobs[0].name))).status).toBe(200);
	});

	it('truncate a blob: a complete answer whose gzip data ends early', async () => {
		const m = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		const whole = Buffer.from(await (await fetch(blobUrl(m, m.blobs[0].name))).arrayBuffer());
		sb.addFault({ vendor: 'graph', kind: 'blob', type: 'truncate', afterBytes: 1000 });
		const answer = await fetch(blobUrl(m, m.blobs[0].name));
		const short = Buffer.from(await answer.arrayBuffer());
		expect(answer.headers.get('content-length')).toBe('1000');
		expect(short.equals(whole.subarray(0, 1000))).toBe(true);
		expect(() => gunzipSync(short)).toThrow(/unexpected end of file/);
	});

	it('transform a blob: breakJsonLine leaves one line that is not JSON', async () => {
		const m = await manifestOf(await start('usage/billed', { invoiceId: 'G000000001' }));
		sb.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'transform',
			transform: (body) => breakJsonLine(body, 7),
		});
		const lines = gunzipSync(
			Buffer.from(await (await fetch(blobUrl(m, m.blobs[0].name))).arrayBuffer()),
		)
			.toString('utf8')
			.split('\n');
		expect(() => JSON.parse(lines[7])).toThrow();
		expect(
			lines
				.filter((line, index) => index !== 7 && line)
				.every((line) => typeof JSON.parse(line) === 'object'),
		).toBe(true);
	});

	it('stop() ends Azurite (no orphan process)', async () => {
		const pid = g.azurite.pid;
		expect(() => process.kill(pid, 0)).not.toThrow();
		await sb.stop();
		expect(g.azurite.running()).toBe(false);
		expect(() => process.kill(pid, 0)).toThrow();
	});
});
