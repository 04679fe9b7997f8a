/**
 * Tests of the test harness itself, against a small fixture community package
 * (test/fixtures/fixture-package) and a local HTTP server.
 */
import { createHash, createHmac } from 'node:crypto';
import {
	cpSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	unlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PackageDirectoryLoader } from 'n8n-core';

import { FIXTURE_SECRETS, startFixtureServer, type FixtureServer } from './fixtures/fixture-server';
import {
	CredentialStore,
	PackageLoadError,
	loadPackage,
	type LoadedPackage,
	type WorkflowJson,
} from './harness';

const FIXTURE_DIR = path.join(__dirname, 'fixtures', 'fixture-package');
const FIXTURE = 'n8n-nodes-harness-fixture';

let pack: LoadedPackage;
let server: FixtureServer;

beforeAll(async () => {
	[pack, server] = await Promise.all([loadPackage(FIXTURE_DIR), startFixtureServer()]);
});

afterAll(async () => {
	await server.close();
});

const headerCredentials = () => ({
	fixtureHeaderApi: { apiKey: FIXTURE_SECRETS.apiKey, tenant: 'acme', baseUrl: server.url },
});
const expiringTokenCredentials = (password: string = FIXTURE_SECRETS.password) => ({
	baseUrl: server.url,
	username: FIXTURE_SECRETS.username,
	password,
});
const oauth2Credentials = (clientSecret: string = FIXTURE_SECRETS.clientSecret) => ({
	baseUrl: server.url,
	clientId: FIXTURE_SECRETS.clientId,
	clientSecret,
});

