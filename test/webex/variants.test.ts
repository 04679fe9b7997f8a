import { connectWebexOAuth2, daysAgo, useWebex } from './setup';

const webex = useWebex();

const period = { billingStartDate: daysAgo(15), billingEndDate: daysAgo(2) };

describe('Webex answers the spec leaves open', () => {
	it('accepts 202 for a created report, as the docs also describe', async () => {
		webex.sandbox.webex.options.createStatus = 202;
		const { json, error } = await webex.run({
			operation: 'create',
			...period,
			options: { waitForCompletion: true },
		});
		expect(error).toBeUndefined();
		expect(json[0].status).toBe('COMPLETED');
	});

	it('treats a status other than COMPLETED or FAILED (REQUESTED, seen in the wild) as still running', async () => {
		webex.sandbox.webex.options.inProgressStatus = 'REQUESTED';
		const { json, error } = await webex.run({
			operation: 'create',
			...period,
			options: { waitForCompletion: true },
		});
		expect(error).toBeUndefined();
		expect(json[0].status).toBe('COMPLETED');
		expect(
			webex
				.webexRequests()
				.filter((request) => request.method === 'GET')
				.map((request) => request.status),
		).toEqual([200, 200]);
	});

	it("reads the report type from 'reportType' when Webex spells it so", async () => {
		webex.sandbox.webex.options.reportTypeField = 'reportType';
		const report = webex.sandbox.webex.seedReport({ ...period, type: 'PARTNER' });
		const { items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		expect(items[0].json.type).toBe('PARTNER');
		expect(items[0].binary?.data.fileName).toBe(
			`webex-partner-${period.billingStartDate}-${period.billingEndDate}.csv`,
		);
	});
});

describe('Webex report: get many filters', () => {
	it("lists only a sub-partner's reports ending on a date", async () => {
		const subPartnerOrgId = webex.sandbox.webex.dataset.subPartners[1].webexId;
		webex.sandbox.webex.seedReport({ ...period, subPartnerOrgId });
		webex.sandbox.webex.seedReport({ ...period });
		webex.sandbox.webex.seedReport({
			billingStartDate: daysAgo(15),
			billingEndDate: daysAgo(3),
			subPartnerOrgId,
		});
		const { json } = await webex.run({
			operation: 'getAll',
			returnAll: true,
			filters: { subPartnerOrgId, billingEndDate: period.billingEndDate },
		});
		expect(json).toHaveLength(1);
		expect(webex.webexRequests()[0].query).toEqual({
			subPartnerOrgId,
			billingEndDate: period.billingEndDate,
			max: '100',
		});
	});

	it('refuses a filter date that is not YYYY-MM-DD before any request', async () => {
		const { error } = await webex.run({
			operation: 'getAll',
			returnAll: true,
			filters: { billingStartDate: '01.10.2026' },
		});
		expect(error?.message).toBe(
			"'Billing Start Date' in Filters must be a date written as YYYY-MM-DD",
		);
		expect(webex.sandbox.requests).toHaveLength(0);
	});
});

describe('Webex OAuth2 credential', () => {
	it('passes its test with a connected token', async () => {
		const result = await webex.pack.testCredential(
			'webexWholesaleOAuth2Api',
			await connectWebexOAuth2(webex.sandbox),
		);
		expect(result.status).toBe('OK');
	});
});
