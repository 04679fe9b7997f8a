/**
 * The secret audit: every operation of every vendor node runs through the engine against the
 * sandbox — succeeding, and failing in the ways that put the most secret material near an
 * error — with a distinctive sentinel for every secret (access tokens, client secrets,
 * passwords) and the SAS tokens and signed links the sandbox hands out. No secret may appear
 * in any output item (JSON or binary), hint, error (message, description or any other field),
 * static data or console output; only the fields that hand a link to the user on purpose may
 * hold one. Credential tests are audited the same way.
 *
 * The example workflows get the same audit from their own tests (test/workflows) through
 * test/helpers/secrets.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import {
	TRIGGER_NODE_NAME,
	loadPack,
	type ExecuteNodeOptions,
	type LoadedPackage,
	type NodeResult,
} from '../harness';
import { GRAPH_INVOICE, ciscoRange, webexPeriod } from '../faults/flows';
import { ciscoCredential, microsoftCredential, webexCredential } from '../helpers/credentials';
import { reliabilityOutput } from '../helpers/reliability';
import {
	SENTINEL_SECRETS,
	captureConsole,
	findLeaks,
	leaksIn,
	sandboxSecrets,
	type Secret,
} from '../helpers/secrets';
import { connectWebexOAuth2 } from '../webex/setup';

type Vendor = 'webex' | 'webexOAuth2' | 'graph' | 'cisco';

interface AuditCase {
	title: string;
	vendor: Vendor;
	/** the operation's parameters (resource and authentication are added) */
	parameters: (sandbox: Sandbox) => IDataObject;
	/** prepares the sandbox (data, faults) before the run */
	arrange?: (sandbox: Sandbox) => void | Promise<void>;
	/** items the node receives, e.g. Start's output for Download */
	input?: (sandbox: Sandbox) => Promise<IDataObject> | IDataObject;
	outcome: 'success' | 'error';
	/** output fields that hand a signed link to the user on purpose */
	allowedFields?: string[];
	/** dynamic secrets that must have been handed out, so the audit is not empty-handed */
	handedOut?: Array<
		| 'Webex signed download URL'
		| 'Graph SAS token'
		| 'Cisco usage URL'
		| 'Cisco access token'
		| 'issued Graph or Partner Center access token'
		| 'Partner Center PDF link signature'
	>;
}

const NODE_TYPES: Record<Vendor, string> = {
	webex: 'webexWholesaleBilling',
	webexOAuth2: 'webexWholesaleBilling',
	graph: 'microsoftPartnerBilling',
	cisco: 'ciscoXaasBilling',
};
const RESOURCES: Record<Vendor, IDataObject> = {
	webex: { resource: 'report', authentication: 'accessToken' },
	webexOAuth2: { resource: 'report', authentication: 'oAuth2' },
	graph: { resource: 'export' },
	cisco: { resource: 'usage' },
};
const SHORT = { timeoutMinutes: 0.05 };

const completedReport = (sandbox: Sandbox) =>
	sandbox.webex.seedReport({ ...webexPeriod(), type: 'CUSTOMER' });

/** Start's output item, with the export finished, for the download cases. */
async function startedExport(sandbox: Sandbox, pack: LoadedPackage): Promise<IDataObject> {
	const started = await pack.executeNode({
		nodeType: NODE_TYPES.graph,
		parameters: {
			resource: 'export',
			operation: 'start',
			dataset: 'billedUsage',
			invoiceId: GRAPH_INVOICE,
			attributeSet: 'full',
			options: { waitForCompletion: true },
		},
		credentials: credentialsFor('graph', sandbox) as never,
	});
	return started.json[0];
}

/** One Get Download Links item of the most recent invoice, for the download cases. */
function linkItem(sandbox: Sandbox): IDataObject {
	const [invoiceNumber] = ciscoRange(sandbox).invoiceNumbers.slice(-1);
	return { invoiceNumber, usageUrl: sandbox.cisco.usageUrl(invoiceNumber) };
}

let webexOAuth2Credential: IDataObject;

function credentialsFor(vendor: Vendor, sandbox: Sandbox): Record<string, IDataObject> {
	switch (vendor) {
		case 'webex':
			return { webexWholesaleApi: webexCredential(sandbox) };
		case 'webexOAuth2':
			return { webexWholesaleOAuth2Api: webexOAuth2Credential };
		case 'graph':
			return { microsoftPartnerBillingOAuth2Api: microsoftCredential(sandbox) };
		case 'cisco':
			return { ciscoXaasBillingApi: ciscoCredential(sandbox) };
	}
}

