// Type declarations for the sandbox (plain JavaScript, see index.js) so TypeScript tests get types.
import type { IncomingHttpHeaders } from 'http';
import type { Dataset } from './webex/data';
import type { GraphDataset, GraphDatasetInfo } from './graph/data';

export type ReportType = 'PARTNER' | 'CUSTOMER' | 'USER';
export type ReportStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface RequestLogEntry {
	vendor: string | undefined;
	kind: 'api' | 'download' | 'token' | string | undefined;
	method: string;
	/** relative to the vendor API base for kind 'api' (e.g. '/wholesale/billing/reports'), the full path otherwise */
	path: string;
	query: { [name: string]: string | string[] };
	headers: IncomingHttpHeaders;
	/** parsed JSON when the body is JSON, else the raw string; undefined when empty */
	body: unknown;
	/** undefined when the connection was reset before a response */
	status: number | undefined;
	fault: Fault['type'] | undefined;
	/** response body bytes the client got (cuts and rewrites included) */
	bytes: number;
	at: number;
}

export interface Fault {
	vendor?: 'webex' | 'graph' | 'cisco' | string;
	kind?: 'api' | 'download' | 'token' | string;
	method?: string;
	/** string: prefix of the logged path; RegExp: tested against it */
	path?: string | RegExp;
	/** default 1; Infinity allowed; decremented per hit */
	times?: number;
	type: 'status' | 'reset' | 'slow' | 'html' | 'empty' | 'contentType' | 'truncate' | 'transform';
	status?: number;
	/** seconds, or an HTTP-date sent verbatim */
	retryAfter?: number | string;
	/** status faults: replaces the vendor error body (objects are sent as JSON) */
	body?: unknown;
	/**
	 * reset: body bytes sent before the socket is destroyed; omitted = reset before any response (request not executed).
	 * truncate: body bytes kept; the answer then ends normally with a Content-Length that matches.
	 */
	afterBytes?: number;
	/** slow: delay before the request executes and is answered (default 1000) */
	delayMs?: number;
	/** contentType: sent instead of the vendor's Content-Type; empty: the Content-Type of the empty answer (default none) */
	contentType?: string;
	/** transform: rewrites the whole answer body (Content-Length follows); see sandbox/corrupt.js */
	transform?: (body: Buffer) => Buffer;
	/** maintained by the sandbox */
	hits?: number;
}

export interface WebexOptions {
	reportDelayMs: number;
	downloadUrlTtlSeconds: number;
	userReportRows: number | undefined;
	csvBom: boolean;
	/** gzip report files when the client accepts it (Content-Encoding: gzip; not for ranges) */
	downloadGzip: boolean;
	accessToken: string;
	clientId: string;
	clientSecret: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
	/** status of a successful create (default 200; the docs also speak of 202) */
	createStatus: number;
	/** key of the report type in GET /reports/{id} (default 'type'; one spec example says 'reportType') */
	reportTypeField: 'type' | 'reportType';
	/** how IN_PROGRESS is shown by get/list (default 'IN_PROGRESS'; 'REQUESTED' was seen in the wild) */
	inProgressStatus: string;
}

export interface ReportError {
	code?: number;
	description: string;
}

export interface ReportRecord {
	readonly id: string;
	readonly uuid: string;
	billingStartDate: string;
	billingEndDate: string;
	type: ReportType;
	subPartnerOrgId: string | undefined;
	internal: boolean;
	category: 'RECONCILIATION';
	createdMs: number;
	readonly created: string;
	createdBy: string;
	/** computed lazily from the live reportDelayMs; assign to force a status */
	status: ReportStatus;
	errors: ReportError[];
	folderUuid: string;
	fileUuid: string;
	seq: number;
}

export interface SeedReportParams {
	billingStartDate: string;
	billingEndDate: string;
	type?: ReportType;
	subPartnerOrgId?: string;
	internal?: boolean;
	/** default COMPLETED; a seeded IN_PROGRESS report stays so until a test sets `status` */
	status?: ReportStatus;
	errors?: ReportError[];
	/** ISO string or ms epoch; default now */
	created?: string | number;
}

export interface WebexSandbox {
	readonly baseUrl: string;
	readonly authorizeUrl: string;
	readonly tokenUrl: string;
	readonly accessToken: string;
	readonly clientId: string;
	readonly clientSecret: string;
	options: WebexOptions;
	reports: Map<string, ReportRecord>;
	dataset: Dataset;
	seed: number;
	seedReport(params: SeedReportParams): ReportRecord;
	failNextReport(errors?: ReportError[]): void;
	expireAccessTokens(): void;
	downloadUrl(id: string): string;
	/** every signed download URL handed out since the last reset, oldest first */
	signedUrls(): string[];
}

