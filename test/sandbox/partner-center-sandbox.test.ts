/**
 * The Partner Center invoices of the Microsoft sandbox: the token for Partner Center, paging,
 * and invoices consistent with the Graph exports. Real HTTP on 127.0.0.1 with Node's fetch.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { expectedLineItems } from '../../sandbox/graph/data';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let sb: Sandbox;
let g: NonNullable<Sandbox['graph']>;

beforeAll(async () => {
	sb = await startSandbox({ seed: 42, graph: { operationDelayMs: 100, retryAfterSeconds: 0 } });
	g = sb.graph!;
}, 60_000);
afterAll(async () => await sb.stop());
beforeEach(() => sb.reset());
afterEach(() => expect(sb.violations).toEqual([]));

async function token(scope: string): Promise<string> {
	const response = await fetch(g.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: g.clientId,
			client_secret: g.clientSecret,
			scope,
		}),
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as Json).access_token as string;
}

const partnerCenterToken = async () =>
	await token('https://api.partnercenter.microsoft.com/.default');
const graphToken = async () => await token('https://graph.microsoft.com/.default');

async function get(
	url: string,
	accessToken: string,
): Promise<{ status: number; json: Json; headers: Headers }> {
	const response = await fetch(url, {
		headers: { authorization: `Bearer ${accessToken}`, 'MS-RequestId': 'req-1' },
	});
	return { status: response.status, json: await response.json(), headers: response.headers };
}

/** The exact sum of an invoice's reconciliation line items' Total, as a decimal string of micro-units. */
const lineTotalMicros = (invoiceId: string) =>
	expectedLineItems({ dataset: 'billedReconciliation', invoiceId }, { seed: 42 }).reduce(
		(sum, line) => sum + BigInt(Math.round(Number(line.Total) * 1e6)),
		0n,
	);

describe('Partner Center tokens', () => {
	it('serves invoices for a Partner Center token and refuses a Graph token', async () => {
		expect(
			(await get(`${g.partnerCenterBaseUrl}/invoices`, await partnerCenterToken())).status,
		).toBe(200);
		const refused = await get(`${g.partnerCenterBaseUrl}/invoices`, await graphToken());
		expect(refused.status).toBe(401);
		expect(refused.json.description).toMatch(/Invalid audience/);
	});

	it('Graph refuses a Partner Center token', async () => {
		const response = await get(`${g.baseUrl}/reports/partners/billing`, await partnerCenterToken());
		expect(response.status).toBe(401);
	});

	it('echoes MS-RequestId, as Microsoft support asks for it', async () => {
		expect(
			(await get(`${g.partnerCenterBaseUrl}/invoices`, await partnerCenterToken())).headers.get(
				'ms-requestid',
			),
		).toBe('req-1');
	});
});

describe('invoices', () => {
	it('lists the invoices the Graph exports know, a credit note, and an invoice in EUR', () => {
		const invoices = g.partnerCenterInvoices();
		expect(invoices.map((invoice) => invoice.id)).toEqual([
			'G000000001',
			'G000000002',
			'G000000003',
			'G000000005',
			'G000000004',
		]);
		expect(
			invoices.filter((invoice) => invoice.currencyCode === 'EUR').map((invoice) => invoice.id),
		).toEqual(['G000000002']);
		const creditNote = invoices.find((invoice) => invoice.documentType === 'Credit Note');
		expect(creditNote).toMatchObject({ id: 'G000000005', amendsOf: 'G000000003' });
		expect(creditNote!.totalCharges).toBeLessThan(0);
	});

	it.each(['G000000001', 'G000000002', 'G000000003'])(
		'totals %s exactly as its reconciliation line items',
		(invoiceId) => {
			const invoice = g.partnerCenterInvoices().find((candidate) => candidate.id === invoiceId)!;
			expect(BigInt(Math.round(invoice.totalCharges * 1e6))).toBe(lineTotalMicros(invoiceId));
		},
	);

	it('plants one total that differs from its line items: G000000004, by 25.00', () => {
		const invoice = g.partnerCenterInvoices().find((candidate) => candidate.id === 'G000000004')!;
		expect(BigInt(Math.round(invoice.totalCharges * 1e6)) - lineTotalMicros('G000000004')).toBe(
			25_000_000n,
		);
	});

	it('pages with links.next, at most invoicePageSize per page, oldest first', async () => {
		const accessToken = await partnerCenterToken();
		const first = await get(`${g.partnerCenterBaseUrl}/invoices?size=10`, accessToken);
		expect(first.json.totalCount).toBe(5);
		expect(first.json.items.map((invoice: Json) => invoice.id)).toEqual([
			'G000000001',
			'G000000002',
		]);
		expect(first.json.links.next).toEqual({
			uri: '/invoices?size=10&offset=2',
			method: 'GET',
			headers: [],
		});
		const second = await get(`${g.partnerCenterBaseUrl}${first.json.links.next.uri}`, accessToken);
		expect(second.json.items.map((invoice: Json) => invoice.id)).toEqual([
			'G000000003',
			'G000000005',
		]);
	});

	it('pages by offset alone when set to, announcing only totalCount', async () => {
		g.options.invoicePaging = 'offset';
		const page = await get(
			`${g.partnerCenterBaseUrl}/invoices?size=2&offset=4`,
			await partnerCenterToken(),
		);
		expect(page.json).toMatchObject({ totalCount: 5, links: {} });
		expect(page.json.items.map((invoice: Json) => invoice.id)).toEqual(['G000000004']);
	});

	it('leaves unissued invoices out, so that a newer one can appear', async () => {
		g.options.unissuedInvoices = ['G000000004'];
		const page = await get(
			`${g.partnerCenterBaseUrl}/invoices?size=2&offset=4`,
			await partnerCenterToken(),
		);
		expect(page.json.totalCount).toBe(4);
		expect(page.json.items).toEqual([]);
	});

	it('refuses Get by ID to an app-only token (documented as app+user only)', async () => {
		const response = await get(
			`${g.partnerCenterBaseUrl}/invoices/G000000004`,
			await partnerCenterToken(),
		);
		expect(response.status).toBe(403);
		expect(response.json.description).toMatch(/app\+user/);
	});

	it('answers Get by ID with a signed 30-minute PDF link when allowed', async () => {
		g.options.appOnlyGet = 'allow';
		const response = await get(
			`${g.partnerCenterBaseUrl}/invoices/G000000002`,
			await partnerCenterToken(),
		);
		expect(response.status).toBe(200);
		expect(response.json).toMatchObject({
			id: 'G000000002',
			currencyCode: 'EUR',
			documentType: 'Invoice',
		});
		expect(g.pdfLinks()).toEqual([response.json.pdfDownloadLink]);
		expect(response.json.pdfDownloadLink).toMatch(/[?&]sig=/);
	});
});