describe('loadPackage', () => {
	it('loads the package through n8n-core’s PackageDirectoryLoader, naming node types <package>.<node>', () => {
		expect(pack.loader).toBeInstanceOf(PackageDirectoryLoader);
		expect(pack.packageName).toBe(FIXTURE);
		expect(Object.keys(pack.nodeTypes.getKnownTypes()).sort()).toEqual([
			'n8n-nodes-base.manualTrigger',
			'n8n-nodes-base.noOp',
			'n8n-nodes-base.set',
			`${FIXTURE}.controlProbe`,
			`${FIXTURE}.httpProbe`,
		]);
		expect(pack.nodeType('httpProbe')).toBe(`${FIXTURE}.httpProbe`);
		expect(pack.nodeTypes.getByNameAndVersion(`${FIXTURE}.httpProbe`).description.displayName).toBe(
			'HTTP Probe',
		);
	});

	it('registers credential types, with n8n-nodes-base providing parents like oAuth2Api', () => {
		expect(pack.credentialTypes.recognizes('fixtureHeaderApi')).toBe(true);
		expect(pack.credentialTypes.getParentTypes('fixtureClientCredentialsOAuth2Api')).toEqual([
			'oAuth2Api',
		]);
		expect(pack.credentialTypes.getSupportedNodes('fixtureHeaderApi')).toEqual([
			`${FIXTURE}.httpProbe`,
		]);
	});

	it('makes further n8n-nodes-base nodes available only when named', () => {
		expect(() => pack.nodeTypes.getByName('n8n-nodes-base.if')).toThrow(
			"Name it in extraNodes: ['n8n-nodes-base.if']",
		);
		const withIf = pack.nodeTypes.withNodes(['n8n-nodes-base.if']);
		expect(withIf.getByNameAndVersion('n8n-nodes-base.if', 2).description.name).toBe('if');
		expect(() => pack.nodeTypes.withNodes(['n8n-nodes-base.iff'])).toThrow(
			'has no node "n8n-nodes-base.iff"',
		);
	});

	describe('fails with a clear message where n8n would skip or break', () => {
		const tempDirs: string[] = [];
		afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

		/** A throwaway copy of the fixture package, broken by `breakIt`. */
		const brokenCopy = (breakIt: (dir: string) => void) => {
			const dir = mkdtempSync(path.join(tmpdir(), 'harness-fixture-'));
			tempDirs.push(dir);
			cpSync(FIXTURE_DIR, dir, { recursive: true });
			// Let the copy require n8n-workflow like an installed package would.
			symlinkSync(
				path.resolve(__dirname, '..', 'node_modules'),
				path.join(dir, 'node_modules'),
				'dir',
			);
			breakIt(dir);
			return dir;
		};
		const editPackageJson = (
			dir: string,
			edit: (json: { n8n: Record<string, string[]> }) => void,
		) => {
			const file = path.join(dir, 'package.json');
			const json = JSON.parse(readFileSync(file, 'utf8')) as { n8n: Record<string, string[]> };
			edit(json);
			writeFileSync(file, JSON.stringify(json));
		};

		it('a path in the n8n section that does not exist', async () => {
			const dir = brokenCopy((d) =>
				editPackageJson(d, (json) => {
					json.n8n.nodes[0] = 'dist/nodes/HttpProbe/HtpProbe.node.js';
				}),
			);
			await expect(loadPackage(dir)).rejects.toThrow(
				'n8n.nodes[0] "dist/nodes/HttpProbe/HtpProbe.node.js" does not exist',
			);
		});

		it('a missing dist file (package not built)', async () => {
			const dir = brokenCopy((d) =>
				rmSync(path.join(d, 'dist', 'credentials'), { recursive: true }),
			);
			const error = await loadPackage(dir).catch((e: PackageLoadError) => e);
			expect(error).toBeInstanceOf(PackageLoadError);
			expect((error as PackageLoadError).problems).toHaveLength(4);
			expect((error as PackageLoadError).message).toContain(
				'n8n.credentials[0] "dist/credentials/FixtureHeaderApi.credentials.js" does not exist (dist/credentials/ does not exist either — was the package built?)',
			);
		});

		it('a node icon that does not resolve to a file', async () => {
			const dir = brokenCopy((d) =>
				unlinkSync(path.join(d, 'dist/nodes/ControlProbe/controlProbe.dark.svg')),
			);
			await expect(loadPackage(dir)).rejects.toThrow(
				`node "${FIXTURE}.controlProbe" icon "dist/nodes/ControlProbe/controlProbe.dark.svg" does not exist`,
			);
		});

		it('a credential icon that does not resolve to a file', async () => {
			const dir = brokenCopy((d) => unlinkSync(path.join(d, 'dist/credentials/fixture.svg')));
			await expect(loadPackage(dir)).rejects.toThrow(
				'credential "fixtureHeaderApi" icon "dist/credentials/fixture.svg" does not exist',
			);
		});

		it('a file that exports no class named after it', async () => {
			const dir = brokenCopy((d) => {
				const file = path.join(d, 'dist/nodes/HttpProbe/HttpProbe.node.js');
				writeFileSync(
					file,
					readFileSync(file, 'utf8').replace('exports.HttpProbe =', 'exports.HttpProbeNode ='),
				);
			});
			await expect(loadPackage(dir)).rejects.toThrow(
				'exports no class "HttpProbe" (n8n instantiates the export named after the file); it exports: HttpProbeNode',
			);
		});

		it('a package.json without an n8n section', async () => {
			const dir = brokenCopy((d) =>
				editPackageJson(d, (json) => {
					delete (json as { n8n?: unknown }).n8n;
				}),
			);
			await expect(loadPackage(dir)).rejects.toThrow('package.json has no "n8n" section');
		});
	});
});