export interface GraphOptions {
	/** notStarted (first half) then running (second half, and while blobs upload); default 500 */
	operationDelayMs: number;
	/** Retry-After (seconds) while running; default 1 */
	retryAfterSeconds: number;
	/** manifest inline as `resourceLocation` (default) or behind `resourceLocation@odata.navigationLink` */
	manifestStyle: 'inline' | 'navigationLink';
	/** status of a successful operation (default 'succeeded'; one doc page says 'completed') */
	successStatus: 'succeeded' | 'completed';
	/** operations and manifests answer 410 after this (default 24 h) */
	operationTtlMs: number;
	/** lifetime of each SAS handed out (default 3600; negative = already expired) */
	sasTtlSeconds: number;
	/** bench: usage exports hold exactly this many line items (streamed, several blobs) */
	scaleLineItems: number | undefined;
	/** lines per blob (default 500; 250000 with scaleLineItems) */
	linesPerBlob: number | undefined;
	/** consecutive blobs sharing a partitionValue (default 2) */
	blobsPerPartition: number;
	clientId: string;
	clientSecret: string;
	/** a static bearer token that is always valid */
	accessToken: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
}

export interface GraphOperationError {
	code: string;
	message: string;
}

export interface GraphOperation {
	readonly id: string;
	readonly manifestId: string;
	createdMs: number;
	dataset: GraphDataset;
	request: Record<string, string>;
	failure: GraphOperationError | undefined;
	eTag: string;
	expired: boolean;
	readonly gone: boolean;
	readonly state: 'notStarted' | 'running' | 'succeeded' | 'failed';
}

export interface GraphSandbox {
	/** `${url}/graph/v1.0` (graphBaseUrl of the credential) */
	readonly baseUrl: string;
	/** `${url}/login` (loginBaseUrl of the credential) */
	readonly loginBaseUrl: string;
	readonly tokenUrl: string;
	readonly authorizeUrl: string;
	readonly tenantId: string;
	readonly clientId: string;
	readonly clientSecret: string;
	/** a static bearer token that is always valid */
	readonly accessToken: string;
	readonly scope: string;
	/** Azurite's blob endpoint `http://127.0.0.1:PORT/devstoreaccount1` */
	readonly blobEndpoint: string;
	readonly azurite: { port: number; pid: number; running(): boolean };
	options: GraphOptions;
	operations: Map<string, GraphOperation>;
	dataset: GraphDatasetInfo;
	seed: number;
	failNextOperation(error?: { code?: string | number; message?: string }): void;
	/** no id = every operation so far */
	expireOperation(id?: string): void;
	touchData(which: string | { invoiceId?: string; billingPeriod?: 'current' | 'last'; currencyCode?: string }): void;
	lastSasToken(): string | undefined;
	sasTokens(): string[];
	expireAccessTokens(): void;
	/** resolves when every upload started so far has finished */
	idle(): Promise<void>;
	close(): Promise<void>;
}

/** What the Cisco API's error body is built from (option `errorBody` maps it to the body). */
export interface CiscoError {
	httpStatus: number;
	/** the request's uuid when it is a string, else null */
	uuid: string | null;
	/** VALIDATION_ERROR | BILL_TO_ERROR | BIZ_RULE_FAIL_ERROR | CISCO_ERROR | UNKNOWN_ERROR */
	errorCode: string;
	errorMessage: string;
}

export interface CiscoOptions {
	clientId: string;
	clientSecret: string;
	/** the partner's CCO user (password grant) */
	username: string;
	password: string;
	/** expires_in of issued tokens (default 3600) */
	accessTokenTtlSeconds: number;
	/** what billingAddressId may be in a request (default 'any': a JSON number or a string of digits) */
	billingAddressIdType: 'any' | 'number' | 'string';
	/** list element of usageBySubscription (default 'subscriptionList') */
	subscriptionListField: string;
	/** key inside each subscription entry (default 'subscriptionId') */
	subscriptionIdField: string;
	/** JSON type of invoiceNumber in responses (default 'number') */
	invoiceNumberType: 'number' | 'string';
	/** invoiceDate in responses: 'YYYY-MM-DDT00:00:00.000Z' ('dateTime', default) or 'YYYY-MM-DD' */
	invoiceDateFormat: 'dateTime' | 'date';
	/** builds every API error body (default: {uuid, status: 'ERROR', errorCode, errorMessage}) */
	errorBody: (error: CiscoError) => unknown;
	/** every invoice has exactly this many usage lines (default undefined: 20..200 per invoice, seeded) */
	usageLinesPerInvoice: number | undefined;
	/** ZIP entry name, `{invoiceNumber}` is replaced (default 'Invoice_Header_{invoiceNumber}.csv') */
	headerFileName: string;
	/** ZIP entry name (default 'Consolidated_Usage_{invoiceNumber}.csv') */
	usageFileName: string;
	/** ',' (default) or ';' */
	csvDelimiter: string;
	/** UTF-8 BOM at the start of both CSV files (default false) */
	csvBom: boolean;
	/** '\r\n' (default) or '\n' */
	lineEnding: string;
	/** host name in usage URLs (default 'localhost', a different host from the API's 127.0.0.1) */
	fileHost: string;
	/** a usage URL works this long after it was issued (default 86400) */
	linkTtlSeconds: number;
	/** 'bearer': the file host demands the API's bearer token, 401 without it (default 'none') */
	fileAuth: 'none' | 'bearer';
	/** host names allowed to receive an Authorization header (default ['127.0.0.1']); others are violations */
	tokenHosts: string[];
}

