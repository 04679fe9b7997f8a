/**
 * The columns of the fault matrix: every fault the sandbox can inject, and for each vendor how
 * it is injected into the main flow and what the flow must end in — the fault-free result, or
 * an error whose message names the cause. A fault that cannot happen to a vendor says why.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Fault, Sandbox } from '../../sandbox';
import { breakJsonLine, dropCsvField, rewriteZipEntry } from '../../sandbox/corrupt';
import { expectedReportRows } from '../../sandbox/webex/data';
import { ciscoRange, webexPeriod, type Vendor } from './flows';

export interface CellContext {
	sandbox: Sandbox;
	/** seeded: the same seed, flow and fault give the same offsets */
	random: () => number;
	/** body bytes of each file the fault-free run downloaded (CSV, blobs, ZIPs) */
	fileSizes: number[];
}

export type Expectation = 'identical' | RegExp;

export interface Injection {
	/** what is done, with the drawn offsets: shown in the report */
	describe?(ctx: CellContext): string;
	/** adds the faults (or changes the sandbox); returns the faults that must fire */
	inject(ctx: CellContext): Fault[];
	/** for a change of the sandbox rather than a fault: whether the run met it */
	fired?(sandbox: Sandbox): boolean;
	expect: Expectation;
	/** `options` of every node of the flow: the small timeouts of the slow and persistent faults */
	options?: IDataObject;
	/** the run must be over within this: a node that ignores its timeout fails the cell */
	withinMs?: number;
}

export interface NotApplicable {
	notApplicable: string;
}

export interface FaultColumn {
	id: string;
	title: string;
	vendors: Record<Vendor, Injection | NotApplicable>;
}

/** The vendors whose flows download files. */
type FileVendor = Exclude<Vendor, 'partnerCenter'>;

/** Where each vendor's files come from (the sandbox's request kinds). */
const FILE_TARGET: Record<FileVendor, Pick<Fault, 'vendor' | 'kind'>> = {
	webex: { vendor: 'webex', kind: 'download' },
	graph: { vendor: 'graph', kind: 'blob' },
	cisco: { vendor: 'cisco', kind: 'download' },
};

/** Reads of the vendor API that a client may repeat freely (Cisco's usage query is a read sent as POST). */
const API_READS: Record<Vendor, Pick<Fault, 'vendor' | 'kind' | 'method'>> = {
	webex: { vendor: 'webex', kind: 'api', method: 'GET' },
	graph: { vendor: 'graph', kind: 'api', method: 'GET' },
	cisco: { vendor: 'cisco', kind: 'api', method: 'POST' },
	partnerCenter: { vendor: 'partnerCenter', kind: 'api', method: 'GET' },
};

/** 3 s, the smallest Timeout (Minutes) the nodes accept: for faults that persist. */
const SHORT_TIMEOUT = { timeoutMinutes: 0.05 };
/** A persistent fault ends in its error within the 3 s timeout plus the last attempt. */
const PERSISTENT_WITHIN_MS = 10_000;

const perVendor = (
	make: (vendor: Vendor) => Injection | NotApplicable,
): Record<Vendor, Injection | NotApplicable> => ({
	webex: make('webex'),
	graph: make('graph'),
	cisco: make('cisco'),
	partnerCenter: make('partnerCenter'),
});

const NO_FILE: NotApplicable = {
	notApplicable: 'Partner Center answers JSON only; the node never follows the invoice PDF link',
};

/** A fault of the file host: no file, no cell for Partner Center. */
const perFileVendor = (
	make: (vendor: FileVendor) => Injection | NotApplicable,
): Record<Vendor, Injection | NotApplicable> => ({
	webex: make('webex'),
	graph: make('graph'),
	cisco: make('cisco'),
	partnerCenter: NO_FILE,
});

/** An offset strictly inside the smallest file (at least one byte sent, at least one missing). */
const offsetInside = (ctx: CellContext) =>
	1 + Math.floor(ctx.random() * (Math.min(...ctx.fileSizes) - 1));

function statusColumn(target: 'api' | 'file', status: number): FaultColumn {
	return {
		id: `${target}-${status}`,
		title: `${status} twice, then answers (${target === 'api' ? 'API' : 'file host'})`,
		vendors:
			target === 'api'
				? perVendor((vendor) => ({
						inject: ({ sandbox }) => [
							sandbox.addFault({ vendor, kind: 'api', type: 'status', status, times: 2 }),
						],
						expect: 'identical',
					}))
				: perFileVendor((vendor) => ({
						inject: ({ sandbox }) => [
							sandbox.addFault({ ...FILE_TARGET[vendor], type: 'status', status, times: 2 }),
						],
						expect: 'identical',
					})),
	};
}

