/**
 * The bad-input catalogue: for every node and operation, each parameter's invalid values —
 * empty, wrong format, out of range, and the wrong type or an unknown choice as an expression
 * can give them — are refused before any request (empty values come from expressions: a
 * required parameter left empty in the editor is refused by n8n before the node runs), with a message that names the parameter
 * as the editor shows it (in quotes) and the rule it broke. Table-driven; the rows are
 * counted for the README.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import { loadPack, type LoadedPackage } from '../harness';
import { ciscoCredential, webexCredential } from '../helpers/credentials';
import { reliabilityOutput } from '../helpers/reliability';

type NodeKey = 'webex' | 'graph' | 'cisco' | 'reconcile';

interface BadInput {
	node: NodeKey;
	operation: string;
	/** the parameter's display name: the message starts with it, quoted */
	parameter: string;
	/** what is wrong, for the test title */
	given: string;
	/** the operation's parameters with the bad value in place */
	parameters: IDataObject;
	/** the rule the message states after the parameter's name */
	rule: string;
}

const DAY_MS = 86_400_000;
const day = (offset: number) => new Date(Date.now() - offset * DAY_MS).toISOString().slice(0, 10);
const REPORT_ID = 'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JUL2JhZGlucHV0';
const expression = (code: string) => `={{ ${code} }}`;
/** Empty as data makes it: n8n itself refuses a required parameter left empty in the editor. */
const EMPTY = expression('""');

/** Valid parameters of each operation; a row overrides one of them. */
const BASE: Record<string, IDataObject> = {
	'webex create': {
		resource: 'report',
		authentication: 'accessToken',
		operation: 'create',
		billingStartDate: day(31),
		billingEndDate: day(2),
		reportType: 'CUSTOMER',
		options: {},
	},
	'webex get': {
		resource: 'report',
		authentication: 'accessToken',
		operation: 'get',
		reportId: REPORT_ID,
		options: {},
	},
	'webex delete': {
		resource: 'report',
		authentication: 'accessToken',
		operation: 'delete',
		reportId: REPORT_ID,
	},
	'webex getAll': {
		resource: 'report',
		authentication: 'accessToken',
		operation: 'getAll',
		returnAll: false,
		limit: 10,
		filters: {},
		options: {},
	},
	'webex download': {
		resource: 'report',
		authentication: 'accessToken',
		operation: 'download',
		reportId: REPORT_ID,
		outputMode: 'aggregate',
		groupBy: 'SKU',
		sumFields: 'QUANTITY',
		seatRule: 'none',
		options: {},
	},
	'graph start': {
		resource: 'export',
		operation: 'start',
		dataset: 'billedUsage',
		invoiceId: 'G000000001',
		attributeSet: 'full',
		options: {},
	},
	'graph getStatus': { resource: 'export', operation: 'getStatus', operationId: 'a1b2c3' },
	'graph download': {
		resource: 'export',
		operation: 'download',
		operationId: 'a1b2c3',
		outputMode: 'aggregate',
		groupBy: 'CustomerId',
		sumFields: 'Total',
		options: {},
	},
	'graph getAll': {
		resource: 'invoice',
		operation: 'getAll',
		returnAll: false,
		limit: 1,
		filters: {},
		options: {},
	},
	'graph get': { resource: 'invoice', operation: 'get', invoiceId: 'G000000001', options: {} },
	'graph markReconciled': {
		resource: 'invoice',
		operation: 'markReconciled',
		invoiceId: 'G000000001',
	},
	'cisco getDownloadLinks': {
		resource: 'usage',
		operation: 'getDownloadLinks',
		requestBy: 'invoiceNumbers',
		invoiceNumbers: '537541276',
		options: {},
	},
	'cisco download': {
		resource: 'usage',
		operation: 'download',
		usageUrl: 'https://files.example.com/u/1.zip?sig=x',
		outputMode: 'rows',
		includeHeader: 'separate',
		options: {},
	},
	'reconcile reconcile': {
		matchFields: { values: [{ fieldA: 'id', fieldB: '' }] },
		compareFields: {
			values: [{ fieldA: 'amount', fieldB: '', absoluteTolerance: 0, relativeTolerancePercent: 0 }],
		},
		options: {},
	},
};

