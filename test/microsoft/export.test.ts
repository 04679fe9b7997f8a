import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IDataObject } from 'n8n-workflow';

import { breakJsonLine } from '../../sandbox/corrupt';
import { expectedLineItems } from '../../sandbox/graph/data';
import { loadPack, type ExecuteNodeOptions } from '../harness';
import { useGraph } from './setup';

const graph = useGraph();

const invoiceId = () => graph.sandbox.graph!.dataset.invoices[0].invoiceId;

async function startBilled(dataset = 'billedReconciliation', attributeSet = 'full') {
	const { json, error } = await graph.run({
		operation: 'start',
		dataset,
		invoiceId: invoiceId(),
		attributeSet,
	});
	expect(error).toBeUndefined();
	return json[0];
}

describe('Microsoft export: start', () => {
	it('starts a billed export and outputs the operation with the request that made it', async () => {
		const started = await startBilled();
		expect(started).toEqual({
			operationId: expect.any(String),
			operationUrl: expect.stringContaining('/reports/partners/billing/operations/'),
			status: 'notStarted',
			dataset: 'billedReconciliation',
			invoiceId: invoiceId(),
			attributeSet: 'full',
		});
		const post = graph
			.graphRequests()
			.find((request) => request.method === 'POST' && request.kind === 'api');
		expect(post?.body).toEqual({ invoiceId: invoiceId(), attributeSet: 'full' });
	});

	it('sends billingPeriod and currencyCode for unbilled exports', async () => {
		const { json } = await graph.run({
			operation: 'start',
			dataset: 'unbilledUsage',
			billingPeriod: 'last',
			currencyCode: 'eur',
			attributeSet: 'basic',
		});
		expect(json[0]).toMatchObject({
			dataset: 'unbilledUsage',
			billingPeriod: 'last',
			currencyCode: 'EUR',
			attributeSet: 'basic',
		});
		const post = graph
			.graphRequests()
			.find((request) => request.method === 'POST' && request.kind === 'api');
		expect(post?.body).toEqual({
			billingPeriod: 'last',
			currencyCode: 'EUR',
			attributeSet: 'basic',
		});
	});

	it.each([
		[
			{ dataset: 'billedUsage', invoiceId: 'G 123' },
			"'Invoice ID' must be a Microsoft invoice number",
		],
		[
			{ dataset: 'unbilledUsage', billingPeriod: 'current', currencyCode: 'DOLLARS' },
			"'Currency Code' must be a three-letter ISO 4217 code",
		],
	])('refuses bad input before any request: %j', async (parameters, message) => {
		const { error } = await graph.run({ operation: 'start', attributeSet: 'full', ...parameters });
		expect(error?.message).toContain(message);
		expect(graph.graphRequests()).toHaveLength(0);
	});
});

describe('Microsoft export: get status', () => {
	it('reports the state without the SAS token', async () => {
		const started = await startBilled();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		await graph.sandbox.graph!.idle();
		const { json } = await graph.run({ operation: 'getStatus', operationId: started.operationId });
		expect(json[0]).toMatchObject({ status: 'succeeded', operationId: started.operationId });
		expect(JSON.stringify(json)).not.toContain(graph.sandbox.graph!.lastSasToken()!);
	});

	it('takes the operation By URL, By ID, and as the plain text older workflows saved', async () => {
		const started = await startBilled();
		// Read a finished export: polling a running one again before its Retry-After is a violation.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		await graph.sandbox.graph!.idle();
		const runs = [
			await graph.run({
				operation: 'getStatus',
				operationId: { __rl: true, mode: 'url', value: started.operationUrl },
			}),
			await graph.run({
				operation: 'getStatus',
				operationId: { __rl: true, mode: 'id', value: started.operationId },
			}),
			await graph.run({ operation: 'getStatus', operationId: started.operationId }),
		];
		for (const { json, error } of runs) {
			expect(error).toBeUndefined();
			expect(json[0]).toMatchObject({
				operationId: started.operationId,
				operationUrl: started.operationUrl,
			});
		}
	});

	it("reads the incoming item's operationUrl when Operation ID is left at its default", async () => {
		const started = await startBilled();
		const { json, error } = await graph.run({ operation: 'getStatus' }, { inputItems: [started] });
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({ operationId: started.operationId });
	});
});

