import { connectWebexOAuth2, daysAgo, useWebex } from './setup';

const webex = useWebex();

describe('Webex report: get', () => {
	it('outputs the report without its signed URL unless asked', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const plain = await webex.run({ operation: 'get', reportId: report.id });
		expect(plain.json).toEqual([expect.objectContaining({ id: report.id, status: 'COMPLETED' })]);
		expect(plain.json[0]).not.toHaveProperty('tempDownloadURL');
		const withUrl = await webex.run({
			operation: 'get',
			reportId: report.id,
			options: { includeDownloadUrl: true },
		});
		expect(withUrl.json[0].tempDownloadURL).toMatch(/Expires=\d+&Signature=/);
	});

	it('turns an unknown report into a NodeApiError with the tracking ID', async () => {
		const { error } = await webex.run({
			operation: 'get',
			reportId: 'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JUL25vbmU',
		});
		expect((error as { httpCode?: string }).httpCode).toBe('404');
		expect(error?.description).toMatch(/Webex tracking ID: \S+/);
	});

	it('refuses a report ID that is a path or URL before any request', async () => {
		const { error } = await webex.run({ operation: 'get', reportId: '../reports?max=1' });
		expect(error?.message).toContain("'Report ID' must be a Webex report ID");
		expect(webex.sandbox.requests).toHaveLength(0);
	});

	it('carries on with the next item and pairs the error with its item when Continue on Fail is on', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const { items } = await webex.run(
			{ operation: 'get', reportId: '={{ $json.reportId }}' },
			{
				inputItems: [
					{ reportId: 'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JUL25vbmU' },
					{ reportId: report.id },
				],
				onError: 'continueRegularOutput',
			},
		);
		expect(items.map((item) => [Boolean(item.json.error), item.pairedItem])).toEqual([
			[true, { item: 0 }],
			[false, { item: 1 }],
		]);
		expect(items[0].json.message).toMatch(/Webex tracking ID: \S+/);
	});
});

describe('Webex report: Report ID', () => {
	const pickList = async (search: { filter?: string; paginationToken?: string } = {}) =>
		await webex.pack.searchList({
			nodeType: 'webexWholesaleBilling',
			parameterName: 'reportId',
			parameters: { authentication: 'accessToken', resource: 'report', operation: 'get' },
			credentials: webex.credentials(),
			...search,
		});

	it("lists the partner's reports From List, each named by type, period and status", async () => {
		const customer = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(60),
			billingEndDate: daysAgo(31),
			type: 'CUSTOMER',
		});
		const user = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
			type: 'USER',
			status: 'IN_PROGRESS',
		});
		const { results, paginationToken } = await pickList();
		expect(results).toEqual([
			{ name: `CUSTOMER ${daysAgo(60)} → ${daysAgo(31)} (COMPLETED)`, value: customer.id },
			{ name: `USER ${daysAgo(30)} → ${daysAgo(2)} (IN_PROGRESS)`, value: user.id },
		]);
		expect(paginationToken).toBeUndefined();
	});

	it("pages the list along Webex's Link header, one page per request", async () => {
		for (let index = 0; index < 130; index++) {
			webex.sandbox.webex.seedReport({
				billingStartDate: daysAgo(400 - index),
				billingEndDate: daysAgo(390 - index),
			});
		}
		const first = await pickList();
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toEqual(expect.any(String));
		const second = await pickList({ paginationToken: first.paginationToken as string });
		expect(second.results).toHaveLength(30);
		expect(second.paginationToken).toBeUndefined();
		expect(new Set([...first.results, ...second.results].map((result) => result.value)).size).toBe(
			130,
		);
		expect(webex.webexRequests()).toHaveLength(2);
	});

	it('searches the list by name or ID, whatever the case', async () => {
		webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(60),
			billingEndDate: daysAgo(31),
			type: 'CUSTOMER',
		});
		const user = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
			type: 'USER',
		});
		expect((await pickList({ filter: 'user' })).results.map((result) => result.value)).toEqual([
			user.id,
		]);
		expect(
			(await pickList({ filter: user.id.slice(-12).toLowerCase() })).results.map(
				(result) => result.value,
			),
		).toEqual([user.id]);
		expect((await pickList({ filter: 'FAILED' })).results).toEqual([]);
	});

	it('lists the reports with the OAuth2 credential when Authentication is OAuth2', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const credential = await connectWebexOAuth2(webex.sandbox);
		const { results } = await webex.pack.searchList({
			nodeType: 'webexWholesaleBilling',
			parameterName: 'reportId',
			parameters: { authentication: 'oAuth2', resource: 'report', operation: 'download' },
			credentials: { webexWholesaleOAuth2Api: credential },
		});
		expect(results.map((result) => result.value)).toEqual([report.id]);
	});

	it('takes the report From List, By ID, and as the plain text older workflows saved', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const fromList = await webex.run({
			operation: 'get',
			reportId: { __rl: true, mode: 'list', value: report.id, cachedResultName: 'PARTNER …' },
		});
		const byId = await webex.run(
			{ operation: 'get', reportId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
			{ inputItems: [{ id: report.id }] },
		);
		const saved = await webex.run({ operation: 'get', reportId: report.id });
		for (const run of [fromList, byId, saved]) {
			expect(run.error).toBeUndefined();
			expect(run.json).toEqual([expect.objectContaining({ id: report.id, status: 'COMPLETED' })]);
		}
	});

	it('deletes and downloads the report picked From List', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const picked = { __rl: true, mode: 'list', value: report.id };
		const download = await webex.run({
			operation: 'download',
			reportId: picked,
			outputMode: 'file',
		});
		expect(download.json[0]).toMatchObject({ reportId: report.id });
		const deleted = await webex.run({ operation: 'delete', reportId: picked });
		expect(deleted.json).toEqual([{ id: report.id, deleted: true }]);
	});

	it('has n8n refuse a By ID value that is no Webex ID before the workflow runs', async () => {
		await expect(
			webex.run({ operation: 'get', reportId: { __rl: true, mode: 'id', value: 'reports/1' } }),
		).rejects.toThrow('Not a Webex report ID: letters, digits, -, _, + and = only');
		expect(webex.sandbox.requests).toHaveLength(0);
	});
});