export interface CiscoInvoice {
	/** digits, e.g. '537541276' */
	invoiceNumber: string;
	/** YYYY-MM-DD (UTC), counted back from the day the sandbox started */
	invoiceDate: string;
	billingAddressId: number;
	subscriptionIds: string[];
}

export interface CiscoSubscription {
	/** e.g. 'Sub123456' */
	subscriptionId: string;
	customerName: string;
	invoiceNumbers: string[];
}

export interface CiscoDiscrepancy {
	invoiceNumber: string;
	/** Total Usage Amount of the Invoice Header CSV */
	headerTotal: string;
	/** exact sum of Extended Amount over the Consolidated Usage CSV */
	usageSum: string;
	/** headerTotal - usageSum */
	delta: string;
}

export interface CiscoSandbox {
	/** `${url}/cisco/ccw/api/v1.0` (credential baseUrl) */
	readonly baseUrl: string;
	/** `${url}/cisco-sso/as/token.oauth2` (credential tokenUrl) */
	readonly tokenUrl: string;
	readonly clientId: string;
	readonly clientSecret: string;
	readonly username: string;
	readonly password: string;
	/** the partner's BID */
	billingAddressId: number;
	/** the BID of the other partner whose invoices the API drops */
	otherBillingAddressId: number;
	options: CiscoOptions;
	seed: number;
	/** the partner's invoices, oldest first (numbers ascending) */
	invoices(): CiscoInvoice[];
	/** seeded invoices of the other BID: requested by number, the API drops them */
	otherBidInvoiceNumbers(): string[];
	subscriptions(): CiscoSubscription[];
	/** the records of an invoice's two CSV files keyed by column, strings (current options) */
	expectedUsage(invoiceNumber: string | number): { header: Record<string, string>; lines: Array<Record<string, string>> };
	plantedDiscrepancies(): CiscoDiscrepancy[];
	/** the ZIP the file host serves for an invoice (a replaced one included) */
	usageZip(invoiceNumber: string | number): Buffer;
	/** a freshly issued usage URL, as the API would hand it out */
	usageUrl(invoiceNumber: string | number): string;
	/** serve this ZIP for the invoice instead of the seeded one (until reset) */
	replaceZip(invoiceNumber: string | number, buffer: Buffer): void;
	/** every usage URL issued since the last reset, oldest first */
	usageUrls(): string[];
	/** every usage URL issued so far answers 403 "Request has expired" */
	expireLinks(): void;
	/** every access token issued so far is expired: the API answers 401 */
	expireAccessTokens(): void;
	/** the access tokens issued so far, oldest first */
	issuedTokens(): string[];
}

export interface SandboxOptions {
	port?: number;
	host?: string;
	seed?: number;
	webex?: Partial<WebexOptions>;
	/** opt-in: starts the Microsoft Graph part and Azurite */
	graph?: Partial<GraphOptions>;
	cisco?: Partial<CiscoOptions>;
	log?: (entry: RequestLogEntry) => void;
}

export interface PlantedRecord {
	kind: 'valueMismatch' | 'missingInPartnerRecords' | 'onlyInPartnerRecords';
	/** the record's key columns as the partner CSV names them */
	key: Record<string, string>;
	/** what the vendor's data gives; null when the vendor has no such key */
	vendorValue: string | null;
	/** what the partner's record says; null when it has no record */
	partnerValue: string | null;
}

export interface PartnerFile {
	header: string[];
	rows: string[][];
	planted: PlantedRecord[];
}

export interface PartnerSandbox {
	/** `${url}/partner`: webex-seats.csv?month=, microsoft-customer-invoices.csv?invoiceId=, cisco-subscriptions.csv?month= */
	readonly baseUrl: string;
	/** seats billed per customer and SKU (month YYYY-MM, default last month) */
	webexSeats(month?: string): PartnerFile;
	/** amount invoiced per customer for a billed Microsoft invoice (default the newest) */
	microsoftInvoices(invoiceId?: string): PartnerFile;
	/** usage amount expected per Cisco subscription over the month's invoices (default last month) */
	ciscoSubscriptions(month?: string): PartnerFile;
}

export interface Sandbox {
	url: string;
	port: number;
	seed: number;
	webex: WebexSandbox;
	/** undefined unless `graph` options were given */
	graph: GraphSandbox | undefined;
	cisco: CiscoSandbox;
	/** the partner's own records (PSA/ERP exports) with planted discrepancies */
	partner: PartnerSandbox;
	requests: RequestLogEntry[];
	violations: string[];
	addFault(fault: Fault): Fault;
	clearFaults(): void;
	reset(): void;
	stop(): Promise<void>;
	server: SandboxServer;
}

/** The sandbox core (server.js), for vendor emulators added later. */
export interface SandboxServer {
	url: string;
	port: number;
	requests: RequestLogEntry[];
	violations: string[];
	faults: Fault[];
	violation(message: string): void;
	addFault(fault: Fault): Fault;
	clearFaults(): void;
	reset(): void;
	stop(): Promise<void>;
	mount(mount: unknown): void;
	addVendor(vendor: { name: string; reset?: () => void }): void;
}

export function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