describe('Microsoft export: download', () => {
	const exports = [
		'billedReconciliation',
		'billedUsage',
		'unbilledReconciliation',
		'unbilledUsage',
	].flatMap((dataset) => ['full', 'basic'].map((attributeSet) => [dataset, attributeSet]));

	it.each(exports)(
		'outputs every line item of a %s %s export, in blob order, with the manifest eTag',
		async (dataset, attributeSet) => {
			const billed = dataset.startsWith('billed');
			const request = billed
				? { invoiceId: invoiceId() }
				: { billingPeriod: 'last', currencyCode: 'USD' };
			const started = await graph.run({ operation: 'start', dataset, attributeSet, ...request });
			const { json, error } = await graph.run({
				operation: 'download',
				operationId: started.json[0].operationUrl,
				outputMode: 'lineItems',
			});
			expect(error).toBeUndefined();
			const expected = expectedLineItems(
				{ dataset: dataset as never, attributeSet: attributeSet as never, ...request },
				{ seed: graph.sandbox.seed },
			);
			expect(expected.length).toBeGreaterThan(0);
			expect(json.map(({ manifestETag: _eTag, ...item }) => item)).toEqual(expected);
			expect(new Set(json.map((item) => item.manifestETag))).toEqual(new Set([expect.any(String)]));
			expect(JSON.stringify(json)).not.toContain(graph.sandbox.graph!.lastSasToken()!);
		},
	);

	it('aggregates exact totals per customer and subscription', async () => {
		const started = await startBilled('billedReconciliation');
		const { json } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'customerid, SubscriptionId',
			sumFields: 'Total, BillableQuantity',
		});
		const expected = new Map<string, { total: number; quantity: number; rows: number }>();
		for (const item of expectedLineItems(
			{ dataset: 'billedReconciliation', invoiceId: invoiceId(), attributeSet: 'full' },
			{ seed: graph.sandbox.seed },
		)) {
			const key = `${item.CustomerId}|${item.SubscriptionId}`;
			const entry = expected.get(key) ?? { total: 0, quantity: 0, rows: 0 };
			entry.total += Math.round(Number(item.Total) * 1e6);
			entry.quantity += Math.round(Number(item.BillableQuantity) * 1e6);
			entry.rows++;
			expected.set(key, entry);
		}
		expect(json).toHaveLength(expected.size);
		for (const group of json) {
			const entry = expected.get(`${group.CustomerId}|${group.SubscriptionId}`)!;
			expect(group).toMatchObject({
				Total: entry.total / 1e6,
				BillableQuantity: entry.quantity / 1e6,
				rowCount: entry.rows,
			});
			expect(group.manifestETag).toEqual(expect.any(String));
		}
	});

	it('outputs one uncompressed JSON Lines file equal to the concatenated blobs', async () => {
		const started = await startBilled('billedUsage');
		const { items, result } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
			binaryPropertyName: 'export',
		});
		const text = (await result.binary(items[0], 'export')).toString('utf8');
		const expected = expectedLineItems(
			{ dataset: 'billedUsage', invoiceId: invoiceId(), attributeSet: 'full' },
			{ seed: graph.sandbox.seed },
		);
		expect(
			text
				.trimEnd()
				.split('\n')
				.map((line) => JSON.parse(line)),
		).toEqual(expected);
		expect(items[0].binary?.export.mimeType).toBe('application/x-ndjson');
		expect(text).not.toContain(graph.sandbox.graph!.lastSasToken()!);
		expect(items[0].json).toMatchObject({
			rowCount: expected.length,
			manifestETag: expect.any(String),
		});
	});

	it('gives a byte-identical file when the connection drops in the middle of a blob', async () => {
		const started = await startBilled('billedUsage');
		const parameters = {
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
		};
		const clean = await graph.run(parameters);
		const cleanText = await clean.result.binary(clean.items[0]);
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			method: 'GET',
			type: 'reset',
			afterBytes: 20_000,
		});
		const interrupted = await graph.run(parameters);
		expect(interrupted.error).toBeUndefined();
		expect(
			graph.sandbox.requests.filter(
				(request) => request.kind === 'blob' && request.fault === 'reset',
			),
		).toHaveLength(1);
		expect((await interrupted.result.binary(interrupted.items[0])).equals(cleanText)).toBe(true);
	});

	it('keeps resuming a blob whose connection drops again and again while it makes progress', async () => {
		const started = await startBilled('billedUsage');
		const parameters = {
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Quantity',
		};
		const clean = await graph.run(parameters);
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			method: 'GET',
			type: 'reset',
			afterBytes: 4_000,
			times: Infinity,
		});
		const interrupted = await graph.run(parameters);
		expect(interrupted.error).toBeUndefined();
		expect(interrupted.json).toEqual(clean.json);
		expect(
			graph.sandbox.requests.filter((request) => request.fault === 'reset').length,
		).toBeGreaterThan(10);
	});

	it('ends in a clear error, without the SAS, when storage drops every connection', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			method: 'GET',
			type: 'reset',
			afterBytes: 0,
			times: Infinity,
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Quantity',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^Azure Blob Storage could not be read for blob \S+\.json\.gz: The connection failed: the connection was reset; gave up after \d+ attempt/,
		);
		for (const sas of graph.sandbox.graph!.sasTokens())
			expect(JSON.stringify(error)).not.toContain(sas);
	});

	it('gives up on a blob that drops after every few bytes, after a bounded number of resumes', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			method: 'GET',
			type: 'reset',
			afterBytes: 100,
			times: Infinity,
		});
		const { error } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'lineItems',
			options: { concurrency: 1 },
		});
		expect(error?.message).toMatch(
			/^The connection to storage kept dropping while reading blob \S+ \(100 resumes\)$/,
		);
	});

	it('hangs up on a blob it stops reading when a File download fails part-way through it', async () => {
		const started = await startBilled('billedUsage');
		// The first blob broken on its first line, and far longer than the connection buffers:
		// most of it is still on its way when the download fails.
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'transform',
			transform: (blob) => Buffer.concat([breakJsonLine(blob, 0), Buffer.alloc(16 << 20)]),
		});
		const blobAnswers: ServerResponse[] = [];
		const observe = (request: IncomingMessage, answer: ServerResponse) => {
			if (request.url?.startsWith('/graph-blobs/')) blobAnswers.push(answer);
		};
		graph.sandbox.server.httpServer.on('request', observe);
		try {
			const { error } = await graph.run({
				operation: 'download',
				operationId: started.operationId,
				outputMode: 'file',
			});
			expect(error?.message).toMatch(/^Line 1 of blob \S+ is not valid JSON/);
			await new Promise((resolve) => setTimeout(resolve, 500));
			// Left open, the connection and the read would last until the node's timeout.
			expect(blobAnswers.map((answer) => answer.closed)).toEqual([true]);
		} finally {
			graph.sandbox.server.httpServer.off('request', observe);
		}
	});

	it('waits exactly as long as Retry-After asks while the export runs', async () => {
		graph.sandbox.graph!.options.operationDelayMs = 2500;
		graph.sandbox.graph!.options.retryAfterSeconds = 1;
		const started = await startBilled();
		await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Total',
		});
		const polls = graph
			.graphRequests()
			.filter((request) => request.method === 'GET' && request.path.includes('/operations/'));
		expect(polls.length).toBeGreaterThanOrEqual(3);
		for (let index = 1; index < polls.length; index++) {
			expect(polls[index].at - polls[index - 1].at).toBeGreaterThanOrEqual(1000);
			expect(polls[index].at - polls[index - 1].at).toBeLessThan(1400);
		}
	});

	it('reads the manifest behind its navigation link and accepts status completed', async () => {
		Object.assign(graph.sandbox.graph!.options, {
			manifestStyle: 'navigationLink',
			successStatus: 'completed',
		});
		const started = await startBilled();
		const { json, error } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Total',
		});
		expect(error).toBeUndefined();
		expect(json.length).toBeGreaterThan(0);
		expect(graph.graphRequests().some((request) => request.path.includes('/manifests/'))).toBe(
			true,
		);
	});

	it('refuses a manifest link to another host, so that the access token stays with Graph', async () => {
		Object.assign(graph.sandbox.graph!.options, { manifestStyle: 'navigationLink' });
		const started = await startBilled();
		const elsewhere = (body: Buffer) => {
			const operation = JSON.parse(body.toString()) as IDataObject;
			if (!operation['resourceLocation@odata.navigationLink']) return body;
			return Buffer.from(
				JSON.stringify({
					...operation,
					'resourceLocation@odata.navigationLink': 'https://graph.example.net/v1.0/manifests/1',
				}),
			);
		};
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'api',
			method: 'GET',
			path: /\/operations\//,
			type: 'transform',
			transform: elsewhere,
			times: Infinity,
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Total',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toBe(
			'Microsoft Graph returned a link to another host (graph.example.net); it was not followed so that the access token stays with Graph',
		);
		expect(graph.graphRequests().some((request) => request.path.includes('/manifests/'))).toBe(
			false,
		);
	});

	it('outputs nothing for code 5000 (no data), or fails with onNoData error', async () => {
		graph.sandbox.graph!.failNextOperation({ code: '5000', message: 'No data available' });
		const started = await startBilled();
		const empty = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'lineItems',
		});
		expect(empty.error).toBeUndefined();
		expect(empty.json).toEqual([]);
		const failing = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'lineItems',
			options: { onNoData: 'error' },
		});
		expect(failing.error?.message).toContain('code 5000');
	});

	it('raises a failed operation as an error that the error output can route', async () => {
		graph.sandbox.graph!.failNextOperation({ code: '4001', message: 'Invoice is being processed' });
		const started = await startBilled();
		const { outputs } = await graph.run(
			{ operation: 'download', operationId: started.operationId, outputMode: 'lineItems' },
			{ onError: 'continueErrorOutput' },
		);
		expect(outputs[0]).toHaveLength(0);
		expect(outputs[1][0].json).toMatchObject({
			error: 'Microsoft could not produce the export: Invoice is being processed (code 4001)',
			message: expect.stringContaining('failed with code 4001'),
		});
	});

	it('starts the export again on 410 from the request fields of the input item', async () => {
		const started = await startBilled();
		graph.sandbox.requests.length = 0;
		graph.sandbox.graph!.expireOperation(String(started.operationId));
		const { json, error } = await graph.run(
			{
				operation: 'download',
				operationId: '={{ $json.operationUrl }}',
				outputMode: 'aggregate',
				groupBy: 'CustomerId',
				sumFields: 'Total',
			},
			{ inputItems: [started] },
		);
		expect(error).toBeUndefined();
		expect(json.length).toBeGreaterThan(0);
		expect(
			graph
				.graphRequests()
				.filter((request) => request.method === 'POST' && request.kind === 'api'),
		).toHaveLength(1);
	});

	it('re-reads the operation for a fresh SAS when storage refuses an expired one', async () => {
		const sandboxGraph = graph.sandbox.graph!;
		const started = await startBilled();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		await sandboxGraph.idle();
		// The node's first read of the operation gets an expired SAS; every later one a valid one.
		sandboxGraph.options.sasTtlSeconds = -60;
		const handedOut = sandboxGraph.sasTokens().length;
		const watcher = setInterval(() => {
			if (sandboxGraph.sasTokens().length > handedOut) sandboxGraph.options.sasTtlSeconds = 3600;
		}, 1);
		const { json, error } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Total',
		});
		clearInterval(watcher);
		expect(error).toBeUndefined();
		expect(json.length).toBeGreaterThan(0);
		expect(sandboxGraph.sasTokens().length).toBe(handedOut + 2);
	});

	it('says the SAS had expired when storage refuses every fresh one', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.graph!.options.sasTtlSeconds = -60;
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^Azure Blob Storage answered HTTP 403 \(\w+\) for blob \S+: its SAS token had expired \(at \S+\), and 3 fresh SAS tokens from Microsoft were refused too; start the export again later$/,
		);
	});

	it('waits as Retry-After says when storage is busy, then reads the blob whole', async () => {
		const started = await startBilled('billedUsage');
		const parameters = {
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Quantity',
		};
		const clean = await graph.run(parameters);
		const busy = graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'status',
			status: 429,
			retryAfter: 1,
		});
		const gateway = graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'status',
			status: 502,
		});
		const retried = await graph.run(parameters);
		expect(retried.error).toBeUndefined();
		expect(retried.json).toEqual(clean.json);
		expect([busy.hits, gateway.hits]).toEqual([1, 1]);
		const blobs = graph.sandbox.requests.filter((request) => request.kind === 'blob');
		const limited = blobs.find((request) => request.status === 429)!;
		const next = blobs.find((request) => request.at > limited.at && request.path === limited.path)!;
		expect(next.at - limited.at).toBeGreaterThanOrEqual(1000);
	});

	it('says a blob is empty instead of summing nothing', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'transform',
			transform: () => Buffer.alloc(0),
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Quantity',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/^blob \S+ is empty: it holds no gzip data$/);
	});

	it("ends in the first failing blob's error in File mode, and nothing else fails later", async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'status',
			status: 404,
			times: Infinity,
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^Azure Blob Storage answered HTTP 404 \(BlobNotFound\) for blob /,
		);
		// A stream destroyed with an error nobody listens to would crash the process about now.
		await new Promise((resolve) => setTimeout(resolve, 200));
	});

	it('stops the other blob reads when one blob fails, leaving nothing running after the node ends', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({ vendor: 'graph', kind: 'blob', type: 'status', status: 404 });
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'status',
			status: 503,
			retryAfter: 1,
		});
		const { error } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'aggregate',
			groupBy: 'CustomerId',
			sumFields: 'Quantity',
		});
		const ended = Date.now();
		expect(error?.message).toMatch(/answered HTTP 404/);
		// The 503 asked for a retry in 1 s: a read left running would send it then.
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(
			graph.sandbox.requests.filter(
				(request) => request.kind === 'blob' && request.at > ended + 500,
			),
		).toEqual([]);
	});

	it('says a page from something in front of storage came instead of the blob', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'html',
			status: 200,
			times: Infinity,
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^The answer for blob \S+ did not come from Azure Blob Storage \(it has no ETag\): a proxy, firewall or sign-in page may be in the way$/,
		);
	});

	it('says a proxy page came instead of the operation rather than waiting for a status that never comes', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'api',
			method: 'GET',
			type: 'html',
			status: 200,
			times: Infinity,
		});
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(
			/^The server answered HTTP 200 where JSON was expected, with an HTML page \(text\/html\): a proxy, firewall or sign-in page may be in the way; gave up/,
		);
	});

	it('stops reading a blob that storage answers later than the timeout', async () => {
		const started = await startBilled('billedUsage');
		graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'slow',
			delayMs: 20_000,
			times: Infinity,
		});
		const begun = Date.now();
		const { error, items } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'file',
			options: { timeoutMinutes: 0.05 },
		});
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/^Reading blob \S+ from Azure Blob Storage timed out/);
		expect(Date.now() - begun).toBeLessThan(8000);
	});

	it('never puts the SAS token in an error', async () => {
		graph.sandbox.graph!.options.sasTtlSeconds = -60;
		const started = await startBilled();
		const { error } = await graph.run({
			operation: 'download',
			operationId: started.operationId,
			outputMode: 'lineItems',
			options: { timeoutMinutes: 0.2 },
		});
		expect(error).toBeDefined();
		for (const sas of graph.sandbox.graph!.sasTokens()) {
			expect(
				JSON.stringify({ message: error?.message, description: error?.description }),
			).not.toContain(sas);
		}
	});
});