const webexCases = (vendor: 'webex' | 'webexOAuth2'): AuditCase[] => [
	{
		title: 'create, waiting for completion',
		vendor,
		parameters: () => ({
			operation: 'create',
			...webexPeriod(),
			reportType: 'CUSTOMER',
			options: { waitForCompletion: true },
		}),
		outcome: 'success',
		handedOut: ['Webex signed download URL'],
	},
	{
		title: 'create with Include Download URL (the field holds it on purpose)',
		vendor,
		parameters: () => ({
			operation: 'create',
			...webexPeriod(),
			reportType: 'PARTNER',
			options: { waitForCompletion: true, includeDownloadUrl: true },
		}),
		outcome: 'success',
		allowedFields: ['tempDownloadURL'],
		handedOut: ['Webex signed download URL'],
	},
	{
		title: 'create refused (a report exists)',
		vendor,
		arrange: (sandbox) => void completedReport(sandbox),
		parameters: () => ({ operation: 'create', ...webexPeriod(), reportType: 'CUSTOMER' }),
		outcome: 'error',
	},
	{
		title: 'get',
		vendor,
		parameters: (sandbox) => ({ operation: 'get', reportId: completedReport(sandbox).id }),
		outcome: 'success',
		handedOut: ['Webex signed download URL'],
	},
	{
		title: 'get many',
		vendor,
		arrange: (sandbox) => void completedReport(sandbox),
		parameters: () => ({ operation: 'getAll', returnAll: true }),
		outcome: 'success',
	},
	{
		title: 'delete',
		vendor,
		parameters: (sandbox) => ({ operation: 'delete', reportId: completedReport(sandbox).id }),
		outcome: 'success',
	},
	...(['rows', 'aggregate', 'file'] as const).map(
		(outputMode): AuditCase => ({
			title: `download, ${outputMode}`,
			vendor,
			parameters: (sandbox) => ({
				operation: 'download',
				reportId: completedReport(sandbox).id,
				outputMode,
			}),
			outcome: 'success',
			handedOut: ['Webex signed download URL'],
		}),
	),
	{
		title: 'download refused: every signed URL expired',
		vendor,
		arrange: (sandbox) => void (sandbox.webex.options.downloadUrlTtlSeconds = -5),
		parameters: (sandbox) => ({
			operation: 'download',
			reportId: completedReport(sandbox).id,
			outputMode: 'rows',
		}),
		outcome: 'error',
		handedOut: ['Webex signed download URL'],
	},
	{
		title: 'download failed: the connection drops every time',
		vendor,
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'webex',
				kind: 'download',
				type: 'reset',
				afterBytes: 10,
				times: Infinity,
			}),
		parameters: (sandbox) => ({
			operation: 'download',
			reportId: completedReport(sandbox).id,
			outputMode: 'file',
			options: SHORT,
		}),
		outcome: 'error',
		handedOut: ['Webex signed download URL'],
	},
	{
		title: 'download failed: the API answers 500 until the timeout',
		vendor,
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'webex',
				kind: 'api',
				type: 'status',
				status: 500,
				times: Infinity,
			}),
		parameters: (sandbox) => ({
			operation: 'download',
			reportId: completedReport(sandbox).id,
			outputMode: 'rows',
			options: SHORT,
		}),
		outcome: 'error',
	},
];

const graphCases: AuditCase[] = [
	{
		title: 'start',
		vendor: 'graph',
		parameters: () => ({
			operation: 'start',
			dataset: 'billedReconciliation',
			invoiceId: GRAPH_INVOICE,
			attributeSet: 'full',
		}),
		outcome: 'success',
	},
	{
		title: 'get status of a finished export (its manifest holds the SAS)',
		vendor: 'graph',
		parameters: () => ({ operation: 'getStatus', operationId: '={{ $json.operationUrl }}' }),
		outcome: 'success',
		handedOut: ['Graph SAS token'],
	},
	...(['lineItems', 'aggregate', 'file'] as const).map(
		(outputMode): AuditCase => ({
			title: `download, ${outputMode}`,
			vendor: 'graph',
			parameters: () => ({
				operation: 'download',
				operationId: '={{ $json.operationUrl }}',
				outputMode,
				groupBy: 'CustomerId',
				sumFields: 'Quantity',
			}),
			outcome: 'success',
			handedOut: ['Graph SAS token'],
		}),
	),
	{
		title: 'download refused: every SAS expired',
		vendor: 'graph',
		arrange: (sandbox) => void (sandbox.graph!.options.sasTtlSeconds = -60),
		parameters: () => ({
			operation: 'download',
			operationId: '={{ $json.operationUrl }}',
			outputMode: 'file',
		}),
		outcome: 'error',
		handedOut: ['Graph SAS token'],
	},
	{
		title: 'download failed: storage drops every connection',
		vendor: 'graph',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'graph',
				kind: 'blob',
				type: 'reset',
				afterBytes: 0,
				times: Infinity,
			}),
		parameters: () => ({
			operation: 'download',
			operationId: '={{ $json.operationUrl }}',
			outputMode: 'aggregate',
			options: SHORT,
		}),
		outcome: 'error',
		handedOut: ['Graph SAS token'],
	},
	{
		title: 'start failed: the token endpoint answers 500',
		vendor: 'graph',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'graph',
				kind: 'token',
				type: 'status',
				status: 500,
				times: Infinity,
			}),
		parameters: () => ({
			operation: 'start',
			dataset: 'billedUsage',
			invoiceId: GRAPH_INVOICE,
			attributeSet: 'full',
			options: SHORT,
		}),
		outcome: 'error',
	},
	{
		title: 'start refused: the API answers 403',
		vendor: 'graph',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'graph',
				kind: 'api',
				type: 'status',
				status: 403,
				times: Infinity,
			}),
		parameters: () => ({
			operation: 'start',
			dataset: 'billedUsage',
			invoiceId: GRAPH_INVOICE,
			attributeSet: 'full',
		}),
		outcome: 'error',
	},
];