describe('Webex report: get many', () => {
	const seedReports = (count: number) => {
		for (let index = 0; index < count; index++) {
			webex.sandbox.webex.seedReport({
				billingStartDate: daysAgo(400 - index),
				billingEndDate: daysAgo(390 - index),
				type: index % 2 ? 'USER' : 'CUSTOMER',
			});
		}
	};
	const listRequests = () => webex.webexRequests().filter((request) => request.method === 'GET');

	it('follows the Link header across three pages with Return All, sending the query only once', async () => {
		seedReports(250);
		const { json } = await webex.run({ operation: 'getAll', returnAll: true });
		expect(json).toHaveLength(250);
		expect(new Set(json.map((report) => report.id)).size).toBe(250);
		const requests = listRequests();
		expect(requests).toHaveLength(3);
		expect(requests[0].query).toEqual({ max: '100' });
		expect(requests.slice(1).every((request) => request.query.cursor !== undefined)).toBe(true);
	});

	it('stops paging once the limit is reached', async () => {
		seedReports(250);
		const { json } = await webex.run({ operation: 'getAll', returnAll: false, limit: 120 });
		expect(json).toHaveLength(120);
		expect(listRequests()).toHaveLength(2);
	});

	it('asks for only as many as the limit when it is under a page', async () => {
		seedReports(30);
		const { json } = await webex.run({ operation: 'getAll', returnAll: false, limit: 7 });
		expect(json).toHaveLength(7);
		expect(listRequests()[0].query).toEqual({ max: '7' });
	});

	it('sends the filters with the names and values the API documents', async () => {
		seedReports(10);
		const { json } = await webex.run({
			operation: 'getAll',
			returnAll: true,
			filters: {
				reportType: 'USER',
				status: 'COMPLETED',
				sortBy: 'billingEndDate',
				billingStartDate: daysAgo(399),
			},
		});
		expect(listRequests()[0].query).toEqual({
			type: 'USER',
			status: 'COMPLETED',
			sortBy: 'billingEndDate',
			billingStartDate: daysAgo(399),
			max: '100',
		});
		expect(json).toEqual([
			expect.objectContaining({ billingStartDate: daysAgo(399), type: 'USER' }),
		]);
	});
});

describe('Webex report: delete', () => {
	it('deletes a finished report', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const { json } = await webex.run({ operation: 'delete', reportId: report.id });
		expect(json).toEqual([{ id: report.id, deleted: true }]);
		expect(webex.sandbox.webex.reports.has(report.id)).toBe(false);
	});

	it("passes on Webex's refusal to delete a report that is still generating", async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
			status: 'IN_PROGRESS',
		});
		const { error } = await webex.run({ operation: 'delete', reportId: report.id });
		expect(error?.message).toMatch(/^Webex: /);
		expect(webex.sandbox.webex.reports.has(report.id)).toBe(true);
	});
});

