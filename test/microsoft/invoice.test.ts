import type { IDataObject } from 'n8n-workflow';

import { connectMicrosoftDelegated, useGraph } from './setup';

const graph = useGraph();

const partnerCenterRequests = () =>
	graph.sandbox.requests.filter((request) => request.vendor === 'partnerCenter');
const tokenScopes = () =>
	graph.sandbox.requests
		.filter((request) => request.vendor === 'graph' && request.kind === 'token')
		.map((request) => new URLSearchParams(String(request.body ?? '')).get('scope'));

async function getMany(parameters: Record<string, unknown> = {}) {
	return await graph.run({
		resource: 'invoice',
		operation: 'getAll',
		returnAll: true,
		...parameters,
	});
}

describe('Microsoft invoices: get many', () => {
	it('lists every invoice and credit note newest first, over every page', async () => {
		const { json, error } = await getMany();
		expect(error).toBeUndefined();
		expect(json.map((invoice) => invoice.id)).toEqual([
			'G000000004',
			'G000000005',
			'G000000003',
			'G000000002',
			'G000000001',
		]);
		expect(partnerCenterRequests().length).toBeGreaterThanOrEqual(3);
	});

	it("outputs Partner Center's own fields", async () => {
		const { json } = await getMany({ returnAll: false, limit: 1 });
		const newest = graph.sandbox
			.graph!.partnerCenterInvoices()
			.find((invoice) => invoice.id === 'G000000004')!;
		expect(json).toEqual([expect.objectContaining({ ...newest, amendments: [] })]);
	});

	it('pages by offset and totalCount when Partner Center sends no next link', async () => {
		graph.sandbox.graph!.options.invoicePaging = 'offset';
		const { json } = await getMany();
		expect(json).toHaveLength(5);
		expect(partnerCenterRequests().map((request) => request.query.offset)).toEqual(['0', '2', '4']);
	});

	it('stops at Limit', async () => {
		const { json } = await getMany({ returnAll: false, limit: 2 });
		expect(json.map((invoice) => invoice.id)).toEqual(['G000000004', 'G000000005']);
	});

	it('filters by billing period and invoice type', async () => {
		const september = await getMany({
			filters: { periodStart: '2023-09-01', periodEnd: '2023-09-30' },
		});
		expect(september.json.map((invoice) => invoice.id)).toEqual(['G000000002', 'G000000001']);
		const oneTime = await getMany({ filters: { invoiceType: 'onetime' } });
		expect(oneTime.json.map((invoice) => invoice.id)).toEqual(['G000000005']);
	});

	it('asks Entra ID for a Partner Center token, and sends it only to Partner Center', async () => {
		await getMany();
		expect(tokenScopes()).toEqual(['https://api.partnercenter.microsoft.com/.default']);
		// The sandbox refuses a Graph token at Partner Center: a 200 proves the right token went there.
		expect(partnerCenterRequests().every((request) => request.status === 200)).toBe(true);
	});

	it('waits as long as Retry-After asks when Partner Center throttles', async () => {
		graph.sandbox.addFault({
			vendor: 'partnerCenter',
			kind: 'api',
			type: 'status',
			status: 429,
			retryAfter: 1,
			times: 1,
		});
		const started = Date.now();
		const { json, error } = await getMany();
		expect(error).toBeUndefined();
		expect(json).toHaveLength(5);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
	});

	it("fails with Partner Center's code, description and request ids", async () => {
		graph.sandbox.addFault({
			vendor: 'partnerCenter',
			kind: 'api',
			type: 'status',
			status: 400,
			times: 1,
		});
		const { error } = await getMany();
		expect(error?.message).toBe('Partner Center: HTTP 400 (code 400)');
		expect(error?.description).toMatch(
			/Quote MS-RequestId [0-9a-f-]{36} and MS-CorrelationId [0-9a-f-]{36}/,
		);
	});

	it('says which token Entra ID refused, without the secret', async () => {
		const { error } = await graph.run(
			{ resource: 'invoice', operation: 'getAll', returnAll: true },
			{
				credentials: {
					microsoftPartnerBillingOAuth2Api: {
						...graph.credentials().microsoftPartnerBillingOAuth2Api,
						clientSecret: 'wrong-secret',
					},
				} as never,
			},
		);
		expect(error?.message).toMatch(
			/^Microsoft Entra ID issued no token for Partner Center: AADSTS7000215/,
		);
		expect(JSON.stringify(error)).not.toContain('wrong-secret');
	});

	it('names Partner Center when its base URL is wrong, though Graph works with the same credential', async () => {
		const credential = graph.credentials().microsoftPartnerBillingOAuth2Api;
		const { error } = await graph.run(
			{ resource: 'invoice', operation: 'getAll', returnAll: true },
			{
				credentials: {
					microsoftPartnerBillingOAuth2Api: {
						...credential,
						partnerCenterBaseUrl: credential.graphBaseUrl,
					},
				} as never,
			},
		);
		expect(error?.message).toMatch(/^Partner Center: /);
		expect(error?.description).toMatch(
			/^Partner Center refused the token: .*Partner Center Base URL must be Partner Center's/,
		);
		const graphWorks = await graph.run({
			operation: 'start',
			dataset: 'billedReconciliation',
			invoiceId: 'G000000004',
			attributeSet: 'full',
		});
		expect(graphWorks.error).toBeUndefined();
	});

	it('refuses a bad filter before any request', async () => {
		const { error } = await getMany({ filters: { periodStart: '2023-13-01' } });
		expect(error?.message).toBe(
			"'Billing Period Start' in Filters must be a date written as YYYY-MM-DD",
		);
		expect(graph.sandbox.requests).toHaveLength(0);
	});
});

