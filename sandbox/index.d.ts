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
	fault: 'status' | 'reset' | 'slow' | 'html' | undefined;
	at: number;
}

export interface Fault {
	vendor?: 'webex' | string;
	kind?: 'api' | 'download' | 'token' | string;
	method?: string;
	/** string: prefix of the logged path; RegExp: tested against it */
	path?: string | RegExp;
	/** default 1; Infinity allowed; decremented per hit */
	times?: number;
	type: 'status' | 'reset' | 'slow' | 'html';
	status?: number;
	/** seconds, or an HTTP-date sent verbatim */
	retryAfter?: number | string;
	/** status faults: replaces the vendor error body (objects are sent as JSON) */
	body?: unknown;
	/** reset: body bytes sent before the socket is destroyed; omitted = reset before any response (request not executed) */
	afterBytes?: number;
	/** slow: delay before the request executes and is answered (default 1000) */
	delayMs?: number;
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

export interface SandboxOptions {
	port?: number;
	host?: string;
	seed?: number;
	webex?: Partial<WebexOptions>;
	/** opt-in: starts the Microsoft Graph part and Azurite */
	graph?: Partial<GraphOptions>;
	log?: (entry: RequestLogEntry) => void;
}

export interface Sandbox {
	url: string;
	port: number;
	seed: number;
	webex: WebexSandbox;
	/** undefined unless `graph` options were given */
	graph: GraphSandbox | undefined;
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