const PARTNER_CENTER_TOKEN = 'issued Graph or Partner Center access token';
const allowAppOnlyGet = (sandbox: Sandbox) => void (sandbox.graph!.options.appOnlyGet = 'allow');

const invoiceCases: AuditCase[] = [
	{
		title: 'invoice get many',
		vendor: 'graph',
		parameters: () => ({ resource: 'invoice', operation: 'getAll', returnAll: true }),
		outcome: 'success',
		handedOut: [PARTNER_CENTER_TOKEN],
	},
	{
		title: 'invoice get many, skipping invoices marked as reconciled',
		vendor: 'graph',
		parameters: () => ({
			resource: 'invoice',
			operation: 'getAll',
			returnAll: true,
			options: { skipReconciled: true },
		}),
		outcome: 'success',
		handedOut: [PARTNER_CENTER_TOKEN],
	},
	{
		title: 'invoice mark as reconciled',
		vendor: 'graph',
		parameters: () => ({
			resource: 'invoice',
			operation: 'markReconciled',
			invoiceId: GRAPH_INVOICE,
		}),
		outcome: 'success',
	},
	{
		title: 'invoice get (Partner Center signs a PDF link)',
		vendor: 'graph',
		arrange: allowAppOnlyGet,
		parameters: () => ({ resource: 'invoice', operation: 'get', invoiceId: GRAPH_INVOICE }),
		outcome: 'success',
		handedOut: [PARTNER_CENTER_TOKEN, 'Partner Center PDF link signature'],
	},
	{
		title: 'invoice get refused: app-only token',
		vendor: 'graph',
		parameters: () => ({ resource: 'invoice', operation: 'get', invoiceId: GRAPH_INVOICE }),
		outcome: 'error',
		handedOut: [PARTNER_CENTER_TOKEN],
	},
	{
		title: 'invoice get refused: no such invoice',
		vendor: 'graph',
		arrange: allowAppOnlyGet,
		parameters: () => ({ resource: 'invoice', operation: 'get', invoiceId: 'G999999999' }),
		outcome: 'error',
		handedOut: [PARTNER_CENTER_TOKEN],
	},
	{
		title: 'invoice get many failed: Partner Center answers 500 until the timeout',
		vendor: 'graph',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'partnerCenter',
				kind: 'api',
				type: 'status',
				status: 500,
				times: Infinity,
			}),
		parameters: () => ({
			resource: 'invoice',
			operation: 'getAll',
			returnAll: true,
			options: SHORT,
		}),
		outcome: 'error',
		handedOut: [PARTNER_CENTER_TOKEN],
	},
	{
		title: 'invoice get many refused: Entra ID refuses the client',
		vendor: 'graph',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'graph',
				kind: 'token',
				type: 'status',
				status: 401,
				body: {
					error: 'invalid_client',
					error_description: 'AADSTS7000215: Invalid client secret provided.',
				},
			}),
		parameters: () => ({ resource: 'invoice', operation: 'getAll', returnAll: true }),
		outcome: 'error',
	},
];

