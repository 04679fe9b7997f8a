import { createHash } from 'node:crypto';

import { dropCsvField } from '../../sandbox/corrupt';
import { expectedReportRows } from '../../sandbox/webex/data';
import { daysAgo, useWebex } from './setup';

const webex = useWebex();

const period = { billingStartDate: daysAgo(31), billingEndDate: daysAgo(2) };
const days = 30;

function seedCustomerReport() {
	return webex.sandbox.webex.seedReport({ ...period, type: 'CUSTOMER' });
}

/** The reference roll-up, computed independently: QUANTITY is whole or half days, so sum halves. */
function expectedTotals(groupBy: string[]) {
	const totals = new Map<
		string,
		{ keys: Record<string, string>; halves: number; rowCount: number }
	>();
	for (const row of expectedReportRows(
		{ ...period, type: 'CUSTOMER' },
		{ seed: webex.sandbox.seed },
	)) {
		const key = groupBy.map((field) => row[field]).join('|');
		const total = totals.get(key) ?? {
			keys: Object.fromEntries(groupBy.map((field) => [field, row[field]])),
			halves: 0,
			rowCount: 0,
		};
		total.halves += Math.round(Number(row.QUANTITY) * 2);
		total.rowCount++;
		totals.set(key, total);
	}
	return [...totals.values()];
}

