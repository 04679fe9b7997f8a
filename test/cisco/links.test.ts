import { addUtcMonths, formatIsoDate, utcToday } from '../../nodes/shared/numbers/dates';
import { errorText, sharedStore, useCisco } from './setup';

const cisco = useCisco();
const CISCO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

const daysAgo = (days: number) => formatIsoDate(new Date(utcToday().getTime() - days * 86_400_000));
const sixMonthsAgo = () => addUtcMonths(utcToday(), -6);

describe('Get Download Links by invoice number', () => {
	it('sends 45 invoice numbers as requests of 20, 20 and 5 and outputs one item per invoice', async () => {
		const invoices = cisco.sandbox.cisco.invoices().slice(0, 45);
		const { json, error } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: invoices.map((invoice) => invoice.invoiceNumber).join(', '),
		});
		expect(error).toBeUndefined();
		const requests = cisco.ciscoRequests('api');
		expect(
			requests.map((request) => (request.body as { invoiceList: unknown[] }).invoiceList.length),
		).toEqual([20, 20, 5]);
		expect(json.map((item) => item.invoiceNumber)).toEqual(
			invoices.map((invoice) => invoice.invoiceNumber),
		);
		expect(json[0]).toEqual({
			invoiceNumber: invoices[0].invoiceNumber,
			invoiceDate: expect.any(String),
			usageUrl: expect.stringMatching(/^http:\/\/localhost:\d+\/cisco-files\//),
			expiresAt: expect.any(String),
			missingInvoices: [],
		});
	});

	it('builds every envelope as Cisco specifies: a fresh uuid, the CCO ID, Cisco timestamps, the BID as a number', async () => {
		const invoices = cisco.sandbox.cisco.invoices().slice(0, 25);
		await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: invoices.map((invoice) => invoice.invoiceNumber),
		});
		const bodies = cisco
			.ciscoRequests('api')
			.map((request) => request.body as Record<string, unknown>);
		expect(new Set(bodies.map((body) => body.uuid)).size).toBe(2);
		for (const body of bodies) {
			expect(body).toEqual({
				uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
				createdBy: cisco.sandbox.cisco.username,
				createdDateTime: expect.stringMatching(CISCO_TIME),
				billingAddressId: cisco.sandbox.cisco.billingAddressId,
				beginDate: expect.stringMatching(CISCO_TIME),
				endDate: expect.stringMatching(CISCO_TIME),
				pageNumber: 1,
				invoiceList: expect.any(Array),
			});
		}
		const sent = bodies.flatMap((body) => body.invoiceList as Array<{ invoiceNumber: unknown }>);
		expect(sent).toEqual(
			invoices.map((invoice) => ({ invoiceNumber: Number(invoice.invoiceNumber) })),
		);
	});

	it('reports requested invoices Cisco left out (another BID) on every item and in a hint', async () => {
		const own = cisco.sandbox.cisco
			.invoices()
			.slice(-3)
			.map((invoice) => invoice.invoiceNumber);
		const foreign = cisco.sandbox.cisco.otherBidInvoiceNumbers().slice(0, 2);
		const { json } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: [...own, ...foreign].join('\n'),
		});
		expect(json.map((item) => item.invoiceNumber)).toEqual(own);
		for (const item of json) expect(item.missingInvoices).toEqual(foreign);
	});

	it('fails when Cisco returns none of the requested invoices, pointing at the BID', async () => {
		const foreign = cisco.sandbox.cisco.otherBidInvoiceNumbers().slice(0, 2);
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: foreign.join(','),
		});
		expect(result.error?.message).toBe(
			`Cisco returned none of the 2 requested invoices (${foreign.join(', ')})`,
		);
		expect(errorText(result)).toContain('billing address ID');
	});

	it('refuses an invoice number that is not digits before any request', async () => {
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: '537602854, INV-1',
		});
		expect(result.error?.message).toBe(
			"'Invoice Numbers' holds 'INV-1', which is not an invoice number (digits only)",
		);
		expect(cisco.ciscoRequests()).toEqual([]);
	});
});