function row(
	node: NodeKey,
	operation: string,
	parameter: string,
	given: string,
	change: IDataObject,
	rule: string,
): BadInput {
	const base = BASE[`${node} ${operation}`];
	const parameters: IDataObject = { ...base };
	for (const [name, value] of Object.entries(change)) {
		// `options.x` and `filters.x` set a field of that collection.
		const [collection, field] = name.split('.');
		if (field === undefined) parameters[name] = value;
		else parameters[collection] = { ...(base[collection] as IDataObject), [field]: value };
	}
	return { node, operation, parameter, given, parameters, rule };
}

/** The Timeout (Minutes) option's bad values, for every operation that has it. */
const timeouts = (node: NodeKey, operation: string) => [
	row(
		node,
		operation,
		'Timeout (Minutes)',
		'0',
		{ 'options.timeoutMinutes': 0 },
		'must be a number from 0.05 to 1440',
	),
	row(
		node,
		operation,
		'Timeout (Minutes)',
		'more than a day',
		{ 'options.timeoutMinutes': 1441 },
		'must be a number from 0.05 to 1440',
	),
	row(
		node,
		operation,
		'Timeout (Minutes)',
		'text from an expression',
		{ 'options.timeoutMinutes': expression('"soon"') },
		'must be a number from 0.05 to 1440',
	),
];
const dateRules = (node: NodeKey, operation: string, name: string, label: string, rule: string) => [
	row(node, operation, label, 'empty', { [name]: EMPTY }, rule),
	row(node, operation, label, 'words', { [name]: 'last month' }, rule),
	row(node, operation, label, 'a day that does not exist', { [name]: '2025-02-30' }, rule),
	row(
		node,
		operation,
		label,
		'a number from an expression',
		{ [name]: expression('20250101') },
		rule,
	),
	row(
		node,
		operation,
		label,
		'an invalid Date from an expression',
		{ [name]: expression('new Date("never")') },
		rule,
	),
];

