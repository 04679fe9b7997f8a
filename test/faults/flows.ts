/**
 * The main flow of each vendor node, as a two-node workflow run through the engine against
 * the sandbox: the step that asks the vendor for data, then the download in one output mode.
 * A flow's outcome is reduced to what must not change under a fault: the download's items
 * (JSON without per-run ids, binaries as sha256) and how many records they stand for.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox';
import { expectedLineItems } from '../../sandbox/graph/data';
import { expectedReportRows } from '../../sandbox/webex/data';
import type { WorkflowJson, WorkflowResult } from '../harness';
import { ciscoCredential, microsoftCredential, webexCredential } from '../helpers/credentials';

/** Partner Center is its own vendor in the sandbox: its own host, token audience and faults. */
export type Vendor = 'webex' | 'graph' | 'cisco' | 'partnerCenter';

export interface FlowOutcome {
	/** the download node's items as compared: per-run ids left out, binaries as sha256 */
	items: IDataObject[];
	/** data rows or line items the output stands for */
	records: number;
	/** the first node error of the run: message and description */
	error?: { node: string; text: string };
}

export interface Flow {
	/** 'webex/rows' */
	id: string;
	vendor: Vendor;
	/** answers JSON only: the flow downloads no file */
	apiOnly?: boolean;
	/** 'Create (wait) → Download, Rows' */
	title: string;
	/** node names in run order: the request step, then the download (or the read of each record) */
	nodes: [string, string];
	/** `options` go to every node of the flow (a cell's timeouts) */
	workflow(sandbox: Sandbox, options: IDataObject): WorkflowJson;
	credentials(sandbox: Sandbox): Record<string, IDataObject>;
	/** how many records the vendor holds for this flow's data (what it announced) */
	expectedRecords(sandbox: Sandbox): number;
	/** output items it is allowed to hold a signed link in, by field (secret audit) */
	allowedFields?: Array<{ node: string; field: string }>;
	/** fields of the download's JSON that differ from run to run (new report, operation) */
	volatileFields: string[];
	recordsOf(items: INodeExecutionData[]): number;
}

const PACKAGE = 'n8n-nodes-billing-reconciliation';
const TRIGGER = 'Manual Trigger';

function twoNodeWorkflow(
	first: { name: string; type: string; parameters: IDataObject },
	second: { name: string; type: string; parameters: IDataObject },
): WorkflowJson {
	return {
		name: `${first.name} → ${second.name}`,
		nodes: [
			{ name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
			{
				name: first.name,
				type: `${PACKAGE}.${first.type}`,
				typeVersion: 1,
				parameters: first.parameters as never,
			},
			{
				name: second.name,
				type: `${PACKAGE}.${second.type}`,
				typeVersion: 1,
				parameters: second.parameters as never,
			},
		],
		connections: {
			[TRIGGER]: { main: [[{ node: first.name, type: 'main', index: 0 }]] },
			[first.name]: { main: [[{ node: second.name, type: 'main', index: 0 }]] },
		},
	};
}

const sumRowCounts = (items: INodeExecutionData[]) =>
	items.reduce((total, item) => total + Number(item.json.rowCount ?? 0), 0);

/** A period of whole past days that Webex accepts (ends the day before yesterday). */
export function webexPeriod(now = new Date()): {
	billingStartDate: string;
	billingEndDate: string;
} {
	const day = (offset: number) =>
		new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - offset))
			.toISOString()
			.slice(0, 10);
	return { billingStartDate: day(31), billingEndDate: day(2) };
}

const WEBEX_GROUPING = { groupBy: 'CUSTOMER_ORG_ID, SKU', sumFields: 'QUANTITY' };