describe('Get Download Links by date range', () => {
	it('follows every page up to totalPage', async () => {
		const begin = formatIsoDate(sixMonthsAgo());
		const end = daysAgo(0);
		const inRange = cisco.sandbox.cisco
			.invoices()
			.filter((invoice) => invoice.invoiceDate >= begin && invoice.invoiceDate <= end);
		const { json, error } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: begin,
			endDate: end,
		});
		expect(error).toBeUndefined();
		const pages = cisco
			.ciscoRequests('api')
			.map((request) => (request.body as { pageNumber: number }).pageNumber);
		expect(pages).toEqual([1, 2, 3]);
		expect(json.map((item) => item.invoiceNumber).sort()).toEqual(
			inRange.map((invoice) => invoice.invoiceNumber).sort(),
		);
	});

	it('fails on an empty answer instead of reporting a range without invoices', async () => {
		cisco.sandbox.addFault({ vendor: 'cisco', kind: 'api', type: 'empty', times: Infinity });
		const { error, items } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: daysAgo(30),
			endDate: daysAgo(0),
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^The server answered HTTP 200 where JSON was expected, with an empty body; gave up/,
		);
	});

	it('fails on a page without its list of links instead of reporting a range without invoices', async () => {
		cisco.sandbox.addFault({
			vendor: 'cisco',
			kind: 'api',
			type: 'status',
			status: 200,
			body: { pageNumber: 1, totalPage: 1 },
		});
		const { error, items } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: daysAgo(30),
			endDate: daysAgo(0),
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toBe(
			'Cisco answered page 1 without its list of usage links (usageURLList)',
		);
	});

	it('refuses a begin date more than six months back before any request, naming the parameter', async () => {
		const tooOld = formatIsoDate(new Date(sixMonthsAgo().getTime() - 86_400_000));
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: tooOld,
			endDate: daysAgo(1),
		});
		expect(result.error?.message).toBe(
			`'Begin Date' reaches back more than six months: Cisco accepts ${formatIsoDate(sixMonthsAgo())} at the earliest`,
		);
		expect(cisco.ciscoRequests()).toEqual([]);
	});

	it('refuses a begin date after the end date before any request', async () => {
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: daysAgo(3),
			endDate: daysAgo(5),
		});
		expect(result.error?.message).toBe(
			`'Begin Date' (${daysAgo(3)}) is after 'End Date' (${daysAgo(5)})`,
		);
		expect(cisco.ciscoRequests()).toEqual([]);
	});

	it('refuses a begin date that is not a date', async () => {
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: 'last month',
			endDate: daysAgo(1),
		});
		expect(result.error?.message).toBe("'Begin Date' must be a date, for example 2026-10-01");
		expect(cisco.ciscoRequests()).toEqual([]);
	});
});

describe('Get Download Links by subscription', () => {
	it('asks usageBySubscription with a subscriptionList of {subscriptionId}', async () => {
		const subscription = cisco.sandbox.cisco.subscriptions()[0];
		const { json } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'subscriptionIds',
			subscriptionIds: subscription.subscriptionId,
		});
		const [request] = cisco.ciscoRequests('api');
		expect(request.path).toBe('/usageBySubscription');
		expect((request.body as Record<string, unknown>).subscriptionList).toEqual([
			{ subscriptionId: subscription.subscriptionId },
		]);
		expect(json.map((item) => item.invoiceNumber).sort()).toEqual(
			[...subscription.invoiceNumbers].sort(),
		);
	});

	it('names the list and id fields as the options say, for when Cisco spells them otherwise', async () => {
		Object.assign(cisco.sandbox.cisco.options, {
			subscriptionListField: 'subscriptions',
			subscriptionIdField: 'id',
		});
		const subscription = cisco.sandbox.cisco.subscriptions()[1];
		const { error } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'subscriptionIds',
			subscriptionIds: subscription.subscriptionId,
			options: { subscriptionListField: 'subscriptions', subscriptionIdField: 'id' },
		});
		expect(error).toBeUndefined();
		expect((cisco.ciscoRequests('api')[0].body as Record<string, unknown>).subscriptions).toEqual([
			{ id: subscription.subscriptionId },
		]);
	});
});