describe('Microsoft export: skipping unchanged exports', () => {
	// Every run is a fresh WorkflowExecute given no static data, as a queue-mode worker runs a
	// new trigger execution: only n8n's deduplication store (in the harness, its stand-in for
	// n8n's database) can carry what the node saw. Runs with the same workflow ID are runs of
	// the same saved workflow.
	const download = (
		workflowId: string,
		inputItems: IDataObject[],
		options: Partial<ExecuteNodeOptions> = {},
		skipUnchanged = true,
	) =>
		graph.run(
			{
				operation: 'download',
				operationId: '={{ $json.operationUrl }}',
				outputMode: 'aggregate',
				groupBy: 'CustomerId',
				sumFields: 'Quantity',
				options: { skipUnchanged },
			},
			{ inputItems: inputItems as never, workflowId, mode: 'trigger', ...options },
		);
	const blobReads = () => graph.graphRequests().filter((request) => request.kind === 'blob').length;

	it('outputs nothing when this node already downloaded the export with the same manifest eTag, and everything again after the data changed', async () => {
		const first = await download('wf-unchanged', [await startBilled()]);
		expect(first.json.length).toBeGreaterThan(0);
		expect(first.result.staticData).toEqual({});
		const readsBefore = blobReads();
		const unchanged = await download('wf-unchanged', [await startBilled()]);
		expect(unchanged.error).toBeUndefined();
		expect(unchanged.json).toEqual([]);
		expect(blobReads()).toBe(readsBefore);
		graph.sandbox.graph!.touchData(invoiceId());
		const changed = await download('wf-unchanged', [await startBilled()]);
		expect(changed.json.length).toBe(first.json.length);
		expect(changed.json[0].manifestETag).not.toBe(first.json[0].manifestETag);
	});

	it('remembers on another queue-mode worker: a fresh module registry, no static data', async () => {
		const otherWorker = await loadPack({ isolateModules: true });
		await download('wf-workers', [await startBilled()]);
		const onOtherWorker = await otherWorker.executeNode({
			nodeType: 'microsoftPartnerBilling',
			parameters: {
				resource: 'export',
				operation: 'download',
				operationId: '={{ $json.operationUrl }}',
				outputMode: 'file',
				options: { skipUnchanged: true },
			},
			inputItems: [await startBilled()] as never,
			credentials: graph.credentials() as never,
			workflowId: 'wf-workers',
			mode: 'trigger',
		});
		expect(onOtherWorker.error).toBeUndefined();
		expect(onOtherWorker.json).toEqual([]);
	}, 60_000);

	it('keeps the eTags of different exports apart', async () => {
		await download('wf-apart', [await startBilled('billedReconciliation')]);
		const usage = await download('wf-apart', [await startBilled('billedUsage')]);
		expect(usage.json.length).toBeGreaterThan(0);
	});

	it('keeps workflows apart: another workflow downloads the same export too', async () => {
		await download('wf-one', [await startBilled()]);
		const other = await download('wf-other', [await startBilled()]);
		expect(other.json.length).toBeGreaterThan(0);
	});

	it('does not remember a download that failed: the next run downloads it again', async () => {
		const fault = graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'blob',
			type: 'transform',
			transform: (body) => breakJsonLine(body, 3),
		});
		const failed = await download('wf-failed', [await startBilled()]);
		expect(fault.hits).toBe(1);
		expect(failed.error?.message).toMatch(/not valid JSON/);
		const retried = await download('wf-failed', [await startBilled()]);
		expect(retried.error).toBeUndefined();
		expect(retried.json.length).toBeGreaterThan(0);
		expect((await download('wf-failed', [await startBilled()])).json).toEqual([]);
	});

	it("remembers nothing when a later item's error stops the node: its output never left it", async () => {
		const started = await startBilled();
		const stopped = await download('wf-stopped', [started, { operationUrl: 'no-such-operation' }]);
		expect(stopped.error?.message).toMatch(/not found/i);
		const next = await download('wf-stopped', [await startBilled()]);
		expect(next.json.length).toBeGreaterThan(0);
	});

	it('with Continue on Fail, remembers the exports that got through and not the one that failed', async () => {
		const usage = await download(
			'wf-continue',
			[await startBilled(), { operationUrl: 'no-such-operation' }],
			{ onError: 'continueRegularOutput' },
		);
		expect(usage.json.at(-1)).toEqual(
			expect.objectContaining({ error: expect.stringMatching(/not found/i) }),
		);
		expect((await download('wf-continue', [await startBilled()])).json).toEqual([]);
	});

	it('remembers nothing when the execution is stopped, even for an export that got through', async () => {
		const [done, stalled] = [await startBilled(), await startBilled('billedUsage')];
		const stall = graph.sandbox.addFault({
			vendor: 'graph',
			kind: 'api',
			method: 'GET',
			path: new RegExp(stalled.operationId as string),
			type: 'slow',
			delayMs: 20_000,
			times: Infinity,
		});
		const stop = new AbortController();
		const stopped = download('wf-stop', [done, stalled], {
			onError: 'continueRegularOutput',
			signal: stop.signal,
		});
		while (!stall.hits) await new Promise((resolve) => setTimeout(resolve, 20));
		stop.abort();
		expect((await stopped).result.status).toBe('canceled');
		graph.sandbox.clearFaults();
		expect((await download('wf-stop', [await startBilled()])).json.length).toBeGreaterThan(0);
	});

	it('neither reads nor remembers anything with the option off', async () => {
		await download('wf-off', [await startBilled()], {}, false);
		expect((await download('wf-off', [await startBilled()])).json.length).toBeGreaterThan(0);
		expect(
			(await download('wf-off', [await startBilled()], {}, false)).json.length,
		).toBeGreaterThan(0);
	});
});

