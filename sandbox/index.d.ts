// Type declarations for the sandbox (plain JavaScript, see index.js) so TypeScript tests get types.
import type { IncomingHttpHeaders } from 'http';
import type { Dataset } from './webex/data';

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

export interface SandboxOptions {
	port?: number;
	host?: string;
	seed?: number;
	webex?: Partial<WebexOptions>;
	log?: (entry: RequestLogEntry) => void;
}

export interface Sandbox {
	url: string;
	port: number;
	seed: number;
	webex: WebexSandbox;
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