function webexFlow(mode: 'rows' | 'aggregate' | 'file'): Flow {
	const nodes: [string, string] = ['Create Report', 'Download Report'];
	return {
		id: `webex/${mode}`,
		vendor: 'webex',
		title: `Create (wait) → Download, ${mode}`,
		nodes,
		workflow: (_sandbox, options) =>
			twoNodeWorkflow(
				{
					name: nodes[0],
					type: 'webexWholesaleBilling',
					parameters: {
						authentication: 'accessToken',
						resource: 'report',
						operation: 'create',
						...webexPeriod(),
						reportType: 'CUSTOMER',
						options: { waitForCompletion: true, ...options },
					},
				},
				{
					name: nodes[1],
					type: 'webexWholesaleBilling',
					parameters: {
						authentication: 'accessToken',
						resource: 'report',
						operation: 'download',
						reportId: '={{ $json.id }}',
						outputMode: mode,
						...(mode === 'aggregate' ? WEBEX_GROUPING : {}),
						options,
					},
				},
			),
		credentials: (sandbox) => ({ webexWholesaleApi: webexCredential(sandbox) }),
		expectedRecords: (sandbox) =>
			expectedReportRows({ ...webexPeriod(), type: 'CUSTOMER' }, { seed: sandbox.seed }).length,
		volatileFields: ['reportId'],
		recordsOf: (items) => (mode === 'rows' ? items.length : sumRowCounts(items)),
	};
}

export const GRAPH_INVOICE = 'G000000001';

function graphFlow(mode: 'aggregate' | 'file'): Flow {
	const nodes: [string, string] = ['Start Export', 'Download Export'];
	return {
		id: `graph/${mode}`,
		vendor: 'graph',
		title: `Start → Download, ${mode}`,
		nodes,
		workflow: (_sandbox, options) =>
			twoNodeWorkflow(
				{
					name: nodes[0],
					type: 'microsoftPartnerBilling',
					parameters: {
						resource: 'export',
						operation: 'start',
						dataset: 'billedUsage',
						invoiceId: GRAPH_INVOICE,
						attributeSet: 'full',
						options,
					},
				},
				{
					name: nodes[1],
					type: 'microsoftPartnerBilling',
					parameters: {
						resource: 'export',
						operation: 'download',
						operationId: '={{ $json.operationUrl }}',
						outputMode: mode,
						...(mode === 'aggregate'
							? { groupBy: 'CustomerId, SubscriptionId', sumFields: 'Quantity, BillingPreTaxTotal' }
							: {}),
						options,
					},
				},
			),
		credentials: (sandbox) => ({ microsoftPartnerBillingOAuth2Api: microsoftCredential(sandbox) }),
		expectedRecords: (sandbox) =>
			expectedLineItems(
				{ dataset: 'billedUsage', invoiceId: GRAPH_INVOICE, attributeSet: 'full' },
				{ seed: sandbox.seed },
			).length,
		volatileFields: ['operationId', 'manifestId'],
		recordsOf: sumRowCounts,
	};
}

/** The three most recent invoices: one page of links, three ZIPs. */
export function ciscoRange(sandbox: Sandbox): {
	beginDate: string;
	endDate: string;
	invoiceNumbers: string[];
} {
	const recent = sandbox.cisco.invoices().slice(-3);
	return {
		beginDate: recent[0].invoiceDate,
		endDate: recent[2].invoiceDate,
		invoiceNumbers: recent.map((invoice) => invoice.invoiceNumber),
	};
}