describe('Microsoft invoices: get', () => {
	it('reads one invoice without its signed PDF link', async () => {
		graph.sandbox.graph!.options.appOnlyGet = 'allow';
		const { json, error } = await graph.run({
			resource: 'invoice',
			operation: 'get',
			invoiceId: 'G000000002',
		});
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({
			id: 'G000000002',
			currencyCode: 'EUR',
			hasPdfDownloadLink: true,
		});
		expect(json[0]).not.toHaveProperty('pdfDownloadLink');
		const [link] = graph.sandbox.graph!.pdfLinks();
		expect(JSON.stringify(json)).not.toContain(new URL(link).searchParams.get('sig')!);
	});

	it('explains an app-only refusal and what to do instead', async () => {
		const { error } = await graph.run({
			resource: 'invoice',
			operation: 'get',
			invoiceId: 'G000000004',
		});
		expect(error?.message).toBe(
			'Partner Center refused to read invoice G000000004 with an app-only token: Microsoft documents Get Invoice for app+user tokens only',
		);
		expect(error?.description).toMatch(
			/^Use Get Many .* switch the credential's Grant Type to Authorization Code/,
		);
	});

	it('says when Partner Center has no such invoice', async () => {
		graph.sandbox.graph!.options.appOnlyGet = 'allow';
		const { error } = await graph.run({
			resource: 'invoice',
			operation: 'get',
			invoiceId: 'G999999999',
		});
		expect(error?.message).toBe('Partner Center: Invoice G999999999 was not found. (code 800002)');
	});

	it('refuses an invoice ID that is not one before any request', async () => {
		const { error } = await graph.run({
			resource: 'invoice',
			operation: 'get',
			invoiceId: 'invoices/G000000001',
		});
		expect(error?.message).toBe(
			"'Invoice ID' must be a Microsoft invoice number such as G012345678 (letters and digits)",
		);
		expect(graph.sandbox.requests).toHaveLength(0);
	});
});

describe('Microsoft invoices with the authorization-code grant', () => {
	const tokenForms = () =>
		graph.sandbox.requests
			.filter(
				(request) =>
					request.vendor === 'graph' && request.kind === 'token' && request.method === 'POST',
			)
			.map((request) => new URLSearchParams(String(request.body ?? '')));
	const delegated = async () => ({
		microsoftPartnerBillingOAuth2Api: await connectMicrosoftDelegated(graph.sandbox),
	});

	it("reads one invoice with a Partner Center token redeemed from the signed-in user's refresh token", async () => {
		const credentials = await delegated();
		const { json, error } = await graph.run(
			{ resource: 'invoice', operation: 'get', invoiceId: 'G000000004' },
			{ credentials: credentials as never },
		);
		// The sandbox refuses Get to an app-only token, as documented: a 200 proves the user's token went there.
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({ id: 'G000000004', hasPdfDownloadLink: true });
		const exchange = tokenForms().at(-1)!;
		expect(exchange.get('grant_type')).toBe('refresh_token');
		expect(exchange.get('refresh_token')).toBe(
			(credentials.microsoftPartnerBillingOAuth2Api.oauthTokenData as IDataObject).refresh_token,
		);
		expect(exchange.get('scope')?.split(' ')).toContain(
			'https://api.partnercenter.microsoft.com/.default',
		);
	});

	it("leaves the user's refresh token to n8n for the Graph calls after it", async () => {
		const credentials = await delegated();
		await graph.run(
			{ resource: 'invoice', operation: 'getAll', returnAll: true },
			{ credentials: credentials as never },
		);
		graph.sandbox.graph!.expireAccessTokens();
		const { error } = await graph.run(
			{
				operation: 'start',
				dataset: 'billedReconciliation',
				invoiceId: 'G000000004',
				attributeSet: 'full',
			},
			{ credentials: credentials as never },
		);
		expect(error).toBeUndefined();
		// n8n's OAuth2 refreshed the expired Graph token with the refresh token the invoice call had used.
		expect(tokenForms().map((form) => form.get('grant_type'))).toEqual([
			'authorization_code',
			'refresh_token',
			'refresh_token',
		]);
	});

	it('asks for a sign-in before any request when the credential has no user yet', async () => {
		const { oauthTokenData: _none, ...signedOut } = await connectMicrosoftDelegated(graph.sandbox);
		const requestsBefore = graph.sandbox.requests.length;
		const { error } = await graph.run(
			{ resource: 'invoice', operation: 'getAll', returnAll: true },
			{ credentials: { microsoftPartnerBillingOAuth2Api: signedOut } as never },
		);
		expect(error?.message).toBe(
			'The credential has no signed-in user yet, so no Partner Center token can be asked for',
		);
		expect(graph.sandbox.requests.length).toBe(requestsBefore);
	});
});