describe('Cisco credentials and errors', () => {
	it('fetches the token with the password grant', async () => {
		await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: cisco.sandbox.cisco.invoices()[0].invoiceNumber,
		});
		const [token] = cisco.ciscoRequests('token');
		expect(new URLSearchParams(String(token.body)).get('grant_type')).toBe('password');
		expect(new URLSearchParams(String(token.body)).get('username')).toBe(
			cisco.sandbox.cisco.username,
		);
	});

	it('asks the token endpoint again when it was only busy', async () => {
		cisco.sandbox.addFault({ vendor: 'cisco', kind: 'token', type: 'status', status: 503 });
		const invoice = cisco.sandbox.cisco.invoices()[0].invoiceNumber;
		const { json, error } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: invoice,
		});
		expect(error).toBeUndefined();
		expect(json.map((item) => item.invoiceNumber)).toEqual([invoice]);
		expect(cisco.ciscoRequests('token').map((request) => request.status)).toEqual([503, 200]);
	});

	it('blames a token endpoint that stays busy, not the credential', async () => {
		cisco.sandbox.addFault({
			vendor: 'cisco',
			kind: 'token',
			type: 'status',
			status: 503,
			times: Infinity,
		});
		const { error } = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: cisco.sandbox.cisco.invoices()[0].invoiceNumber,
			options: { timeoutMinutes: 0.05 },
		});
		expect(error?.message).toMatch(
			/^Cisco's token endpoint did not issue an access token: it is busy or failing \(temporarily_unavailable: HTTP 503 Service Unavailable\); gave up/,
		);
	});

	it('works with the client-credentials grant when Created By is set, and asks for it when not', async () => {
		const credential = cisco.credential({
			grantType: 'clientCredentials',
			username: '',
			password: '',
		});
		const parameters = {
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: cisco.sandbox.cisco.invoices()[0].invoiceNumber,
		};
		const without = await cisco.run(parameters, {
			credentials: { ciscoXaasBillingApi: credential } as never,
		});
		expect(without.error?.message).toBe(
			"Set 'Created By' in the options: Cisco needs the requester's CCO ID",
		);
		const withCreator = await cisco.run(
			{ ...parameters, options: { createdBy: 'billing-ops' } },
			{ credentials: { ciscoXaasBillingApi: credential } as never },
		);
		expect(withCreator.json).toHaveLength(1);
		const token = cisco.ciscoRequests('token').pop()!;
		expect(new URLSearchParams(String(token.body)).get('grant_type')).toBe('client_credentials');
		expect((cisco.ciscoRequests('api')[0].body as Record<string, unknown>).createdBy).toBe(
			'billing-ops',
		);
	});

	it('keeps the token between runs and fetches a new one after a 401', async () => {
		const store = sharedStore(cisco.credential());
		const parameters = {
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: cisco.sandbox.cisco.invoices()[0].invoiceNumber,
		};
		await cisco.run(parameters, { credentials: store });
		await cisco.run(parameters, { credentials: store });
		expect(cisco.ciscoRequests('token')).toHaveLength(1);
		cisco.sandbox.cisco.expireAccessTokens();
		const { json } = await cisco.run(parameters, { credentials: store });
		expect(json).toHaveLength(1);
		expect(
			cisco
				.ciscoRequests()
				.slice(-3)
				.map((request) => `${request.kind} ${request.status}`),
		).toEqual(['api 401', 'token 200', 'api 200']);
	});

	it("surfaces Cisco's error code and message with the request's uuid", async () => {
		const result = await cisco.run({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: cisco.sandbox.cisco.invoices()[0].invoiceNumber,
			billingAddressId: String(cisco.sandbox.cisco.otherBillingAddressId),
		});
		expect(result.error?.message).toBe(
			'Cisco: Given CCO ID is not associated with the BID (BILL_TO_ERROR)',
		);
		const uuid = (cisco.ciscoRequests('api')[0].body as { uuid: string }).uuid;
		expect(errorText(result)).toContain(`Request uuid: ${uuid}`);
	});

	it('passes the credential test with the sandbox credential and fails it with a wrong password or BID', async () => {
		expect(
			(await cisco.pack.testCredential('ciscoXaasBillingApi', cisco.credential())).status,
		).toBe('OK');
		const wrongPassword = await cisco.pack.testCredential(
			'ciscoXaasBillingApi',
			cisco.credential({ password: 'nope' }),
		);
		expect(wrongPassword.status).toBe('Error');
		const wrongBid = await cisco.pack.testCredential(
			'ciscoXaasBillingApi',
			cisco.credential({ billingAddressId: String(cisco.sandbox.cisco.otherBillingAddressId) }),
		);
		expect(wrongBid.status).toBe('Error');
	});

	it('never puts a token, secret or password into an error', async () => {
		const result = await cisco.run(
			{ operation: 'getDownloadLinks', requestBy: 'invoiceNumbers', invoiceNumbers: '1' },
			{
				credentials: {
					ciscoXaasBillingApi: cisco.credential({ password: 'wrong-password-sentinel' }),
				} as never,
			},
		);
		expect(result.error?.message).toContain('Cisco did not issue an access token');
		for (const secret of [...cisco.secrets(), 'wrong-password-sentinel'])
			expect(errorText(result)).not.toContain(secret);
	});
});