describe('credentials', () => {
	it('applies a generic authenticate (headers and query string from ={{$credentials}} expressions)', async () => {
		const { json } = await pack.executeNode({
			nodeType: 'httpProbe',
			parameters: { authentication: 'headerApi', url: `${server.url}/echo` },
			credentials: headerCredentials(),
		});
		expect(json[0].response).toMatchObject({
			headers: { 'x-api-key': FIXTURE_SECRETS.apiKey },
			query: { tenant: 'acme' },
		});
	});

	it('applies a function authenticate', async () => {
		const url = `${server.url}/protected`;
		const { json, error } = await pack.executeNode({
			nodeType: 'httpProbe',
			parameters: { authentication: 'functionApi', url },
			credentials: {
				fixtureFunctionApi: { keyId: FIXTURE_SECRETS.keyId, secret: FIXTURE_SECRETS.signingSecret },
			},
		});
		expect(error).toBeUndefined();
		expect(json[0].response).toMatchObject({
			via: 'signature',
			headers: {
				'x-signature': createHmac('sha256', FIXTURE_SECRETS.signingSecret)
					.update(url)
					.digest('hex'),
			},
		});
	});

	it('preAuthentication fetches the expirable token once, reuses it across runs, and refetches after a 401', async () => {
		const credentials = new CredentialStore({
			fixtureExpiringTokenApi: expiringTokenCredentials(),
		});
		const probe = {
			nodeType: 'httpProbe',
			parameters: { authentication: 'expiringTokenApi', url: `${server.url}/protected`, repeat: 3 },
			credentials,
		};
		const sessionsBefore = server.sessionRequests;

		const first = await pack.executeNode(probe);
		expect(first.json[0]).toMatchObject({ responseCount: 3, response: { via: 'bearer' } });
		expect(server.sessionRequests - sessionsBefore).toBe(1);
		expect(credentials.get('fixtureExpiringTokenApi').sessionToken).toMatch(/^session-/);

		await pack.executeNode(probe);
		expect(server.sessionRequests - sessionsBefore).toBe(1);

		server.revokeTokens();
		const afterExpiry = await pack.executeNode(probe);
		expect(afterExpiry.error).toBeUndefined();
		expect(afterExpiry.json[0].response).toMatchObject({ via: 'bearer' });
		expect(server.sessionRequests - sessionsBefore).toBe(2);
		expect(credentials.count('preAuthentication', 'fixtureExpiringTokenApi')).toBe(2);
	});

	it('OAuth2 client credentials: n8n-core fetches a token from the token URL and sends it as Bearer', async () => {
		const credentials = new CredentialStore({
			fixtureClientCredentialsOAuth2Api: oauth2Credentials(),
		});
		const probe = {
			nodeType: 'httpProbe',
			parameters: { authentication: 'clientCredentialsOAuth2Api', url: `${server.url}/protected` },
			credentials,
		};
		const tokensBefore = server.tokenRequests.length;

		const first = await pack.executeNode(probe);
		expect(first.error).toBeUndefined();
		expect(server.tokenRequests.slice(tokensBefore)).toEqual([
			{ grantType: 'client_credentials', scope: 'probe.read', clientId: FIXTURE_SECRETS.clientId },
		]);
		const { access_token } = credentials.get('fixtureClientCredentialsOAuth2Api')
			.oauthTokenData as {
			access_token: string;
		};
		expect(first.json[0].response).toMatchObject({
			via: 'bearer',
			headers: { authorization: `Bearer ${access_token}` },
		});

		await pack.executeNode(probe);
		expect(server.tokenRequests.length - tokensBefore).toBe(1);

		server.revokeTokens();
		const afterExpiry = await pack.executeNode(probe);
		expect(afterExpiry.error).toBeUndefined();
		expect(server.tokenRequests.length - tokensBefore).toBe(2);
		expect(credentials.count('oauthTokenData', 'fixtureClientCredentialsOAuth2Api')).toBe(2);
	});

	describe('testCredential performs the type’s test request', () => {
		it.each([
			[
				'fixtureHeaderApi',
				() => headerCredentials().fixtureHeaderApi,
				() => ({ ...headerCredentials().fixtureHeaderApi, apiKey: 'bad' }),
			],
			[
				'fixtureExpiringTokenApi',
				() => expiringTokenCredentials(),
				() => expiringTokenCredentials('wrong'),
			],
			[
				'fixtureClientCredentialsOAuth2Api',
				() => oauth2Credentials(),
				() => oauth2Credentials('wrong'),
			],
		])('%s: OK with good data, Error with bad data', async (type, good, bad) => {
			await expect(pack.testCredential(type, good())).resolves.toMatchObject({ status: 'OK' });
			const failed = await pack.testCredential(type, bad());
			expect(failed.status).toBe('Error');
			expect(failed.message).not.toBe('');
		});
	});
});