function ciscoFlow(mode: 'rows' | 'aggregate' | 'file'): Flow {
	const nodes: [string, string] = ['Get Download Links', 'Download Usage'];
	return {
		id: `cisco/${mode}`,
		vendor: 'cisco',
		title: `Get Download Links (date range) → Download, ${mode}`,
		nodes,
		workflow: (sandbox, options) => {
			const { beginDate, endDate } = ciscoRange(sandbox);
			return twoNodeWorkflow(
				{
					name: nodes[0],
					type: 'ciscoXaasBilling',
					parameters: {
						resource: 'usage',
						operation: 'getDownloadLinks',
						requestBy: 'dateRange',
						beginDate,
						endDate,
						options,
					},
				},
				{
					name: nodes[1],
					type: 'ciscoXaasBilling',
					parameters: {
						resource: 'usage',
						operation: 'download',
						usageUrl: '={{ $json.usageUrl }}',
						outputMode: mode,
						...(mode === 'aggregate'
							? { groupBy: 'Subscription ID', sumFields: 'Extended Amount, Quantity' }
							: {}),
						includeHeader: 'separate',
						options,
					},
				},
			);
		},
		credentials: (sandbox) => ({ ciscoXaasBillingApi: ciscoCredential(sandbox) }),
		expectedRecords: (sandbox) =>
			ciscoRange(sandbox).invoiceNumbers.reduce(
				(total, number) => total + sandbox.cisco.expectedUsage(number).lines.length,
				0,
			),
		allowedFields: [{ node: nodes[0], field: 'usageUrl' }],
		volatileFields: [],
		recordsOf: (items) => {
			const data = items.filter((item) => item.json.invoiceHeader === undefined || mode === 'file');
			return mode === 'rows' ? data.length : sumRowCounts(data);
		},
	};
}

/**
 * Every invoice over several pages, then each one by ID: both Partner Center calls under each
 * fault. Get is app+user only at Microsoft; the sandbox allows it app-only here (matrix.ts).
 */
function partnerCenterFlow(): Flow {
	const nodes: [string, string] = ['Get Many Invoices', 'Get Invoice'];
	return {
		id: 'partnerCenter/invoices',
		vendor: 'partnerCenter',
		apiOnly: true,
		title: 'Invoice Get Many (Return All) → Get',
		nodes,
		workflow: (_sandbox, options) =>
			twoNodeWorkflow(
				{
					name: nodes[0],
					type: 'microsoftPartnerBilling',
					parameters: { resource: 'invoice', operation: 'getAll', returnAll: true, options },
				},
				{
					name: nodes[1],
					type: 'microsoftPartnerBilling',
					parameters: {
						resource: 'invoice',
						operation: 'get',
						invoiceId: '={{ $json.id }}',
						options,
					},
				},
			),
		credentials: (sandbox) => ({ microsoftPartnerBillingOAuth2Api: microsoftCredential(sandbox) }),
		expectedRecords: (sandbox) => sandbox.graph!.partnerCenterInvoices().length,
		volatileFields: [],
		recordsOf: (items) => items.length,
	};
}

export const FLOWS: Record<Vendor, Flow[]> = {
	webex: [webexFlow('rows'), webexFlow('aggregate'), webexFlow('file')],
	graph: [graphFlow('aggregate'), graphFlow('file')],
	cisco: [ciscoFlow('rows'), ciscoFlow('aggregate'), ciscoFlow('file')],
	partnerCenter: [partnerCenterFlow()],
};

const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');

/** The run reduced to what a fault must not change (see FlowOutcome). */
export async function outcomeOf(flow: Flow, result: WorkflowResult): Promise<FlowOutcome> {
	for (const node of flow.nodes) {
		const error = result.error(node);
		if (error) {
			const description = (error as { description?: string }).description ?? '';
			return {
				items: [],
				records: 0,
				error: { node, text: `${error.message} ${description}`.trim() },
			};
		}
	}
	const downloaded = result.ran(flow.nodes[1]) ? result.outputs(flow.nodes[1]) : [];
	const items: IDataObject[] = [];
	for (const item of downloaded) {
		const json = { ...item.json };
		for (const field of flow.volatileFields) delete json[field];
		const binaries: IDataObject = {};
		for (const [property, binary] of Object.entries(item.binary ?? {})) {
			binaries[property] = {
				sha256: sha256(await result.binary(item, property)),
				mimeType: binary.mimeType,
			};
		}
		items.push(Object.keys(binaries).length ? { json, binary: binaries } : { json });
	}
	return { items, records: flow.recordsOf(downloaded) };
}