describe('Webex transport', () => {
	it('honours Retry-After in seconds on 429 before trying again', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		webex.sandbox.addFault({
			kind: 'api',
			method: 'GET',
			type: 'status',
			status: 429,
			retryAfter: 2,
		});
		const { json } = await webex.run({ operation: 'get', reportId: report.id });
		expect(json[0].id).toBe(report.id);
		const [limited, retried] = webex.webexRequests();
		expect(limited.status).toBe(429);
		expect(retried.at - limited.at).toBeGreaterThanOrEqual(2000);
		expect(retried.at - limited.at).toBeLessThan(2500);
	});

	it('honours Retry-After given as an HTTP date', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
		webex.sandbox.addFault({
			kind: 'api',
			type: 'status',
			status: 429,
			retryAfter: retryAt.toUTCString(),
		});
		await webex.run({ operation: 'get', reportId: report.id });
		const [, retried] = webex.webexRequests();
		expect(retried.at).toBeGreaterThanOrEqual(retryAt.getTime() - 5);
	});

	it('retries server errors and proxy error pages', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		webex.sandbox.addFault({ kind: 'api', type: 'status', status: 503, times: 2 });
		webex.sandbox.addFault({ kind: 'api', type: 'html' });
		const { json } = await webex.run({ operation: 'get', reportId: report.id });
		expect(json[0].id).toBe(report.id);
		expect(webex.webexRequests().map((request) => request.status)).toEqual([503, 503, 502, 200]);
	});

	it('retries a connection reset before the answer', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		webex.sandbox.addFault({ kind: 'api', type: 'reset' });
		const { json } = await webex.run({ operation: 'get', reportId: report.id });
		expect(json[0].id).toBe(report.id);
	});

	it('asks again when a read is answered 200 with a proxy page instead of JSON', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		webex.sandbox.addFault({ kind: 'api', method: 'GET', type: 'html', status: 200 });
		const { json, error } = await webex.run({ operation: 'get', reportId: report.id });
		expect(error).toBeUndefined();
		expect(json[0].id).toBe(report.id);
		expect(webex.webexRequests().map((request) => request.fault ?? request.status)).toEqual([
			'html',
			200,
		]);
	});

	it('names the empty answer it kept getting instead of waiting for a report status that never comes', async () => {
		const report = webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(30),
			billingEndDate: daysAgo(2),
		});
		webex.sandbox.addFault({
			kind: 'api',
			method: 'GET',
			type: 'empty',
			contentType: 'application/json',
			times: Infinity,
		});
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^The server answered HTTP 200 where JSON was expected, with an empty body \(application\/json\); gave up after \d+ attempt/,
		);
	});

	it('does not retry a client error', async () => {
		const { error } = await webex.run({
			operation: 'get',
			reportId: 'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JUL25vbmU',
		});
		expect(error).toBeDefined();
		expect(webex.webexRequests()).toHaveLength(1);
	});

	it('explains a wrong access token', async () => {
		const { error } = await webex.pack.executeNode({
			nodeType: 'webexWholesaleBilling',
			parameters: {
				authentication: 'accessToken',
				resource: 'report',
				operation: 'getAll',
				returnAll: true,
			},
			credentials: {
				webexWholesaleApi: { accessToken: 'wrong-token', baseUrl: webex.sandbox.webex.baseUrl },
			},
		});
		expect((error as { httpCode?: string }).httpCode).toBe('401');
		expect(error?.description).toContain('access token is missing, wrong or expired');
		expect(JSON.stringify(error)).not.toContain('wrong-token');
	});
});

describe('Webex credentials', () => {
	it('passes the access-token credential test with a valid token and fails it with a wrong one', async () => {
		const good = await webex.pack.testCredential('webexWholesaleApi', {
			accessToken: webex.sandbox.webex.accessToken,
			baseUrl: webex.sandbox.webex.baseUrl,
		});
		expect(good.status).toBe('OK');
		const bad = await webex.pack.testCredential('webexWholesaleApi', {
			accessToken: 'nope',
			baseUrl: webex.sandbox.webex.baseUrl,
		});
		expect(bad.status).toBe('Error');
	});

	it('says a refused access token is wrong or expired, not only "Unauthorized"', async () => {
		const bad = await webex.pack.testCredential('webexWholesaleApi', {
			accessToken: 'nope',
			baseUrl: webex.sandbox.webex.baseUrl,
		});
		expect(bad.message).toMatch(
			/^Webex refused the access token \(401\): it is wrong or has expired\./,
		);
	});

	it('uses an OAuth2 token and refreshes it when Webex says it expired', async () => {
		const { sandbox } = webex;
		const credential = await connectWebexOAuth2(sandbox);
		const oauthTokenData = credential.oauthTokenData;
		sandbox.webex.expireAccessTokens();
		await sandbox.reset();
		const { json, error, result } = await webex.pack.executeNode({
			nodeType: 'webexWholesaleBilling',
			parameters: {
				authentication: 'oAuth2',
				resource: 'report',
				operation: 'getAll',
				returnAll: true,
			},
			credentials: {
				webexWholesaleOAuth2Api: credential,
			} as never,
		});
		expect(error).toBeUndefined();
		expect(json).toEqual([]);
		expect(sandbox.requests.map((request) => `${request.kind} ${request.status}`)).toEqual([
			'api 401',
			'token 200',
			'api 200',
		]);
		expect(result.credentials.get('webexWholesaleOAuth2Api')?.oauthTokenData).not.toEqual(
			oauthTokenData,
		);
	});
});