describe('Microsoft invoices: the memory of reconciled invoices', () => {
	// Each run is a fresh execution without static data, as on a queue-mode worker: only n8n's
	// deduplication store carries the marks. The same workflow ID: the same workflow.
	const newestInvoice = (
		workflowId: string,
		options: IDataObject = { skipReconciled: true },
		inputItems: IDataObject[] = [{}],
		filters: IDataObject = {},
	) =>
		graph.run(
			{
				resource: 'invoice',
				operation: 'getAll',
				returnAll: false,
				limit: 1,
				filters: { documentType: 'Invoice', ...filters },
				options,
			},
			{ workflowId, mode: 'trigger', inputItems: inputItems as never },
		);
	const markReconciled = (workflowId: string, invoiceId: string | string[]) =>
		graph.run(
			{ resource: 'invoice', operation: 'markReconciled', invoiceId: '={{ $json.invoiceId }}' },
			{
				workflowId,
				mode: 'trigger',
				inputItems: [invoiceId].flat().map((id) => ({ invoiceId: id })) as never,
			},
		);
	const ids = (result: { json: IDataObject[] }) => result.json.map((invoice) => invoice.id);

	it('outputs the newest invoice again and again until it is marked as reconciled', async () => {
		expect(ids(await newestInvoice('wf-invoices-unmarked'))).toEqual(['G000000004']);
		expect(ids(await newestInvoice('wf-invoices-unmarked'))).toEqual(['G000000004']);
	});

	it('outputs nothing once the newest invoice is marked, rather than an older one', async () => {
		await markReconciled('wf-invoices-marked', 'G000000004');
		const next = await newestInvoice('wf-invoices-marked');
		expect(next.error).toBeUndefined();
		expect(ids(next)).toEqual([]);
	});

	it('outputs a newer invoice when Partner Center issues one', async () => {
		graph.sandbox.graph!.options.unissuedInvoices = ['G000000004'];
		expect(ids(await newestInvoice('wf-invoices-newer'))).toEqual(['G000000003']);
		await markReconciled('wf-invoices-newer', 'G000000003');
		expect(ids(await newestInvoice('wf-invoices-newer'))).toEqual([]);
		graph.sandbox.graph!.options.unissuedInvoices = [];
		expect(ids(await newestInvoice('wf-invoices-newer'))).toEqual(['G000000004']);
	});

	it('leaves out every marked invoice of a longer list', async () => {
		await markReconciled('wf-invoices-list', ['G000000003', 'G000000001']);
		const all = await graph.run(
			{
				resource: 'invoice',
				operation: 'getAll',
				returnAll: true,
				options: { skipReconciled: true },
			},
			{ workflowId: 'wf-invoices-list', mode: 'trigger' },
		);
		expect(ids(all)).toEqual(['G000000004', 'G000000005', 'G000000002']);
	});

	it('says whether the invoice was marked before', async () => {
		expect((await markReconciled('wf-invoices-twice', 'G000000002')).json).toEqual([
			{ id: 'G000000002', reconciled: true, markedBefore: false },
		]);
		expect((await markReconciled('wf-invoices-twice', 'G000000002')).json).toEqual([
			{ id: 'G000000002', reconciled: true, markedBefore: true },
		]);
	});

	it('marks nothing when the node fails on one of its items', async () => {
		const failed = await markReconciled('wf-invoices-mark-failed', [
			'G000000004',
			'invoices/G000000003',
		]);
		expect(failed.error?.message).toBe(
			"'Invoice ID' must be a Microsoft invoice number such as G012345678 (letters and digits)",
		);
		expect(ids(await newestInvoice('wf-invoices-mark-failed'))).toEqual(['G000000004']);
	});

	it('sends nothing to Microsoft when marking', async () => {
		const requestsBefore = graph.sandbox.requests.length;
		await markReconciled('wf-invoices-offline', 'G000000004');
		expect(graph.sandbox.requests.length).toBe(requestsBefore);
	});

	it('neither reads nor skips marks when the option is off', async () => {
		await markReconciled('wf-invoices-off', 'G000000004');
		expect(ids(await newestInvoice('wf-invoices-off', {}))).toEqual(['G000000004']);
	});

	it('keeps workflows apart', async () => {
		await markReconciled('wf-invoices-one', 'G000000004');
		expect(ids(await newestInvoice('wf-invoices-other'))).toEqual(['G000000004']);
	});

	it('filters by document type: the credit note alone', async () => {
		const { json } = await getMany({ filters: { documentType: 'credit note' } });
		expect(json.map((invoice) => invoice.id)).toEqual(['G000000005']);
	});
});