const ciscoCases: AuditCase[] = [
	{
		title: 'get download links by invoice number (usageUrl is handed over on purpose)',
		vendor: 'cisco',
		parameters: (sandbox) => ({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: ciscoRange(sandbox).invoiceNumbers.join(', '),
		}),
		outcome: 'success',
		allowedFields: ['usageUrl'],
		handedOut: ['Cisco usage URL', 'Cisco access token'],
	},
	{
		title: 'get download links by date range',
		vendor: 'cisco',
		parameters: (sandbox) => ({
			operation: 'getDownloadLinks',
			requestBy: 'dateRange',
			beginDate: ciscoRange(sandbox).beginDate,
			endDate: ciscoRange(sandbox).endDate,
		}),
		outcome: 'success',
		allowedFields: ['usageUrl'],
		handedOut: ['Cisco usage URL', 'Cisco access token'],
	},
	{
		title: 'get download links by subscription',
		vendor: 'cisco',
		parameters: (sandbox) => ({
			operation: 'getDownloadLinks',
			requestBy: 'subscriptionIds',
			subscriptionIds: sandbox.cisco.subscriptions()[0].subscriptionId,
		}),
		outcome: 'success',
		allowedFields: ['usageUrl'],
		handedOut: ['Cisco usage URL', 'Cisco access token'],
	},
	{
		title: 'get download links refused: the token endpoint refuses the client',
		vendor: 'cisco',
		arrange: (sandbox) =>
			void sandbox.addFault({
				vendor: 'cisco',
				kind: 'token',
				type: 'status',
				status: 401,
				body: { error: 'invalid_client', error_description: 'Client authentication failed' },
			}),
		parameters: (sandbox) => ({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: ciscoRange(sandbox).invoiceNumbers[0],
		}),
		outcome: 'error',
	},
	{
		title: 'get download links refused: the API answers a business-rule error',
		vendor: 'cisco',
		parameters: () => ({
			operation: 'getDownloadLinks',
			requestBy: 'invoiceNumbers',
			invoiceNumbers: '1',
			billingAddressId: '999',
		}),
		outcome: 'error',
		handedOut: ['Cisco access token'],
	},
	...(['rows', 'aggregate', 'file'] as const).map(
		(outputMode): AuditCase => ({
			title: `download, ${outputMode}`,
			vendor: 'cisco',
			input: linkItem,
			parameters: () => ({ operation: 'download', outputMode, includeHeader: 'merge' }),
			outcome: 'success',
			handedOut: ['Cisco usage URL'],
		}),
	),
	{
		title: 'download refused: the link expired',
		vendor: 'cisco',
		input: (sandbox) => {
			const item = linkItem(sandbox);
			sandbox.cisco.expireLinks();
			return item;
		},
		parameters: () => ({ operation: 'download', outputMode: 'rows', includeHeader: 'none' }),
		outcome: 'error',
		handedOut: ['Cisco usage URL'],
	},
	{
		title: 'download refused: the file host refuses the link even with the token sent to it',
		vendor: 'cisco',
		arrange: (sandbox) => {
			Object.assign(sandbox.cisco.options, {
				fileAuth: 'bearer',
				tokenHosts: ['127.0.0.1', 'localhost'],
			});
			sandbox.addFault({
				vendor: 'cisco',
				kind: 'download',
				type: 'status',
				status: 401,
				times: Infinity,
			});
		},
		input: linkItem,
		parameters: () => ({
			operation: 'download',
			outputMode: 'rows',
			includeHeader: 'none',
			options: { authorizedFileHosts: 'localhost' },
		}),
		outcome: 'error',
		handedOut: ['Cisco usage URL', 'Cisco access token'],
	},
];

const CASES: AuditCase[] = [
	...webexCases('webex'),
	...webexCases('webexOAuth2'),
	...graphCases,
	...invoiceCases,
	...ciscoCases,
];

const VENDOR_TITLES: Record<Vendor, string> = {
	webex: 'Webex Wholesale Billing (access token)',
	webexOAuth2: 'Webex Wholesale Billing (OAuth2)',
	graph: 'Microsoft Partner Billing',
	cisco: 'Cisco XaaS Billing',
};