const NO_TOKEN_ENDPOINT: NotApplicable = {
	notApplicable: 'the personal access token needs no token endpoint',
};
const NO_SIGNED_LINK: NotApplicable = {
	notApplicable: 'the node follows no signed link: the invoice PDF link is never fetched',
};
const PLAIN_CSV: NotApplicable = {
	notApplicable: 'the report is a plain CSV: no gzip or ZIP framing that could be cut',
};

export const FAULTS: FaultColumn[] = [
	{
		id: 'api-429-seconds',
		title: '429 three times, Retry-After: 1 (seconds)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					vendor,
					kind: 'api',
					type: 'status',
					status: 429,
					retryAfter: 1,
					times: 3,
				}),
			],
			expect: 'identical',
		})),
	},
	{
		id: 'api-429-date',
		title: '429 twice, Retry-After as an HTTP date 2 s ahead',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					vendor,
					kind: 'api',
					type: 'status',
					status: 429,
					retryAfter: new Date(Date.now() + 2000).toUTCString(),
					times: 2,
				}),
			],
			expect: 'identical',
		})),
	},
	{
		id: 'file-429',
		title: '429 twice, Retry-After: 1, then answers (file host)',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					...FILE_TARGET[vendor],
					type: 'status',
					status: 429,
					retryAfter: 1,
					times: 2,
				}),
			],
			expect: 'identical',
		})),
	},
	statusColumn('api', 500),
	statusColumn('api', 502),
	statusColumn('api', 503),
	statusColumn('api', 504),
	statusColumn('file', 500),
	statusColumn('file', 502),
	statusColumn('file', 503),
	statusColumn('file', 504),
	{
		id: 'token-503',
		title: 'token endpoint 503 once, then answers',
		vendors: {
			webex: NO_TOKEN_ENDPOINT,
			graph: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ vendor: 'graph', kind: 'token', type: 'status', status: 503 }),
				],
				expect: 'identical',
			},
			cisco: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ vendor: 'cisco', kind: 'token', type: 'status', status: 503 }),
				],
				expect: 'identical',
			},
			partnerCenter: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ vendor: 'graph', kind: 'token', type: 'status', status: 503 }),
				],
				expect: 'identical',
			},
		},
	},
	{
		id: 'api-reset',
		title: 'connection reset before the answer, twice (API)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [sandbox.addFault({ vendor, kind: 'api', type: 'reset', times: 2 })],
			expect: 'identical',
		})),
	},
	{
		id: 'api-reset-mid-body',
		title: 'API answer cut at a random byte, twice',
		vendors: perVendor((vendor) => {
			let offset = 0;
			return {
				describe: () => `cut after ${offset} bytes`,
				inject: ({ sandbox, random }) => {
					offset = 1 + Math.floor(random() * 100);
					return [
						sandbox.addFault({ ...API_READS[vendor], type: 'reset', afterBytes: offset, times: 2 }),
					];
				},
				expect: 'identical',
			};
		}),
	},
	{
		id: 'file-reset-random',
		title: 'download cut at three random bytes',
		vendors: perFileVendor((vendor) => {
			let offsets: number[] = [];
			return {
				describe: () => `cut after ${offsets.join(', ')} bytes`,
				inject: (ctx) => {
					offsets = [offsetInside(ctx), offsetInside(ctx), offsetInside(ctx)];
					return offsets.map((afterBytes) =>
						ctx.sandbox.addFault({ ...FILE_TARGET[vendor], type: 'reset', afterBytes }),
					);
				},
				expect: 'identical',
			};
		}),
	},
	{
		id: 'file-reset-always',
		title: 'every download cut before its first byte',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({ ...FILE_TARGET[vendor], type: 'reset', afterBytes: 0, times: Infinity }),
			],
			expect: /connection/i,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'api-slow',
		title: 'API answers 20 s late, timeout 3 s',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({ ...API_READS[vendor], type: 'slow', delayMs: 20_000, times: Infinity }),
			],
			expect: /timed out|timeout/i,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'file-slow',
		title: 'file host answers 20 s late, timeout 3 s',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					...FILE_TARGET[vendor],
					type: 'slow',
					delayMs: 20_000,
					times: Infinity,
				}),
			],
			expect: /timed out|timeout/i,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'gone-410',
		title: '410 Gone once',
		vendors: {
			webex: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ ...FILE_TARGET.webex, type: 'status', status: 410 }),
				],
				expect: 'identical',
			},
			graph: {
				inject: ({ sandbox }) => [
					sandbox.addFault({
						vendor: 'graph',
						kind: 'api',
						method: 'GET',
						path: /\/operations\//,
						type: 'status',
						status: 410,
					}),
				],
				expect: 'identical',
			},
			cisco: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ ...FILE_TARGET.cisco, type: 'status', status: 410 }),
				],
				expect: /refused the link/,
			},
			partnerCenter: {
				notApplicable: 'invoices are read at once: no operation or link that can be gone',
			},
		},
	},
	{
		id: 'expired-once',
		title: 'signed link or SAS refused as expired once',
		vendors: {
			webex: {
				inject: ({ sandbox }) => [
					sandbox.addFault({
						...FILE_TARGET.webex,
						type: 'status',
						status: 403,
						body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
					}),
				],
				expect: 'identical',
			},
			graph: {
				inject: ({ sandbox }) => [
					sandbox.addFault({ ...FILE_TARGET.graph, type: 'status', status: 403 }),
				],
				expect: 'identical',
			},
			cisco: {
				inject: ({ sandbox }) => [
					sandbox.addFault({
						...FILE_TARGET.cisco,
						type: 'status',
						status: 403,
						body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
					}),
				],
				expect: /expired/,
			},
			partnerCenter: NO_SIGNED_LINK,
		},
	},
	{
		id: 'expired-always',
		title: 'every signed link or SAS already expired',
		vendors: {
			webex: {
				inject: ({ sandbox }) => {
					sandbox.webex.options.downloadUrlTtlSeconds = -5;
					return [];
				},
				fired: (sandbox) => refusedFile(sandbox, 'download'),
				expect: /expired/,
			},
			graph: {
				inject: ({ sandbox }) => {
					sandbox.graph!.options.sasTtlSeconds = -60;
					return [];
				},
				fired: (sandbox) => refusedFile(sandbox, 'blob'),
				expect: /expired/,
			},
			cisco: {
				inject: ({ sandbox }) => {
					sandbox.cisco.options.linkTtlSeconds = 0;
					return [];
				},
				fired: (sandbox) => refusedFile(sandbox, 'download'),
				expect: /expired/,
			},
			partnerCenter: NO_SIGNED_LINK,
		},
	},
	{
		id: 'truncated-archive',
		title: 'gzip blob or ZIP cut short at a random byte (complete answer)',
		vendors: {
			webex: PLAIN_CSV,
			graph: truncateFile('graph', /truncated|ends early/i),
			cisco: truncateFile('cisco', /not a readable ZIP|damaged/i),
			partnerCenter: {
				notApplicable:
					'Partner Center answers plain JSON: no gzip or ZIP framing that could be cut',
			},
		},
	},
	{
		id: 'malformed-json-line',
		title: 'one JSON line broken',
		vendors: {
			webex: { notApplicable: 'the report is CSV, not JSON Lines' },
			graph: (() => {
				let line = 0;
				return {
					describe: () => `line ${line + 1} of the first blob`,
					inject: ({ sandbox, random }) => {
						line = Math.floor(random() * 400);
						return [
							sandbox.addFault({
								...FILE_TARGET.graph,
								type: 'transform',
								transform: (body) => breakJsonLine(body, line),
							}),
						];
					},
					expect: /not valid JSON/,
				};
			})(),
			cisco: { notApplicable: 'the usage files are CSV, not JSON Lines' },
			partnerCenter: { notApplicable: 'Partner Center answers one JSON document, not JSON Lines' },
		},
	},
	{
		id: 'malformed-csv',
		title: 'one CSV row short of a field',
		vendors: {
			webex: (() => {
				let row = 0;
				return {
					describe: () => `data row ${row}`,
					inject: ({ sandbox, random }) => {
						row =
							1 +
							Math.floor(
								random() *
									expectedReportRows({ ...webexPeriod(), type: 'CUSTOMER' }, { seed: sandbox.seed })
										.length,
							);
						return [
							sandbox.addFault({
								...FILE_TARGET.webex,
								type: 'transform',
								transform: (body) => dropCsvField(body, row),
							}),
						];
					},
					expect: /malformed/,
				};
			})(),
			graph: { notApplicable: 'the export is JSON Lines, not CSV' },
			cisco: (() => {
				let row = 0;
				return {
					describe: () => `data row ${row} of the first invoice's usage CSV`,
					inject: ({ sandbox, random }) => {
						const [invoice] = ciscoRange(sandbox).invoiceNumbers;
						row = 1 + Math.floor(random() * sandbox.cisco.expectedUsage(invoice).lines.length);
						sandbox.cisco.replaceZip(
							invoice,
							rewriteZipEntry(sandbox.cisco.usageZip(invoice), 'Consolidated_Usage', (csv) =>
								dropCsvField(csv, row),
							),
						);
						return [];
					},
					// The damaged ZIP is the first invoice's, which is downloaded first.
					fired: (sandbox) =>
						sandbox.requests.some((entry) => entry.kind === 'download' && entry.status === 200),
					expect: /malformed/,
				};
			})(),
			partnerCenter: { notApplicable: 'Partner Center answers JSON, not CSV' },
		},
	},
	{
		id: 'proxy-html-502',
		title: 'HTML error page from a proxy (502) twice, then answers (API)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({ vendor, kind: 'api', type: 'html', status: 502, times: 2 }),
			],
			expect: 'identical',
		})),
	},
	{
		id: 'proxy-html-200-api',
		title: 'HTML page with 200 where JSON was expected (API, always)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({ ...API_READS[vendor], type: 'html', status: 200, times: Infinity }),
			],
			expect: /HTML/,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'proxy-html-200-file',
		title: 'HTML page with 200 instead of the file (always)',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({ ...FILE_TARGET[vendor], type: 'html', status: 200, times: Infinity }),
			],
			// The storage SDK refuses a page without storage's headers before its body is read.
			expect: vendor === 'graph' ? /did not come from Azure Blob Storage.*proxy/ : /HTML/,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'content-type-api',
		title: 'right JSON labelled text/html (API)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					vendor,
					kind: 'api',
					type: 'contentType',
					contentType: 'text/html; charset=utf-8',
					times: Infinity,
				}),
			],
			expect: 'identical',
		})),
	},
	{
		id: 'content-type-file',
		title: 'right file labelled text/html (file host)',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					...FILE_TARGET[vendor],
					type: 'contentType',
					contentType: 'text/html; charset=utf-8',
					times: Infinity,
				}),
			],
			expect: 'identical',
		})),
	},
	{
		id: 'empty-api',
		title: 'empty 200 where JSON was expected (API, always)',
		vendors: perVendor((vendor) => ({
			inject: ({ sandbox }) => [
				sandbox.addFault({
					...API_READS[vendor],
					type: 'empty',
					contentType: 'application/json',
					times: Infinity,
				}),
			],
			expect: /empty/,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
	{
		id: 'empty-file',
		title: 'empty 200 instead of the file (always)',
		vendors: perFileVendor((vendor) => ({
			inject: ({ sandbox }) =>
				vendor === 'graph'
					? // Storage's own headers stay: the SDK refuses any 200 without them, whatever its body.
						[
							sandbox.addFault({
								...FILE_TARGET.graph,
								type: 'transform',
								transform: () => Buffer.alloc(0),
								times: Infinity,
							}),
						]
					: [sandbox.addFault({ ...FILE_TARGET[vendor], type: 'empty', times: Infinity })],
			expect: /empty/,
			options: SHORT_TIMEOUT,
			withinMs: PERSISTENT_WITHIN_MS,
		})),
	},
];

/** Whether the file host refused a download (403), as it does an expired signature. */
function refusedFile(sandbox: Sandbox, kind: string): boolean {
	return sandbox.requests.some((entry) => entry.kind === kind && entry.status === 403);
}

function truncateFile(vendor: FileVendor, expect: RegExp): Injection {
	let offset = 0;
	return {
		describe: () => `first file cut after ${offset} bytes`,
		inject: (ctx) => {
			offset = offsetInside(ctx);
			return [
				ctx.sandbox.addFault({ ...FILE_TARGET[vendor], type: 'truncate', afterBytes: offset }),
			];
		},
		expect,
	};
}