describe('Microsoft token endpoint', () => {
	it('names a refused client secret instead of a connection failure', async () => {
		const credentials = graph.credentials();
		const wrong = {
			...credentials.microsoftPartnerBillingOAuth2Api,
			clientSecret: 'not-the-client-secret',
		};
		const { error } = await graph.run(
			{ operation: 'start', dataset: 'billedUsage', invoiceId: invoiceId(), attributeSet: 'full' },
			{ credentials: { microsoftPartnerBillingOAuth2Api: wrong } as never },
		);
		expect(error?.message).toMatch(
			/^Failed to acquire OAuth2 access token: .+\. Check the credential\.$/,
		);
		expect(JSON.stringify(error)).not.toContain('not-the-client-secret');
		expect(graph.graphRequests().filter((request) => request.kind === 'token')).toHaveLength(1);
	});

	it('is asked again when it was only busy', async () => {
		graph.sandbox.addFault({ vendor: 'graph', kind: 'token', type: 'status', status: 503 });
		const started = await startBilled();
		expect(started.status).toBe('notStarted');
		expect(
			graph
				.graphRequests()
				.filter((request) => request.kind === 'token')
				.map((request) => request.status),
		).toEqual([503, 200]);
	});
});

describe('Microsoft Partner Billing credential', () => {
	it('passes its test with the right client secret, fetching a client-credentials token', async () => {
		const result = await graph.pack.testCredential(
			'microsoftPartnerBillingOAuth2Api',
			graph.credentials().microsoftPartnerBillingOAuth2Api,
		);
		expect(result).toMatchObject({ status: 'OK' });
		expect(graph.graphRequests().map((request) => `${request.kind} ${request.status}`)).toEqual([
			'token 200',
			'api 200',
		]);
	});

	it('says Microsoft Graph refused the app, and that Partner Center is not part of the test', async () => {
		graph.sandbox.addFault({ vendor: 'graph', kind: 'api', type: 'status', status: 403, times: 1 });
		const result = await graph.pack.testCredential(
			'microsoftPartnerBillingOAuth2Api',
			graph.credentials().microsoftPartnerBillingOAuth2Api,
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/^Microsoft Graph: the app may not read partner billing \(403\)\. Grant it PartnerBilling\.Read\.All/,
		);
		expect(result.message).toContain(
			'Partner Center is not part of this test: the first Invoice run checks it.',
		);
	});

	it('fails its test with a wrong client secret', async () => {
		const result = await graph.pack.testCredential('microsoftPartnerBillingOAuth2Api', {
			...graph.credentials().microsoftPartnerBillingOAuth2Api,
			clientSecret: 'wrong-secret',
		});
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('wrong-secret');
	});
});