const sortByKey = <T extends Record<string, unknown>>(items: T[]) =>
	[...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('Webex report: download', () => {
	it('outputs one item per CSV row with the columns as Webex names them', async () => {
		const report = seedCustomerReport();
		const { json, error } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
		});
		expect(error).toBeUndefined();
		expect(json).toEqual(
			expectedReportRows({ ...period, type: 'CUSTOMER' }, { seed: webex.sandbox.seed }),
		);
		expect(json.length).toBeGreaterThan(50);
	});

	it('aggregates exact QUANTITY sums and row counts per customer and SKU', async () => {
		const report = seedCustomerReport();
		const { json } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'aggregate',
			groupBy: 'CUSTOMER_ORG_ID, SKU',
			sumFields: 'QUANTITY',
		});
		const expected = expectedTotals(['CUSTOMER_ORG_ID', 'SKU']).map((total) => ({
			...total.keys,
			QUANTITY: total.halves / 2,
			rowCount: total.rowCount,
		}));
		expect(sortByKey(json)).toEqual(sortByKey(expected));
		expect(new Set(json.map((group) => group.CUSTOMER_ORG_ID)).size).toBeGreaterThanOrEqual(50);
	});

	it('adds seats = ceil(QUANTITY ÷ days of the period) with the Ceil per Day rule', async () => {
		const report = seedCustomerReport();
		const { json } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'aggregate',
			groupBy: 'CUSTOMER_EXTERNAL_ID, SKU',
			sumFields: 'QUANTITY',
			seatRule: 'ceilPerDay',
		});
		const expected = expectedTotals(['CUSTOMER_EXTERNAL_ID', 'SKU']);
		const seatsByKey = new Map(
			json.map((group) => [`${group.CUSTOMER_EXTERNAL_ID}|${group.SKU}`, group.seats]),
		);
		for (const total of expected) {
			expect(seatsByKey.get(`${total.keys.CUSTOMER_EXTERNAL_ID}|${total.keys.SKU}`)).toBe(
				Math.ceil(total.halves / 2 / days),
			);
		}
	});

	it('refuses Ceil per Day without QUANTITY among the sum fields, before any request', async () => {
		const { error } = await webex.run({
			operation: 'download',
			reportId: seedCustomerReport().id,
			outputMode: 'aggregate',
			groupBy: 'SKU',
			sumFields: 'LICENSE_ID',
			seatRule: 'ceilPerDay',
		});
		expect(error?.message).toContain("needs QUANTITY among the 'Sum Fields'");
		expect(webex.sandbox.requests).toHaveLength(0);
	});

	it('names a group-by column the report does not have, and lists the ones it has', async () => {
		const { error } = await webex.run({
			operation: 'download',
			reportId: seedCustomerReport().id,
			outputMode: 'aggregate',
			groupBy: 'USER_ID',
			sumFields: 'QUANTITY',
		});
		expect(error?.message).toMatch(
			/Column 'USER_ID' named in 'Group By' is not in the file\. Its columns are: PARTNER_NAME, /,
		);
	});

	it('outputs the CSV byte for byte as binary, with its row count', async () => {
		const report = seedCustomerReport();
		const direct = Buffer.from(
			await (await fetch(webex.sandbox.webex.downloadUrl(report.id))).arrayBuffer(),
		);
		await webex.sandbox.reset();
		webex.sandbox.webex.reports.set(report.id, report);
		const { items, result } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
			binaryPropertyName: 'report',
		});
		const file = await result.binary(items[0], 'report');
		expect(sha256(file)).toBe(sha256(direct));
		expect(items[0].binary?.report).toMatchObject({
			mimeType: 'text/csv',
			fileName: `webex-customer-${period.billingStartDate}-${period.billingEndDate}.csv`,
		});
		expect(items[0].json).toEqual({
			reportId: report.id,
			...period,
			type: 'CUSTOMER',
			rowCount: expectedReportRows({ ...period, type: 'CUSTOMER' }, { seed: webex.sandbox.seed })
				.length,
		});
	});

	it('waits while the report is being generated', async () => {
		const created = await webex.run({ operation: 'create', ...period, reportType: 'PARTNER' });
		const { json } = await webex.run({
			operation: 'download',
			reportId: created.json[0].id,
			outputMode: 'rows',
		});
		expect(json.length).toBeGreaterThan(0);
	});

	it('fails at once on a report that is not ready when waiting is off', async () => {
		const report = webex.sandbox.webex.seedReport({ ...period, status: 'IN_PROGRESS' });
		const { error } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
			options: { waitForCompletion: false },
		});
		expect(error?.message).toContain('is not ready yet (status IN_PROGRESS)');
	});

	it('gives an identical result when the connection drops in the middle of the CSV', async () => {
		const report = seedCustomerReport();
		const parameters = {
			operation: 'download',
			reportId: report.id,
			outputMode: 'aggregate',
			groupBy: 'CUSTOMER_ORG_ID, SKU',
			sumFields: 'QUANTITY',
		};
		const clean = await webex.run(parameters);
		webex.sandbox.addFault({ kind: 'download', type: 'reset', afterBytes: 20_000 });
		const interrupted = await webex.run(parameters);
		expect(interrupted.error).toBeUndefined();
		expect(interrupted.json).toEqual(clean.json);
		expect(
			webex.sandbox.requests.filter(
				(request) => request.kind === 'download' && request.fault === 'reset',
			),
		).toHaveLength(1);
	});

	it('ends in a clear error and no rows when every download attempt drops', async () => {
		const report = seedCustomerReport();
		webex.sandbox.addFault({ kind: 'download', type: 'reset', afterBytes: 5_000, times: Infinity });
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
			options: { timeoutMinutes: 0.2 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/connection failed/i);
		expect(error?.message).not.toContain('Signature');
	});

	it('re-reads the report for a fresh URL when the signed URL has expired', async () => {
		webex.sandbox.webex.options.downloadUrlTtlSeconds = 61;
		const report = seedCustomerReport();
		webex.sandbox.addFault({
			kind: 'download',
			type: 'status',
			status: 403,
			body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
		});
		const { json, error } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
		});
		expect(error).toBeUndefined();
		expect(json.length).toBeGreaterThan(0);
		const kinds = webex.sandbox.requests.map((request) => `${request.kind} ${request.status}`);
		expect(kinds).toEqual(['api 200', 'download 403', 'api 200', 'download 200']);
	});

	it('re-reads the report before downloading when the URL expires within a minute', async () => {
		webex.sandbox.webex.options.downloadUrlTtlSeconds = 30;
		const report = seedCustomerReport();
		const { error } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
		});
		expect(error).toBeUndefined();
		expect(webex.sandbox.requests.map((request) => `${request.kind} ${request.status}`)).toEqual([
			'api 200',
			'api 200',
			'download 200',
		]);
	});

	it('stops waiting for a download host that answers later than the timeout', async () => {
		const report = seedCustomerReport();
		webex.sandbox.addFault({ kind: 'download', type: 'slow', delayMs: 20_000, times: Infinity });
		const started = Date.now();
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/timed out|the timeout passed/);
		expect(Date.now() - started).toBeLessThan(8000);
	});

	it('never saves a proxy page as the report file', async () => {
		const report = seedCustomerReport();
		webex.sandbox.addFault({ kind: 'download', type: 'html', status: 200, times: Infinity });
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^The storage host answered HTTP 200 with an HTML or XML page \(text\/html\)/,
		);
	});

	it('judges a download by its bytes, not its label: the CSV served as text/html is read whole', async () => {
		const report = seedCustomerReport();
		const clean = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		webex.sandbox.addFault({ kind: 'download', type: 'contentType', contentType: 'text/html' });
		const relabelled = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		expect(relabelled.error).toBeUndefined();
		expect(sha256(await relabelled.result.binary(relabelled.items[0]))).toBe(
			sha256(await clean.result.binary(clean.items[0])),
		);
	});

	it('gives a byte-identical file when the connection drops in the middle of the CSV', async () => {
		const report = seedCustomerReport();
		const clean = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		webex.sandbox.addFault({ kind: 'download', type: 'reset', afterBytes: 3_000 });
		const interrupted = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		expect(interrupted.error).toBeUndefined();
		expect(sha256(await interrupted.result.binary(interrupted.items[0]))).toBe(
			sha256(await clean.result.binary(clean.items[0])),
		);
	});

	it('ends in the CSV error in File mode when the file is malformed at its start, and nothing else fails later', async () => {
		const report = seedCustomerReport();
		webex.sandbox.addFault({
			kind: 'download',
			type: 'transform',
			transform: (body) => dropCsvField(body, 1),
		});
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'file',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/^The CSV file is malformed: Invalid Record Length/);
		// A stream destroyed with an error nobody listens to would crash the process about now.
		await new Promise((resolve) => setTimeout(resolve, 200));
	});

	it('reports a malformed CSV as an error naming the problem, never as fewer rows', async () => {
		const report = seedCustomerReport();
		webex.sandbox.addFault({
			kind: 'download',
			type: 'status',
			status: 200,
			body: 'A,B\r\n1,2\r\n"3,4\r\n',
		});
		const { error, items } = await webex.run({
			operation: 'download',
			reportId: report.id,
			outputMode: 'rows',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toContain('The CSV file is malformed');
	});
});

function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
}