const CATALOGUE: BadInput[] = [
	// Webex Wholesale Billing
	row(
		'webex',
		'create',
		'Authentication',
		'an unknown choice from an expression',
		{ authentication: expression('"basic"') },
		'must be one of Access Token, OAuth2',
	),
	...dateRules(
		'webex',
		'create',
		'billingStartDate',
		'Billing Start Date',
		'must be a date written as YYYY-MM-DD',
	),
	row(
		'webex',
		'create',
		'Billing Start Date',
		'today',
		{ billingStartDate: day(0) },
		"must not be today: Webex aggregates each day's usage the next day",
	),
	row(
		'webex',
		'create',
		'Billing Start Date',
		'in the future',
		{ billingStartDate: day(-3), billingEndDate: day(-4) },
		'must not be in the future',
	),
	row(
		'webex',
		'create',
		'Billing Start Date',
		'six years ago',
		{ billingStartDate: day(6 * 366) },
		'must not be more than five years ago',
	),
	row(
		'webex',
		'create',
		'Billing Start Date',
		'after the end date',
		{ billingStartDate: day(2), billingEndDate: day(5) },
		"must not be after 'Billing End Date'",
	),
	...dateRules(
		'webex',
		'create',
		'billingEndDate',
		'Billing End Date',
		'must be a date written as YYYY-MM-DD',
	),
	row(
		'webex',
		'create',
		'Billing End Date',
		'today',
		{ billingEndDate: day(0) },
		"must not be today: Webex aggregates each day's usage the next day",
	),
	row(
		'webex',
		'create',
		'Report Type',
		'an unknown choice from an expression',
		{ reportType: expression('"MONTHLY"') },
		'must be one of Partner, Customer, User',
	),
	row(
		'webex',
		'create',
		'If a Report Exists',
		'an unknown choice',
		{ 'options.ifExists': 'overwrite' },
		'must be one of Error, Reuse, Recreate',
	),
	row(
		'webex',
		'create',
		'Include Download URL',
		'text from an expression',
		{ 'options.includeDownloadUrl': expression('"yes"') },
		'must be true or false',
	),
	row(
		'webex',
		'create',
		'Include Internal Orgs',
		'a number from an expression',
		{ 'options.internal': expression('1') },
		'must be true or false',
	),
	row(
		'webex',
		'create',
		'Sub-Partner Org ID',
		'an object from an expression',
		{ 'options.subPartnerOrgId': expression('{ id: 1 }') },
		'must be text',
	),
	row(
		'webex',
		'create',
		'Wait for Completion',
		'text from an expression',
		{ 'options.waitForCompletion': expression('"later"') },
		'must be true or false',
	),
	...timeouts('webex', 'create'),
	row('webex', 'get', 'Report ID', 'empty', { reportId: EMPTY }, 'must not be empty'),
	row(
		'webex',
		'get',
		'Report ID',
		'a path',
		{ reportId: 'reports/1' },
		'must be a Webex report ID, without spaces, slashes or URL parts',
	),
	row(
		'webex',
		'get',
		'Report ID',
		'with spaces',
		{ reportId: 'my report' },
		'must be a Webex report ID, without spaces, slashes or URL parts',
	),
	row(
		'webex',
		'get',
		'Include Download URL',
		'text',
		{ 'options.includeDownloadUrl': 'true' },
		'must be true or false',
	),
	row(
		'webex',
		'delete',
		'Report ID',
		'a query',
		{ reportId: `${REPORT_ID}?force=1` },
		'must be a Webex report ID, without spaces, slashes or URL parts',
	),
	row('webex', 'delete', 'Report ID', 'blank', { reportId: '   ' }, 'must not be empty'),
	row(
		'webex',
		'getAll',
		'Return All',
		'text from an expression',
		{ returnAll: expression('"all"') },
		'must be true or false',
	),
	row('webex', 'getAll', 'Limit', '0', { limit: 0 }, 'must be a whole number of 1 or more'),
	row(
		'webex',
		'getAll',
		'Limit',
		'a fraction',
		{ limit: 2.5 },
		'must be a whole number of 1 or more',
	),
	row(
		'webex',
		'getAll',
		'Limit',
		'text from an expression',
		{ limit: expression('"ten"') },
		'must be a whole number of 1 or more',
	),
	row(
		'webex',
		'getAll',
		'Billing Start Date',
		'a European date',
		{ 'filters.billingStartDate': '01.10.2025' },
		'in Filters must be a date written as YYYY-MM-DD',
	),
	row(
		'webex',
		'getAll',
		'Billing End Date',
		'words',
		{ 'filters.billingEndDate': 'yesterday' },
		'in Filters must be a date written as YYYY-MM-DD',
	),
	row(
		'webex',
		'getAll',
		'Report Type',
		'an unknown choice',
		{ 'filters.reportType': 'DAILY' },
		'must be one of Partner, Customer, User',
	),
	row(
		'webex',
		'getAll',
		'Status',
		'an unknown choice',
		{ 'filters.status': 'DONE' },
		'must be one of Completed, Failed, In Progress',
	),
	row(
		'webex',
		'getAll',
		'Sort By',
		'an unknown choice',
		{ 'filters.sortBy': 'size' },
		'must be one of Billing End Date, Billing Start Date, ID, Status',
	),
	row(
		'webex',
		'getAll',
		'Sub-Partner Org ID',
		'a list from an expression',
		{ 'filters.subPartnerOrgId': expression('["a", "b"]') },
		'must be text',
	),
	row(
		'webex',
		'download',
		'Report ID',
		'a URL',
		{ reportId: 'https://webexapis.com/v1/x' },
		'must be a Webex report ID, without spaces, slashes or URL parts',
	),
	row(
		'webex',
		'download',
		'Output',
		'an unknown choice from an expression',
		{ outputMode: expression('"csv"') },
		'must be one of Rows, Aggregate, File',
	),
	row(
		'webex',
		'download',
		'Group By',
		'empty',
		{ groupBy: EMPTY },
		'needs at least one column name',
	),
	row(
		'webex',
		'download',
		'Sum Fields',
		'only commas',
		{ sumFields: ' , ,' },
		'needs at least one column name',
	),
	row(
		'webex',
		'download',
		'Put Output File in Field',
		'empty',
		{ outputMode: 'file', binaryPropertyName: ' ' },
		'must not be empty',
	),
	row(
		'webex',
		'download',
		'Seat Rule',
		'an unknown choice',
		{ seatRule: 'roundUp' },
		'must be one of None, Ceil per Day',
	),
	row(
		'webex',
		'download',
		'Seat Rule',
		'Ceil per Day without QUANTITY',
		{ seatRule: 'ceilPerDay', sumFields: 'LICENSE_ID' },
		"Ceil per Day needs QUANTITY among the 'Sum Fields'",
	),
	row(
		'webex',
		'download',
		'Wait for Completion',
		'text from an expression',
		{ 'options.waitForCompletion': expression('"no"') },
		'must be true or false',
	),
	...timeouts('webex', 'download'),

	// Microsoft Partner Billing
	row(
		'graph',
		'start',
		'Dataset',
		'an unknown choice from an expression',
		{ dataset: expression('"billedInvoices"') },
		'must be one of billedUsage, unbilledUsage, billedReconciliation, unbilledReconciliation',
	),
	row(
		'graph',
		'start',
		'Invoice ID',
		'empty',
		{ invoiceId: EMPTY },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'start',
		'Invoice ID',
		'with a space',
		{ invoiceId: 'G 12345' },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'start',
		'Invoice ID',
		'too long',
		{ invoiceId: 'G'.repeat(65) },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'start',
		'Billing Period',
		'an unknown choice',
		{ dataset: 'unbilledUsage', billingPeriod: 'previous', currencyCode: 'USD' },
		'must be current or last',
	),
	row(
		'graph',
		'start',
		'Currency Code',
		'a word',
		{ dataset: 'unbilledUsage', billingPeriod: 'last', currencyCode: 'DOLLARS' },
		'must be a three-letter ISO 4217 code such as USD',
	),
	row(
		'graph',
		'start',
		'Currency Code',
		'empty',
		{ dataset: 'unbilledReconciliation', billingPeriod: 'current', currencyCode: EMPTY },
		'must be a three-letter ISO 4217 code such as USD',
	),
	row(
		'graph',
		'start',
		'Attribute Set',
		'an unknown choice',
		{ attributeSet: 'all' },
		'must be full or basic',
	),
	row(
		'graph',
		'start',
		'Wait for Completion',
		'a number from an expression',
		{ 'options.waitForCompletion': expression('0') },
		'must be true or false',
	),
	...timeouts('graph', 'start'),
	row('graph', 'getStatus', 'Operation ID', 'empty', { operationId: EMPTY }, 'must not be empty'),
	row(
		'graph',
		'getStatus',
		'Operation ID',
		'a path',
		{ operationId: 'operations/1' },
		"must be an operation ID or the operation's full URL",
	),
	row(
		'graph',
		'getStatus',
		'Operation ID',
		'a URL on another host',
		{ operationId: 'https://graph.example.net/v1.0/reports/partners/billing/operations/1' },
		'must be an operation ID, or an operation URL on',
	),
	row(
		'graph',
		'download',
		'Operation ID',
		'a query',
		{ operationId: 'a1?b=2' },
		"must be an operation ID or the operation's full URL",
	),
	row(
		'graph',
		'download',
		'Operation ID',
		'a URL that is not one',
		{ operationId: 'https://' },
		'must be an operation ID, or an operation URL on',
	),
	row(
		'graph',
		'download',
		'Output',
		'an unknown choice',
		{ outputMode: 'rows' },
		'must be one of Line Items, Aggregate, File',
	),
	row(
		'graph',
		'download',
		'Group By',
		'empty',
		{ groupBy: EMPTY },
		'needs at least one attribute name',
	),
	row(
		'graph',
		'download',
		'Sum Fields',
		'empty',
		{ sumFields: ',' },
		'needs at least one attribute name',
	),
	row(
		'graph',
		'download',
		'Put Output File in Field',
		'empty',
		{ outputMode: 'file', binaryPropertyName: EMPTY },
		'must not be empty',
	),
	row(
		'graph',
		'download',
		'Concurrency',
		'0',
		{ 'options.concurrency': 0 },
		'must be a whole number from 1 to 16',
	),
	row(
		'graph',
		'download',
		'Concurrency',
		'17',
		{ 'options.concurrency': 17 },
		'must be a whole number from 1 to 16',
	),
	row(
		'graph',
		'download',
		'Concurrency',
		'a fraction',
		{ 'options.concurrency': 1.5 },
		'must be a whole number from 1 to 16',
	),
	row(
		'graph',
		'download',
		'Max Line Items',
		'0',
		{ outputMode: 'lineItems', 'options.maxItems': 0 },
		'must be a whole number of 1 or more',
	),
	row(
		'graph',
		'download',
		'On No Data',
		'an unknown choice',
		{ 'options.onNoData': 'ignore' },
		'must be one of Output Nothing, Error',
	),
	row(
		'graph',
		'download',
		'Restart Expired Exports',
		'text from an expression',
		{ 'options.restartOnExpired': expression('"always"') },
		'must be true or false',
	),
	...timeouts('graph', 'download'),
	row(
		'graph',
		'getAll',
		'Return All',
		'text from an expression',
		{ returnAll: expression('"yes"') },
		'must be true or false',
	),
	row('graph', 'getAll', 'Limit', '0', { limit: 0 }, 'must be a whole number of 1 or more'),
	row(
		'graph',
		'getAll',
		'Limit',
		'a fraction',
		{ limit: 1.5 },
		'must be a whole number of 1 or more',
	),
	row(
		'graph',
		'getAll',
		'Billing Period Start',
		'a month that does not exist',
		{ 'filters.periodStart': '2023-13-01' },
		'in Filters must be a date written as YYYY-MM-DD',
	),
	row(
		'graph',
		'getAll',
		'Billing Period End',
		'words',
		{ 'filters.periodEnd': 'last month' },
		'in Filters must be a date written as YYYY-MM-DD',
	),
	row(
		'graph',
		'getAll',
		'Billing Period Start',
		'after the end',
		{ filters: { periodStart: '2023-10-01', periodEnd: '2023-09-30' } },
		"must not be after 'Billing Period End' (2023-09-30)",
	),
	row(
		'graph',
		'getAll',
		'Invoice Type',
		'an object from an expression',
		{ 'filters.invoiceType': expression('{ type: "Recurring" }') },
		'must be text',
	),
	row(
		'graph',
		'getAll',
		'Document Type',
		'a list from an expression',
		{ 'filters.documentType': expression('["Invoice"]') },
		'must be text',
	),
	row(
		'graph',
		'getAll',
		'Skip Invoices Marked as Reconciled',
		'text from an expression',
		{ 'options.skipReconciled': expression('"yes"') },
		'must be true or false',
	),
	...timeouts('graph', 'getAll'),
	row(
		'graph',
		'get',
		'Invoice ID',
		'empty',
		{ invoiceId: EMPTY },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'get',
		'Invoice ID',
		'a path',
		{ invoiceId: 'invoices/G000000001' },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'get',
		'Invoice ID',
		'too long',
		{ invoiceId: 'G'.repeat(65) },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	...timeouts('graph', 'get'),
	row(
		'graph',
		'markReconciled',
		'Invoice ID',
		'empty',
		{ invoiceId: EMPTY },
		'must be a Microsoft invoice number such as G012345678 (letters and digits)',
	),
	row(
		'graph',
		'markReconciled',
		'Invoice ID',
		'a list from an expression',
		{ invoiceId: expression('["G000000001"]') },
		'must be text',
	),

	// Cisco XaaS Billing
	row(
		'cisco',
		'getDownloadLinks',
		'Request By',
		'an unknown choice from an expression',
		{ requestBy: expression('"customer"') },
		'must be one of Invoice Numbers, Invoice Date Range, Subscription IDs',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Invoice Numbers',
		'empty',
		{ invoiceNumbers: ' , ' },
		'is empty: give at least one',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Invoice Numbers',
		'not digits',
		{ invoiceNumbers: '537541276, INV-1' },
		"holds 'INV-1', which is not an invoice number (digits only)",
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Invoice Numbers',
		'too many digits',
		{ invoiceNumbers: '1234567890123456' },
		'which is not an invoice number (digits only)',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Subscription IDs',
		'empty',
		{ requestBy: 'subscriptionIds', subscriptionIds: EMPTY },
		'is empty: give at least one',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Subscription IDs',
		'with a slash',
		{ requestBy: 'subscriptionIds', subscriptionIds: 'Sub1/../x' },
		'which is not a subscription ID',
	),
	...dateRules(
		'cisco',
		'getDownloadLinks',
		'beginDate',
		'Begin Date',
		'must be a date, for example 2026-10-01',
	).map((bad) => ({
		...bad,
		parameters: { ...bad.parameters, requestBy: 'dateRange', endDate: day(1) },
	})),
	row(
		'cisco',
		'getDownloadLinks',
		'End Date',
		'words',
		{ requestBy: 'dateRange', beginDate: day(30), endDate: 'today' },
		'must be a date, for example 2026-10-01',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Begin Date',
		'more than six months back',
		{ requestBy: 'dateRange', beginDate: day(200), endDate: day(1) },
		'reaches back more than six months',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Begin Date',
		'after the end date',
		{ requestBy: 'dateRange', beginDate: day(3), endDate: day(5) },
		"is after 'End Date'",
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Billing Address ID (BID)',
		'not digits',
		{ billingAddressId: 'BID-1' },
		'must be digits only',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Created By',
		'longer than 50 characters',
		{ 'options.createdBy': 'c'.repeat(51) },
		'has 51 characters; Cisco allows at most 50',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Link Validity (Hours)',
		'0',
		{ 'options.linkValidityHours': 0 },
		'must be a number of 0.1 or more',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Link Validity (Hours)',
		'text from an expression',
		{ 'options.linkValidityHours': expression('"a day"') },
		'must be a number of 0.1 or more',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Subscription List Field',
		'with a space',
		{
			requestBy: 'subscriptionIds',
			subscriptionIds: 'Sub123456',
			'options.subscriptionListField': 'subscription list',
		},
		'must be a field name such as subscriptionList',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Subscription ID Field',
		'starting with a digit',
		{
			requestBy: 'subscriptionIds',
			subscriptionIds: 'Sub123456',
			'options.subscriptionIdField': '1id',
		},
		'must be a field name such as subscriptionList',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Usage Path',
		'without a leading slash',
		{ 'options.usagePath': 'usage' },
		'must be a path under the API base URL, such as /usage',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Usage Path',
		'with a query',
		{ 'options.usagePath': '/usage?debug=1' },
		'must be a path under the API base URL, such as /usage',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Usage Path',
		'climbing out',
		{ 'options.usagePath': '/../admin' },
		'must be a path under the API base URL, such as /usage',
	),
	row(
		'cisco',
		'getDownloadLinks',
		'Usage By Subscription Path',
		'a URL',
		{ 'options.usageBySubscriptionPath': 'https://apx.example.com/x' },
		'must be a path under the API base URL, such as /usage',
	),
	...timeouts('cisco', 'getDownloadLinks'),
	row('cisco', 'download', 'Usage URL', 'empty', { usageUrl: EMPTY }, 'is empty'),
	row(
		'cisco',
		'download',
		'Usage URL',
		'not https',
		{ usageUrl: 'http://files.example.com/u/1.zip?sig=x' },
		'is not an https link',
	),
	row(
		'cisco',
		'download',
		'Usage URL',
		'an object from an expression',
		{ usageUrl: expression('{ url: "x" }') },
		'is not an https link',
	),
	row(
		'cisco',
		'download',
		'Output',
		'an unknown choice',
		{ outputMode: 'zip' },
		'must be one of Rows, Aggregate, File',
	),
	row(
		'cisco',
		'download',
		'Group By',
		'empty',
		{ outputMode: 'aggregate', groupBy: EMPTY, sumFields: 'Extended Amount' },
		'needs at least one column name',
	),
	row(
		'cisco',
		'download',
		'Sum Fields',
		'empty',
		{ outputMode: 'aggregate', groupBy: 'Subscription ID', sumFields: EMPTY },
		'needs at least one column name',
	),
	row(
		'cisco',
		'download',
		'Put Output File in Field',
		'empty',
		{ outputMode: 'file', binaryPropertyName: EMPTY },
		'must not be empty',
	),
	row(
		'cisco',
		'download',
		'Invoice Header',
		'an unknown choice',
		{ includeHeader: 'top' },
		'must be one of Merge Into Each Item, Separate Item, Leave Out',
	),
	row(
		'cisco',
		'download',
		'Delimiter',
		'an unknown choice',
		{ 'options.delimiter': ':' },
		'must be one of Comma, Detect, Pipe, Semicolon, Tab',
	),
	row(
		'cisco',
		'download',
		'Header File Name Contains',
		'empty',
		{ 'options.headerFileName': ' ' },
		'must not be empty',
	),
	row(
		'cisco',
		'download',
		'Usage File Name Contains',
		'empty',
		{ 'options.usageFileName': '' },
		'must not be empty',
	),
	row(
		'cisco',
		'download',
		'Line Count Column',
		'an object from an expression',
		{ 'options.lineCountColumn': expression('{}') },
		'must be text',
	),
	row(
		'cisco',
		'download',
		'Max ZIP Size (MB)',
		'0',
		{ 'options.maxZipMb': 0 },
		'must be a number from 1 to 4096',
	),
	row(
		'cisco',
		'download',
		'Max ZIP Size (MB)',
		'more than 4 GiB',
		{ 'options.maxZipMb': 5000 },
		'must be a number from 1 to 4096',
	),
	row(
		'cisco',
		'download',
		'Max Compression Ratio',
		'1',
		{ 'options.maxCompressionRatio': 1 },
		'must be a number of 2 or more',
	),
	row(
		'cisco',
		'download',
		'Authorized File Hosts',
		'every host',
		{ 'options.authorizedFileHosts': '*' },
		'must list host names, or *.domain for its subdomains (such as *.cisco.com)',
	),
	row(
		'cisco',
		'download',
		'Authorized File Hosts',
		'a whole top-level domain',
		{ 'options.authorizedFileHosts': '*.cisco.com, *.com' },
		'must list host names, or *.domain for its subdomains (such as *.cisco.com)',
	),
	row(
		'cisco',
		'download',
		'Authorized File Hosts',
		'a URL',
		{ 'options.authorizedFileHosts': 'https://files.cisco.com' },
		'must list host names, or *.domain for its subdomains (such as *.cisco.com)',
	),
	...timeouts('cisco', 'download'),

	// Billing Reconcile
	row(
		'reconcile',
		'reconcile',
		'Match Fields',
		'none',
		{ matchFields: { values: [] } },
		'needs at least one pair of fields',
	),
	row(
		'reconcile',
		'reconcile',
		'Match Fields',
		'a pair without its A field',
		{ matchFields: { values: [{ fieldA: ' ', fieldB: 'id' }] } },
		'entry 1 has no A Field',
	),
	row(
		'reconcile',
		'reconcile',
		'Compare Fields',
		'the same A field twice',
		{ compareFields: { values: [{ fieldA: 'amount' }, { fieldA: 'amount' }] } },
		"lists the A field 'amount' twice",
	),
	row(
		'reconcile',
		'reconcile',
		'Compare Fields',
		'a pair without its A field',
		{ compareFields: { values: [{ fieldA: '' }] } },
		'entry 1 has no A Field',
	),
	row(
		'reconcile',
		'reconcile',
		'Absolute Tolerance',
		'negative',
		{ compareFields: { values: [{ fieldA: 'amount', absoluteTolerance: -0.01 }] } },
		"of 'Compare Fields' entry 1 must be a number of 0 or more",
	),
	row(
		'reconcile',
		'reconcile',
		'Absolute Tolerance',
		'text from an expression',
		{
			compareFields: { values: [{ fieldA: 'amount', absoluteTolerance: expression('"a cent"') }] },
		},
		"of 'Compare Fields' entry 1 must be a number of 0 or more",
	),
	row(
		'reconcile',
		'reconcile',
		'Relative Tolerance (%)',
		'negative',
		{ compareFields: { values: [{ fieldA: 'amount', relativeTolerancePercent: -1 }] } },
		"of 'Compare Fields' entry 1 must be a number of 0 or more",
	),
	row(
		'reconcile',
		'reconcile',
		'Sum A Rows per Key',
		'text from an expression',
		{ aggregateA: expression('"yes"') },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'Sum B Rows per Key',
		'a number from an expression',
		{ aggregateB: expression('1') },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'Trim Keys',
		'text',
		{ 'options.trim': 'yes' },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'Case-Insensitive Keys',
		'text',
		{ 'options.caseInsensitive': 'no' },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'Ignore Leading Zeros in Keys',
		'a number',
		{ 'options.ignoreLeadingZeros': 0 },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'Include Matched Rows',
		'text',
		{ 'options.includeMatched': 'false' },
		'must be true or false',
	),
	row(
		'reconcile',
		'reconcile',
		'On Duplicate Keys',
		'an unknown choice',
		{ 'options.onDuplicateKeys': 'merge' },
		'must be one of Aggregate, Error, Keep First',
	),
	row(
		'reconcile',
		'reconcile',
		'Report Title',
		'an object from an expression',
		{ 'options.reportTitle': expression('{ title: 1 }') },
		'must be text',
	),
	row(
		'reconcile',
		'reconcile',
		'Summary Max Rows',
		'negative',
		{ 'options.summaryMaxRows': -1 },
		'must be a whole number of 0 or more',
	),
	row(
		'reconcile',
		'reconcile',
		'Summary Max Rows',
		'a fraction',
		{ 'options.summaryMaxRows': 2.5 },
		'must be a whole number of 0 or more',
	),
	row(
		'reconcile',
		'reconcile',
		'Summary Max Rows',
		'text from an expression',
		{ 'options.summaryMaxRows': expression('"all"') },
		'must be a whole number of 0 or more',
	),
];

const NODE_TYPES: Record<NodeKey, string> = {
	webex: 'webexWholesaleBilling',
	graph: 'microsoftPartnerBilling',
	cisco: 'ciscoXaasBilling',
	reconcile: 'billingReconcile',
};

function credentialsFor(node: NodeKey, sandbox: Sandbox): IDataObject {
	switch (node) {
		case 'webex':
			return { webexWholesaleApi: webexCredential(sandbox) };
		case 'graph':
			// No Graph part runs: a request the node should not make would reach the sandbox unanswered, and be logged.
			return {
				microsoftPartnerBillingOAuth2Api: {
					grantType: 'clientCredentials',
					tenantId: '30b8d701-e6a3-4a5f-b459-e96d15abaee1',
					clientId: 'client',
					clientSecret: 'secret',
					graphBaseUrl: `${sandbox.url}/graph/v1.0`,
					partnerCenterBaseUrl: `${sandbox.url}/partnercenter/v1`,
					loginBaseUrl: `${sandbox.url}/login`,
				},
			};
		case 'cisco':
			return { ciscoXaasBillingApi: ciscoCredential(sandbox) };
		case 'reconcile':
			return {};
	}
}

describe('bad input catalogue', () => {
	let sandbox: Sandbox;
	let pack: LoadedPackage;
	const figures = {
		badInputs: CATALOGUE.length,
		parameters: new Set(CATALOGUE.map((bad) => `${bad.node} ${bad.operation} ${bad.parameter}`))
			.size,
		operations: new Set(CATALOGUE.map((bad) => `${bad.node} ${bad.operation}`)).size,
		refused: 0,
	};

	beforeAll(async () => {
		sandbox = await startSandbox();
		pack = await loadPack();
	});
	afterAll(async () => {
		await sandbox?.stop();
		reliabilityOutput('inputs', figures);
	});
	beforeEach(() => sandbox.reset());

	it('covers every operation of every node', () => {
		expect([...new Set(CATALOGUE.map((bad) => `${bad.node} ${bad.operation}`))].sort()).toEqual(
			Object.keys(BASE).sort(),
		);
	});

	it.each(
		CATALOGUE.map(
			(bad) =>
				[`${NODE_TYPES[bad.node]} ${bad.operation}: '${bad.parameter}' ${bad.given}`, bad] as const,
		),
	)('%s', async (_title, bad) => {
		const { error, items } = await pack.executeNode({
			nodeType: NODE_TYPES[bad.node],
			parameters: bad.parameters as never,
			credentials: credentialsFor(bad.node, sandbox) as never,
			...(bad.node === 'reconcile'
				? { inputs: [[{ id: 1, amount: 1 }], [{ id: 1, amount: 1 }]] }
				: {}),
			timezone: 'UTC',
		});
		expect(items).toEqual([]);
		expect(error?.message.startsWith(`'${bad.parameter}' `)).toBe(true);
		expect(error?.message).toContain(bad.rule);
		expect(sandbox.requests).toEqual([]);
		figures.refused++;
	});
});