describe('runWorkflow / executeNode', () => {
	it('feeds pinned input items to the node and keeps pairedItem', async () => {
		const { items } = await pack.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'echo' },
			inputItems: [{ customer: 'A' }, { json: { customer: 'B' } }],
		});
		expect(items).toEqual([
			{ json: { customer: 'A', typeVersion: 2 }, pairedItem: { item: 0 } },
			{ json: { customer: 'B', typeVersion: 2 }, pairedItem: { item: 1 } },
		]);
	});

	it('feeds each of several inputs from its own pinned source node', async () => {
		const { items, result } = await pack.executeNode({
			nodeType: 'n8n-nodes-base.merge',
			extraNodes: ['n8n-nodes-base.merge'],
			parameters: { mode: 'append' },
			inputs: [
				[{ side: 'A' }],
				[
					{ side: 'B', n: 1 },
					{ side: 'B', n: 2 },
				],
			],
		});
		expect(result.executedNodes).toEqual(['Manual Trigger', 'Input 1', 'Input 2', 'Merge']);
		expect(items.map((item) => [item.json, item.pairedItem])).toEqual([
			[{ side: 'A' }, { item: 0 }],
			[
				{ side: 'B', n: 1 },
				{ item: 0, input: 1 },
			],
			[
				{ side: 'B', n: 2 },
				{ item: 1, input: 1 },
			],
		]);
	});

	it('runs an exported workflow with n8n-nodes-base nodes and expressions', async () => {
		const workflow: WorkflowJson = {
			name: 'Greeting',
			nodes: [
				{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
				{
					name: 'Greet',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					parameters: {
						mode: 'manual',
						assignments: {
							assignments: [
								{ id: 'a1', name: 'greeting', value: '=Hello {{ $json.name }}', type: 'string' },
							],
						},
						includeOtherFields: true,
						options: {},
					},
				},
				{
					name: 'Echo',
					type: `${FIXTURE}.controlProbe`,
					typeVersion: 1,
					parameters: { operation: 'echo' },
				},
			],
			connections: {
				Start: { main: [[{ node: 'Greet', type: 'main', index: 0 }]] },
				Greet: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] },
			},
			pinData: { Start: [{ json: { name: 'Ada' } }] },
		};
		const result = await pack.runWorkflow({ workflow });
		expect(result.status).toBe('success');
		expect(result.executedNodes).toEqual(['Start', 'Greet', 'Echo']);
		expect(result.json('Echo')).toEqual([{ name: 'Ada', greeting: 'Hello Ada', typeVersion: 1 }]);
		expect(result.outputs('Echo')[0].pairedItem).toEqual({ item: 0 });
	});

	it('routes items through the outputs of n8n-nodes-base nodes named in extraNodes', async () => {
		const workflow: WorkflowJson = {
			nodes: [
				{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
				{
					name: 'Large?',
					type: 'n8n-nodes-base.if',
					typeVersion: 2.2,
					parameters: {
						conditions: {
							options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
							conditions: [
								{
									id: 'c1',
									leftValue: '={{ $json.amount }}',
									rightValue: 100,
									operator: { type: 'number', operation: 'gt' },
								},
							],
							combinator: 'and',
						},
						options: {},
					},
				},
			],
			connections: { Start: { main: [[{ node: 'Large?', type: 'main', index: 0 }]] } },
			pinData: { Start: [{ amount: 50 }, { amount: 500 }] },
		};
		const result = await pack.runWorkflow({ workflow, extraNodes: ['n8n-nodes-base.if'] });
		const [isLarge, isSmall] = result.allOutputs('Large?');
		expect(isLarge.map((item) => item.json)).toEqual([{ amount: 500 }]);
		expect(isSmall.map((item) => item.json)).toEqual([{ amount: 50 }]);
		expect(result.json('Large?', 1)).toEqual([{ amount: 50 }]);
	});

	it('looks up credentials by the id a workflow node references', async () => {
		const result = await pack.runWorkflow({
			workflow: {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{
						name: 'Probe',
						type: `${FIXTURE}.httpProbe`,
						typeVersion: 1,
						parameters: { authentication: 'headerApi', url: `${server.url}/protected` },
						credentials: { fixtureHeaderApi: { id: 'cred-42', name: 'Production key' } },
					},
				],
				connections: { Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
			},
			credentials: { 'cred-42': headerCredentials().fixtureHeaderApi },
		});
		expect(result.json('Probe')[0].response).toMatchObject({ via: 'apiKey' });
	});

	it('carries workflow static data from one run to the next', async () => {
		const first = await pack.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'countRuns' },
		});
		expect(first.json).toEqual([{ runs: 1 }]);
		const second = await pack.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'countRuns' },
			staticData: first.result.staticData,
		});
		expect(second.json).toEqual([{ runs: 2 }]);
	});

	it('isolateModules loads a second “worker”; state passes between them only through n8n', async () => {
		const otherWorker = await loadPackage(FIXTURE_DIR, { isolateModules: true });
		expect(otherWorker.nodeTypes.getByName(`${FIXTURE}.controlProbe`)).not.toBe(
			pack.nodeTypes.getByName(`${FIXTURE}.controlProbe`),
		);

		const first = await pack.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'countRuns' },
		});
		const second = await otherWorker.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'countRuns' },
			staticData: first.result.staticData,
		});
		expect(second.json).toEqual([{ runs: 2 }]);

		const download = await pack.executeNode({
			nodeType: 'httpProbe',
			parameters: { operation: 'download', url: `${server.url}/bytes?size=1000` },
		});
		const inspected = await otherWorker.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'inspectBinary' },
			inputItems: download.items,
		});
		expect(inspected.json).toEqual([
			{
				bytes: 1000,
				sha256: createHash('sha256').update(server.bytes(1000)).digest('hex'),
				storedBy: 'id',
			},
		]);
	});

	describe("n8n's deduplication store (the harness's stand-in for n8n's database)", () => {
		const checkAndRecord = (
			probe: LoadedPackage,
			keys: string[],
			options: { workflowId?: string; scope?: string } = {},
		) =>
			probe.executeNode({
				nodeType: 'controlProbe',
				parameters: { operation: 'checkAndRecord', scope: options.scope ?? 'node' },
				inputItems: keys.map((key) => ({ key })),
				workflowId: options.workflowId,
				mode: 'trigger',
			});

		it('remembers across runs of the same workflow, each a fresh WorkflowExecute without static data', async () => {
			const first = await checkAndRecord(pack, ['invoice-1', 'invoice-2'], {
				workflowId: 'wf-dedup-runs',
			});
			expect(first.json).toEqual([
				{ key: 'invoice-1', seen: false },
				{ key: 'invoice-2', seen: false },
			]);
			expect(first.result.staticData).toEqual({});
			const second = await checkAndRecord(pack, ['invoice-2', 'invoice-3'], {
				workflowId: 'wf-dedup-runs',
			});
			expect(second.json).toEqual([
				{ key: 'invoice-2', seen: true },
				{ key: 'invoice-3', seen: false },
			]);
		});

		it('is shared with another “worker” (a fresh module registry), as n8n’s database is', async () => {
			const otherWorker = await loadPackage(FIXTURE_DIR, { isolateModules: true });
			await checkAndRecord(pack, ['invoice-1'], { workflowId: 'wf-dedup-workers' });
			const onOtherWorker = await checkAndRecord(otherWorker, ['invoice-1'], {
				workflowId: 'wf-dedup-workers',
			});
			expect(onOtherWorker.json).toEqual([{ key: 'invoice-1', seen: true }]);
		});

		it('keeps workflows apart, and runs without a workflow ID are workflows of their own', async () => {
			await checkAndRecord(pack, ['invoice-1'], { workflowId: 'wf-dedup-a' });
			expect(
				(await checkAndRecord(pack, ['invoice-1'], { workflowId: 'wf-dedup-b' })).json,
			).toEqual([{ key: 'invoice-1', seen: false }]);
			await checkAndRecord(pack, ['invoice-9']);
			expect((await checkAndRecord(pack, ['invoice-9'])).json).toEqual([
				{ key: 'invoice-9', seen: false },
			]);
		});

		it('keeps node scope per node ID and workflow scope per workflow, as n8n does', async () => {
			const workflow = (nodeId: string, scope: string): WorkflowJson => ({
				id: 'wf-dedup-scopes',
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{
						id: nodeId,
						name: 'Probe',
						type: `${FIXTURE}.controlProbe`,
						typeVersion: 2,
						parameters: { operation: 'checkAndRecord', scope },
					},
				],
				connections: { Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
				pinData: { Start: [{ key: 'invoice-1' }] },
			});
			const seen = async (nodeId: string, scope: string) =>
				(await pack.runWorkflow({ workflow: workflow(nodeId, scope) })).json('Probe')[0].seen;
			expect(await seen('node-a', 'node')).toBe(false);
			expect(await seen('node-a', 'node')).toBe(true);
			expect(await seen('node-b', 'node')).toBe(false);
			expect(await seen('node-a', 'workflow')).toBe(false);
			expect(await seen('node-b', 'workflow')).toBe(true);
		});
	});

	it('runs in the requested timezone, as a manual execution', async () => {
		const { json, result } = await pack.executeNode({
			nodeType: 'controlProbe',
			parameters: { operation: 'context' },
			timezone: 'Europe/Berlin',
		});
		expect(json).toEqual([
			{ timezone: 'Europe/Berlin', mode: 'manual', executionId: result.executionId },
		]);
	});

	describe.each(['filesystem', 'default'] as const)('binary data in %s mode', (binaryDataMode) => {
		it('round-trips a streamed download through the BinaryDataService', async () => {
			const size = 300_000;
			const workflow: WorkflowJson = {
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
					{
						name: 'Download',
						type: `${FIXTURE}.httpProbe`,
						typeVersion: 1,
						parameters: { operation: 'download', url: `${server.url}/bytes?size=${size}` },
					},
					{
						name: 'Inspect',
						type: `${FIXTURE}.controlProbe`,
						typeVersion: 2,
						parameters: { operation: 'inspectBinary' },
					},
				],
				connections: {
					Start: { main: [[{ node: 'Download', type: 'main', index: 0 }]] },
					Download: { main: [[{ node: 'Inspect', type: 'main', index: 0 }]] },
				},
			};
			const result = await pack.runWorkflow({ workflow, binaryDataMode });

			const [downloaded] = result.outputs('Download');
			if (binaryDataMode === 'filesystem') {
				expect(downloaded.binary?.data.id).toMatch(/^filesystem-v2:/);
			} else {
				expect(downloaded.binary?.data.id).toBeUndefined();
			}
			expect((await result.binary(downloaded)).equals(server.bytes(size))).toBe(true);
			expect(result.json('Inspect')).toEqual([
				{
					bytes: size,
					sha256: createHash('sha256').update(server.bytes(size)).digest('hex'),
					storedBy: binaryDataMode === 'filesystem' ? 'id' : 'inline',
				},
			]);
		});
	});

	describe('cancellation', () => {
		const waitingWorkflow: WorkflowJson = {
			nodes: [
				{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
				{
					name: 'Wait',
					type: `${FIXTURE}.controlProbe`,
					typeVersion: 2,
					parameters: { operation: 'waitForCancel' },
				},
				{ name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
			],
			connections: {
				Start: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
				Wait: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
			},
		};

		it('stops a node waiting on getExecutionCancelSignal()', async () => {
			const execution = pack.runWorkflow({ workflow: waitingWorkflow, stopWithinMs: 2000 });
			await execution.nodeStarted('Wait');
			execution.cancel();
			const result = await execution;
			expect(result.status).toBe('canceled');
			expect(result.ran('After')).toBe(false);
		});

		it('cancels on an AbortSignal or after abortAfterMs', async () => {
			const controller = new AbortController();
			const bySignal = pack.runWorkflow({ workflow: waitingWorkflow, signal: controller.signal });
			await bySignal.nodeStarted('Wait');
			controller.abort();
			await expect(bySignal.done).resolves.toMatchObject({ status: 'canceled' });

			await expect(
				pack.runWorkflow({ workflow: waitingWorkflow, abortAfterMs: 50 }),
			).resolves.toMatchObject({
				status: 'canceled',
			});
		});

		it('rejects `done` when a node ignores the cancel signal', async () => {
			const execution = pack.runWorkflow({
				workflow: {
					nodes: [
						{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
						{
							name: 'Sleep',
							type: `${FIXTURE}.controlProbe`,
							typeVersion: 2,
							parameters: { operation: 'sleep', milliseconds: 400 },
						},
					],
					connections: { Start: { main: [[{ node: 'Sleep', type: 'main', index: 0 }]] } },
				},
				stopWithinMs: 50,
			});
			await execution.nodeStarted('Sleep');
			execution.cancel();
			await expect(execution.done).rejects.toThrow(
				'did not stop within 50 ms of being cancelled; still running: Sleep',
			);
		});

		it('aborts an HTTP request in flight', async () => {
			const hangsBefore = server.hangs;
			const abortedBefore = server.abortedHangs;
			const execution = pack.runWorkflow({
				workflow: {
					nodes: [
						{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
						{
							name: 'Hang',
							type: `${FIXTURE}.httpProbe`,
							typeVersion: 1,
							parameters: { authentication: 'headerApi', url: `${server.url}/hang` },
						},
					],
					connections: { Start: { main: [[{ node: 'Hang', type: 'main', index: 0 }]] } },
				},
				credentials: headerCredentials(),
			});
			await execution.nodeStarted('Hang');
			await waitFor(() => server.hangs > hangsBefore);
			execution.cancel();
			await expect(execution.done).resolves.toMatchObject({ status: 'canceled' });
			await waitFor(() => server.abortedHangs > abortedBefore);
		});
	});

	describe('node errors', () => {
		const inputItems = [{ id: 1 }, { id: 2, fail: true }, { id: 3 }];

		it('land in the run data and stop the workflow', async () => {
			const { error, items, result } = await pack.executeNode({
				nodeType: 'controlProbe',
				parameters: { operation: 'fail' },
				inputItems,
			});
			expect(result.status).toBe('error');
			expect(items).toEqual([]);
			expect(error).toMatchObject({
				message: 'Item 1 asked to fail',
				description: 'The input item had its fail field set to true',
			});
			expect(result.error()?.message).toBe('Item 1 asked to fail');
		});

		it('go to the error output with onError: continueErrorOutput', async () => {
			const { outputs, error, result } = await pack.executeNode({
				nodeType: 'controlProbe',
				parameters: { operation: 'fail' },
				inputItems,
				onError: 'continueErrorOutput',
			});
			expect(result.status).toBe('success');
			expect(error).toBeUndefined();
			const [success, failure] = outputs;
			expect(success.map((item) => item.json.id)).toEqual([1, 3]);
			expect(failure).toHaveLength(1);
			expect(failure[0].json).toMatchObject({ id: 2, error: 'Item 1 asked to fail' });
			expect(failure[0].pairedItem).toEqual({ item: 1 });
		});

		it('stay in the regular output with onError: continueRegularOutput', async () => {
			const { json } = await pack.executeNode({
				nodeType: 'controlProbe',
				parameters: { operation: 'fail' },
				inputItems,
				onError: 'continueRegularOutput',
			});
			expect(json).toEqual([{ id: 1 }, { error: 'Item 1 asked to fail' }, { id: 3 }]);
		});

		it('report an API failure with the response status', async () => {
			const { error } = await pack.executeNode({
				nodeType: 'httpProbe',
				parameters: { authentication: 'headerApi', url: `${server.url}/protected` },
				credentials: { fixtureHeaderApi: { apiKey: 'wrong', baseUrl: server.url } },
			});
			expect(error).toMatchObject({ httpCode: '401' });
		});
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('Condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
