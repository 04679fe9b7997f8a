import { daysAgo, lastMonth, useWebex } from './setup';

const webex = useWebex();

describe('Webex report: create', () => {
	it("creates last month's report from the default dates and outputs the new report", async () => {
		const { json, error } = await webex.run({ operation: 'create', reportType: 'CUSTOMER' });
		expect(error).toBeUndefined();
		const { start, end } = lastMonth();
		expect(json).toEqual([
			expect.objectContaining({
				billingStartDate: start,
				billingEndDate: end,
				type: 'CUSTOMER',
				id: expect.any(String),
			}),
		]);
		const [post] = webex.webexRequests();
		expect(post).toMatchObject({
			method: 'POST',
			body: { billingStartDate: start, billingEndDate: end, type: 'CUSTOMER' },
		});
	});

	it('sends the sub-partner and internal options as body fields', async () => {
		const subPartnerOrgId = webex.sandbox.webex.dataset.subPartners[0].webexId;
		await webex.run({
			operation: 'create',
			billingStartDate: daysAgo(10),
			billingEndDate: daysAgo(3),
			reportType: 'USER',
			options: { subPartnerOrgId, internal: true },
		});
		expect(webex.webexRequests()[0].body).toEqual({
			billingStartDate: daysAgo(10),
			billingEndDate: daysAgo(3),
			type: 'USER',
			subPartnerOrgId,
			internal: true,
		});
	});

	it.each([
		[
			'a date that is not YYYY-MM-DD',
			'2026/10/01',
			daysAgo(2),
			"'Billing Start Date' must be a date written as YYYY-MM-DD",
		],
		[
			'an impossible date',
			'2025-02-30',
			daysAgo(2),
			"'Billing Start Date' must be a date written as YYYY-MM-DD",
		],
		['today', daysAgo(5), daysAgo(0), "'Billing End Date' must not be today"],
		['a future date', daysAgo(5), daysAgo(-3), "'Billing End Date' must not be in the future"],
		[
			'a start more than five years ago',
			daysAgo(5 * 366 + 2),
			daysAgo(2),
			"'Billing Start Date' must not be more than five years ago",
		],
		[
			'a start after the end',
			daysAgo(2),
			daysAgo(5),
			"'Billing Start Date' (" + daysAgo(2) + ") must not be after 'Billing End Date'",
		],
	])(
		'refuses %s before sending any request',
		async (_rule, billingStartDate, billingEndDate, message) => {
			const { error } = await webex.run({ operation: 'create', billingStartDate, billingEndDate });
			expect(error?.message).toContain(message);
			expect(webex.sandbox.requests).toHaveLength(0);
		},
	);

	it('waits for completion and outputs the COMPLETED report without its signed URL', async () => {
		const { json } = await webex.run({
			operation: 'create',
			billingStartDate: daysAgo(9),
			billingEndDate: daysAgo(2),
			options: { waitForCompletion: true },
		});
		expect(json[0]).toMatchObject({ status: 'COMPLETED', billingStartDate: daysAgo(9) });
		expect(json[0]).not.toHaveProperty('tempDownloadURL');
		expect(JSON.stringify(json)).not.toContain('Signature=');
	});

	it('outputs the signed URL when Include Download URL is on', async () => {
		const { json } = await webex.run({
			operation: 'create',
			billingStartDate: daysAgo(9),
			billingEndDate: daysAgo(2),
			options: { waitForCompletion: true, includeDownloadUrl: true },
		});
		expect(json[0].tempDownloadURL).toContain('Signature=');
	});

	it('fails with a timeout that says what to do when the report takes longer than the timeout', async () => {
		webex.sandbox.webex.options.reportDelayMs = 60 * 60_000;
		const started = Date.now();
		const { error } = await webex.run({
			operation: 'create',
			billingStartDate: daysAgo(9),
			billingEndDate: daysAgo(2),
			options: { waitForCompletion: true, timeoutMinutes: 0.05 },
		});
		expect(error?.message).toMatch(/was still IN_PROGRESS after \d+ s \(Timeout: 0.05 min\)/);
		expect(error?.description).toContain('Timeout (Minutes)');
		expect(Date.now() - started).toBeLessThan(6000);
	});

	it("surfaces a failed report's errors[]", async () => {
		webex.sandbox.webex.failNextReport([
			{ code: 2031, description: 'Billing data unavailable for the period' },
		]);
		const { error } = await webex.run({
			operation: 'create',
			billingStartDate: daysAgo(9),
			billingEndDate: daysAgo(2),
			options: { waitForCompletion: true },
		});
		expect(error?.message).toMatch(/could not generate report .* \(status FAILED\)/);
		expect(error?.description).toContain('2031: Billing data unavailable for the period');
	});

	it('stops waiting at once when the execution is cancelled', async () => {
		webex.sandbox.webex.options.reportDelayMs = 60 * 60_000;
		const execution = webex.pack.runWorkflow({
			workflow: singleNodeWorkflow({
				operation: 'create',
				billingStartDate: daysAgo(9),
				billingEndDate: daysAgo(2),
				options: { waitForCompletion: true },
			}),
			credentials: webex.credentials() as never,
		});
		await execution.nodeStarted('Webex');
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const cancelledAt = Date.now();
		execution.cancel();
		const result = await execution.done;
		expect(Date.now() - cancelledAt).toBeLessThan(1000);
		expect(result.status).toBe('canceled');
	});

	describe('when a report for the period already exists', () => {
		const period = {
			billingStartDate: daysAgo(20),
			billingEndDate: daysAgo(11),
			reportType: 'CUSTOMER',
		};
		const seed = () =>
			webex.sandbox.webex.seedReport({
				billingStartDate: period.billingStartDate,
				billingEndDate: period.billingEndDate,
				type: 'CUSTOMER',
			});

		it('fails by default with Webex message, tracking ID and a hint', async () => {
			seed();
			const { error } = await webex.run({ operation: 'create', ...period });
			expect(error?.message).toMatch(/^Webex: /);
			expect(error?.description).toMatch(/Webex tracking ID: \S+/);
			expect(error?.description).toContain('"If a Report Exists" option');
			expect((error as { httpCode?: string }).httpCode).toBe('409');
		});

		it('reuses it with ifExists reuse, creating nothing', async () => {
			const existing = seed();
			const { json } = await webex.run({
				operation: 'create',
				...period,
				options: { ifExists: 'reuse' },
			});
			expect(json).toEqual([expect.objectContaining({ id: existing.id, status: 'COMPLETED' })]);
			expect(webex.sandbox.webex.reports.size).toBe(1);
		});

		it('is idempotent with ifExists reuse: two runs, one report', async () => {
			const first = await webex.run({
				operation: 'create',
				...period,
				options: { ifExists: 'reuse' },
			});
			const second = await webex.run({
				operation: 'create',
				...period,
				options: { ifExists: 'reuse' },
			});
			expect(second.json[0].id).toBe(first.json[0].id);
			expect(webex.sandbox.webex.reports.size).toBe(1);
		});

		it('deletes it and creates a new one with ifExists recreate, waiting for an in-progress one first', async () => {
			const first = await webex.run({ operation: 'create', ...period });
			const { json } = await webex.run({
				operation: 'create',
				...period,
				options: { ifExists: 'recreate' },
			});
			expect(json[0].id).not.toBe(first.json[0].id);
			expect([...webex.sandbox.webex.reports.keys()]).toEqual([json[0].id]);
			expect(
				webex
					.webexRequests()
					.some((request) => request.method === 'DELETE' && request.status === 204),
			).toBe(true);
		});
	});
});

function singleNodeWorkflow(parameters: Record<string, unknown>) {
	return {
		nodes: [
			{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			{
				name: 'Webex',
				type: 'n8n-nodes-billing-reconciliation.webexWholesaleBilling',
				typeVersion: 1,
				parameters: { authentication: 'accessToken', resource: 'report', ...parameters },
			},
		],
		connections: { Start: { main: [[{ node: 'Webex', type: 'main' as const, index: 0 }]] } },
	};
}