describe('secret audit', () => {
	let sandbox: Sandbox;
	let pack: LoadedPackage;
	const audited = new Set<string>();
	const figures = {
		operationRuns: 0,
		credentialTests: 0,
		secretsAudited: 0,
		secretKinds: [] as string[],
	};

	beforeAll(async () => {
		sandbox = await startSandbox({
			webex: { ...SENTINEL_SECRETS.webex, reportDelayMs: 0 },
			graph: { ...SENTINEL_SECRETS.graph, operationDelayMs: 50, retryAfterSeconds: 0 },
			cisco: SENTINEL_SECRETS.cisco,
		});
		pack = await loadPack();
		webexOAuth2Credential = await connectWebexOAuth2(sandbox);
	}, 60_000);
	afterAll(async () => {
		await sandbox?.stop();
		figures.secretsAudited = audited.size;
		reliabilityOutput('secrets', figures);
	});
	beforeEach(() => sandbox.reset());

	/** Every secret so far, and those of the OAuth2 credential connected before the reset. */
	const secretsAfter = (result: NodeResult): Secret[] => {
		const secrets = sandboxSecrets(sandbox, result.result.credentials);
		const oauth = webexOAuth2Credential.oauthTokenData as IDataObject;
		secrets.push(
			{ name: 'Webex OAuth access token', value: String(oauth.access_token) },
			{ name: 'Webex OAuth refresh token', value: String(oauth.refresh_token) },
		);
		return secrets;
	};

	for (const vendor of Object.keys(VENDOR_TITLES) as Vendor[]) {
		describe(VENDOR_TITLES[vendor], () => {
			it.each(
				CASES.filter((auditCase) => auditCase.vendor === vendor).map(
					(auditCase) => [auditCase.title, auditCase] as const,
				),
			)('%s', async (_title, auditCase) => {
				await auditCase.arrange?.(sandbox);
				const { resource, operation } = auditCase.parameters(sandbox);
				const readsExport = vendor === 'graph' && resource !== 'invoice' && operation !== 'start';
				const input =
					readsExport && !auditCase.input
						? await startedExport(sandbox, pack)
						: await auditCase.input?.(sandbox);
				const nodeName = 'Audited';
				const options: ExecuteNodeOptions = {
					pack,
					nodeType: NODE_TYPES[vendor],
					nodeName,
					parameters: { ...RESOURCES[vendor], ...auditCase.parameters(sandbox) } as never,
					credentials: credentialsFor(vendor, sandbox) as never,
					inputItems: input ? [input] : undefined,
					timezone: 'UTC',
				};
				const { result, output } = await captureConsole(
					async () => await pack.executeNode(options),
				);
				figures.operationRuns++;

				expect(result.error === undefined ? 'success' : 'error').toBe(auditCase.outcome);
				const secrets = secretsAfter(result);
				for (const kind of auditCase.handedOut ?? [])
					expect(secrets.map((secret) => secret.name)).toContain(kind);
				// The item fed in stands for Get Download Links' output, whose usageUrl is the user's on purpose.
				const allowedFields = [
					...(auditCase.allowedFields ?? []).map((field) => ({ node: nodeName, field })),
					{ node: TRIGGER_NODE_NAME, field: 'usageUrl' },
				];
				expect(await findLeaks(result, secrets, { allowedFields, consoleOutput: output })).toEqual(
					[],
				);
				for (const secret of secrets) audited.add(secret.value);
				figures.secretKinds = [
					...new Set([
						...figures.secretKinds,
						...secrets.map((secret) => secret.name.replace(/ \(.*\)$/, '')),
					]),
				].sort();
			});
		});
	}

	describe('credential tests', () => {
		const credentialCases: Array<[string, Vendor, (sandbox: Sandbox) => void]> = [
			['Webex access token, accepted', 'webex', () => {}],
			[
				'Webex access token, the API failing',
				'webex',
				(sandbox) =>
					void sandbox.addFault({
						vendor: 'webex',
						kind: 'api',
						type: 'status',
						status: 401,
						times: Infinity,
					}),
			],
			['Microsoft client credentials, accepted', 'graph', () => {}],
			[
				'Microsoft client credentials, the token endpoint failing',
				'graph',
				(sandbox) =>
					void sandbox.addFault({
						vendor: 'graph',
						kind: 'token',
						type: 'status',
						status: 500,
						times: Infinity,
					}),
			],
			['Cisco password grant, accepted', 'cisco', () => {}],
			[
				'Cisco password grant, the token endpoint refusing',
				'cisco',
				(sandbox) =>
					void sandbox.addFault({
						vendor: 'cisco',
						kind: 'token',
						type: 'status',
						status: 400,
						times: Infinity,
					}),
			],
		];
		it.each(credentialCases)('%s', async (_title, vendor, arrange) => {
			arrange(sandbox);
			const [[type, data]] = Object.entries(credentialsFor(vendor, sandbox));
			const { result: tested, output } = await captureConsole(
				async () => await pack.testCredential(type, data as never),
			);
			figures.credentialTests++;
			const secrets = sandboxSecrets(sandbox, tested.credentials);
			expect(
				leaksIn(
					[
						['credential test message', tested.message],
						['console', output],
					],
					secrets,
				),
			).toEqual([]);
			for (const secret of secrets) audited.add(secret.value);
		});
	});
});
