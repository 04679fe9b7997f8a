/**
 * Sandbox core: one HTTP server on 127.0.0.1, routing by path prefix to vendor emulators
 * (Webex now; Microsoft Graph, Azurite glue and Cisco later), a request log, protocol-violation
 * log, fault injection, and small JSON/text response helpers.
 *
 * A vendor registers one or more mounts with `server.mount({...})` and itself with
 * `server.addVendor({ name, reset })`. Each mount classifies a request (its `kind` and the
 * `path` that is logged and matched by faults) and handles it. Faults are applied here, before
 * the vendor sees the request, so every vendor gets them for free.
 */

import http from 'http';
import type { AddressInfo } from 'net';
import { URL } from 'url';

export type QueryObject = { [key: string]: string | string[] };

export interface RequestLogEntry {
	/** e.g. 'webex'; undefined when no mount matched */
	vendor: string | undefined;
	/** 'api' | 'download' | 'token' (vendors may add more) */
	kind: string | undefined;
	method: string;
	/** relative to the vendor API base for kind 'api', the full path otherwise */
	path: string;
	/** string values; arrays when a name is repeated */
	query: QueryObject;
	/** lower-case names */
	headers: http.IncomingHttpHeaders;
	/** parsed JSON when the body is JSON, else the raw string; undefined when empty */
	body: unknown;
	/** the status sent; undefined when the connection was reset before a response */
	status: number | undefined;
	/** the fault type applied, if any */
	fault: Fault['type'] | undefined;
	/** response body bytes sent so far (what the client got, cuts included) */
	bytes: number;
	/** arrival time, ms since epoch */
	at: number;
}

export interface Fault {
	vendor?: string;
	kind?: string;
	method?: string;
	/** string: prefix of the logged path; RegExp: tested against it */
	path?: string | RegExp;
	/** default 1; Infinity allowed; decremented per hit */
	times?: number;
	type: 'status' | 'reset' | 'slow' | 'html' | 'empty' | 'contentType' | 'truncate' | 'transform';
	status?: number;
	/** seconds, or an HTTP-date sent verbatim */
	retryAfter?: number | string;
	/** status faults: replaces the vendor's error body (objects are sent as JSON) */
	body?: unknown;
	/** reset: body bytes to send before the socket is destroyed; truncate: body bytes kept */
	afterBytes?: number;
	/** slow: delay before the request is executed and answered */
	delayMs?: number;
	/** contentType: the Content-Type sent instead of the vendor's; empty: the one sent (default none) */
	contentType?: string;
	/** transform: rewrites the whole answer body (see corrupt.ts) */
	transform?: (body: Buffer) => Buffer;
	/** maintained by the sandbox */
	hits?: number;
}

export interface RequestContext {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	url: URL;
	kind: string;
	/** as logged */
	path: string;
	query: QueryObject;
	rawBody: Buffer;
	/** parsed JSON body, else raw string, else undefined */
	body: unknown;
	/** content-type says JSON and it parsed */
	bodyIsJson: boolean;
	entry: RequestLogEntry;
	server: SandboxServer;
}

export interface Mount {
	vendor: string;
	/** path prefix ('/webex/v1'); matched on segment boundaries */
	prefix: string;
	classify: (pathname: string) => { kind: string; path: string };
	handle: (ctx: RequestContext) => void | Promise<void>;
	/** sees every request before faults apply (checks that must not miss a faulted request) */
	observe?: (ctx: RequestContext) => void;
	faultResponse?: (
		status: number,
		ctx: RequestContext,
		fault: Fault,
	) => { body: string; headers: Record<string, string> };
}

export interface Vendor {
	name: string;
	reset?: () => void;
}

const FAULT_TYPES = new Set([
	'status',
	'reset',
	'slow',
	'html',
	'empty',
	'contentType',
	'truncate',
	'transform',
]);
const MAX_BODY_BYTES = 10 * 1024 * 1024;

function queryObject(params: URLSearchParams): QueryObject {
	const out: QueryObject = {};
	for (const [k, v] of params) {
		const prev = out[k];
		if (prev === undefined) out[k] = v;
		else if (Array.isArray(prev)) prev.push(v);
		else out[k] = [prev, v];
	}
	return out;
}

export function sendJson(
	res: http.ServerResponse,
	status: number,
	obj: unknown,
	headers: Record<string, string> = {},
) {
	const body = Buffer.from(JSON.stringify(obj), 'utf8');
	res.writeHead(status, {
		'content-type': 'application/json;charset=UTF-8',
		'content-length': String(body.length),
		...headers,
	});
	res.end(body);
}

export function sendText(
	res: http.ServerResponse,
	status: number,
	text: string,
	contentType: string,
	headers: Record<string, string> = {},
) {
	const body = Buffer.from(text, 'utf8');
	res.writeHead(status, {
		'content-type': contentType,
		'content-length': String(body.length),
		...headers,
	});
	res.end(body);
}

export function sendEmpty(
	res: http.ServerResponse,
	status: number,
	headers: Record<string, string> = {},
) {
	res.writeHead(status, headers);
	res.end();
}

/** Reverse-proxy style error page (what an LB/CDN in front of an API answers). */
function htmlErrorPage(status: number) {
	const reason = http.STATUS_CODES[status] || 'Error';
	return (
		`<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n` +
		`<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
	);
}

/**
 * `res.write`, `res.end` and `res.writeHead` as the wrappers below see them: Node's overloads
 * (chunk, encoding and callback each optional) pass through as they come.
 */
type Passthrough = (...args: unknown[]) => unknown;

function chunkToBuffer(chunk: unknown, encoding: unknown) {
	return typeof chunk === 'string'
		? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding)
		: Buffer.from(chunk as Uint8Array);
}

/**
 * Let at most `limit` body bytes through, then destroy the socket (headers are sent first, so
 * the client sees a truncated body). A body of at most `limit` bytes completes normally.
 */
function truncateResponse(res: http.ServerResponse, limit: number) {
	const socket = res.socket;
	const write = res.write as Passthrough;
	const end = res.end as Passthrough;
	let sent = 0;
	let cut = false;

	const doCut = (part: Buffer) => {
		cut = true;
		if (part.length) write.call(res, part);
		else if (!res.headersSent) res.flushHeaders();
		// Destroy only once everything written so far has reached the kernel, so the client gets
		// exactly `limit` body bytes, then the connection closes mid-body.
		const destroyWhenFlushed = () => {
			if (!socket || socket.destroyed) return;
			if (socket.writableLength > 0) {
				setTimeout(destroyWhenFlushed, 1);
				return;
			}
			socket.destroy();
		};
		setImmediate(destroyWhenFlushed);
	};

	res.write = function (chunk: unknown, encoding?: unknown, cb?: unknown) {
		if (cut) return false;
		const buf = chunkToBuffer(chunk, encoding);
		if (sent + buf.length <= limit) {
			sent += buf.length;
			return write.call(res, buf, typeof encoding === 'function' ? encoding : cb);
		}
		doCut(buf.subarray(0, limit - sent));
		sent = limit;
		return false;
	} as typeof res.write;
	res.end = function (chunk?: unknown, encoding?: unknown, cb?: unknown) {
		if (cut) return res;
		if (typeof chunk === 'function') return end.call(res, chunk);
		if (chunk !== undefined && chunk !== null) {
			const buf = chunkToBuffer(chunk, encoding);
			if (sent + buf.length > limit) {
				doCut(buf.subarray(0, limit - sent));
				sent = limit;
				return res;
			}
			sent += buf.length;
			return end.call(res, buf, typeof encoding === 'function' ? encoding : cb);
		}
		return end.call(res, typeof encoding === 'function' ? encoding : cb);
	} as typeof res.end;
}

/**
 * Count the body bytes that leave through `res` into `entry.bytes`. Installed before any
 * fault wraps the response, so a cut or rewritten body is counted as the client gets it.
 */
function countBodyBytes(res: http.ServerResponse, entry: RequestLogEntry) {
	const write = res.write as Passthrough;
	const end = res.end as Passthrough;
	res.write = function (chunk: unknown, ...rest: unknown[]) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
			entry.bytes += chunkToBuffer(chunk, rest[0]).length;
		return write.call(res, chunk, ...rest);
	} as typeof res.write;
	res.end = function (chunk?: unknown, ...rest: unknown[]) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
			entry.bytes += chunkToBuffer(chunk, rest[0]).length;
		return end.call(res, chunk, ...rest);
	} as typeof res.end;
}

/**
 * Hold the whole answer the vendor writes, then send it changed: the body through `body`
 * (with a Content-Length that matches, so the response completes normally and only its
 * content differs) and/or another Content-Type. For the body faults (truncate, transform)
 * and contentType.
 */
function rewriteResponse(
	res: http.ServerResponse,
	change: { body?: (body: Buffer) => Buffer; contentType?: string },
) {
	const writeHead = res.writeHead;
	const write = res.write;
	const end = res.end;
	let status = 200;
	const chunks: Buffer[] = [];
	res.writeHead = function (code: number, ...rest: unknown[]) {
		status = code;
		const headers = (typeof rest[0] === 'string' ? rest[1] : rest[0]) as
			| http.OutgoingHttpHeaders
			| http.OutgoingHttpHeader[]
			| undefined;
		if (headers && !Array.isArray(headers))
			for (const [name, value] of Object.entries(headers))
				if (value !== undefined) res.setHeader(name, value);
		return res;
	} as typeof res.writeHead;
	res.write = function (chunk: unknown, encoding?: unknown, cb?: unknown) {
		chunks.push(chunkToBuffer(chunk, encoding));
		const callback = typeof encoding === 'function' ? encoding : cb;
		if (typeof callback === 'function') process.nextTick(callback as () => void);
		return true;
	} as typeof res.write;
	res.end = function (chunk?: unknown, encoding?: unknown, cb?: unknown) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function')
			chunks.push(chunkToBuffer(chunk, encoding));
		const callback = [chunk, encoding, cb].find((arg) => typeof arg === 'function');
		const original = Buffer.concat(chunks);
		const body = change.body ? change.body(original) : original;
		res.writeHead = writeHead;
		res.write = write;
		res.end = end;
		if (change.contentType !== undefined) res.setHeader('content-type', change.contentType);
		res.removeHeader('transfer-encoding');
		res.setHeader('content-length', String(body.length));
		writeHead.call(res, status);
		return (end as Passthrough).call(res, body, callback);
	} as typeof res.end;
}

/**
 * Resolves after the event loop's next poll phase, where the server accepts connections and
 * clients see hang-ups: a timer runs before that phase, an immediate after it.
 */
async function pastNextPoll(): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, 1));
	await new Promise((resolve) => setImmediate(resolve));
}

/**
 * `target` with a getter per key that reads the live `options` at each access, so that a
 * test's change to the options shows through the vendor's facade and auth too.
 */
export function withLiveOptions<
	Target extends object,
	Options extends object,
	Key extends keyof Options,
>(target: Target, options: Options, keys: readonly Key[]): Target & Pick<Options, Key> {
	for (const key of keys)
		Object.defineProperty(target, key, { get: () => options[key], enumerable: true });
	return target as Target & Pick<Options, Key>;
}

export class SandboxServer {
	host: string;
	port: number;
	log: ((entry: RequestLogEntry) => void) | undefined;
	requests: RequestLogEntry[];
	violations: string[];
	faults: Fault[];
	mounts: Mount[];
	vendors: Vendor[];
	url: string;
	stopped: boolean;
	/** pending slow-fault delays (released by stop and reset) */
	sleepers: Set<() => void>;
	/** counts resets: a slow request from before the last reset is dropped, not executed */
	generation: number;
	httpServer: http.Server;

	constructor(
		options: { host?: string; port?: number; log?: (entry: RequestLogEntry) => void } = {},
	) {
		this.host = options.host || '127.0.0.1';
		this.port = options.port ?? 0;
		this.log = options.log;
		this.requests = [];
		this.violations = [];
		this.faults = [];
		this.mounts = [];
		this.vendors = [];
		this.url = '';
		this.stopped = false;
		this.sleepers = new Set();
		this.generation = 0;
		this.httpServer = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				// Last resort: the vendor handler threw after the response started.
				if (!res.headersSent)
					sendJson(res, 500, { message: `sandbox error: ${err && err.message}` });
				else res.destroy();
			});
		});
		// Node's default 5 s keep-alive lets the server close an idle connection just as a client
		// reuses it ("other side closed"), a flake no real API behind a load balancer shows.
		// Keep idle connections long; stop() closes them all anyway.
		this.httpServer.keepAliveTimeout = 65000;
		this.httpServer.headersTimeout = 66000;
	}

	mount(mount: Mount) {
		this.mounts.push(mount);
		// Longest prefix first.
		this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
	}

	addVendor(vendor: Vendor) {
		this.vendors.push(vendor);
	}

	/** Record a protocol violation (tests assert the list stays empty). */
	violation(message: string) {
		this.violations.push(message);
	}

	addFault(fault: Fault): Fault {
		if (!fault || !FAULT_TYPES.has(fault.type))
			throw new Error(`fault.type must be one of ${[...FAULT_TYPES].join(', ')}`);
		if (
			fault.type === 'status' &&
			!(Number.isInteger(fault.status) && (fault.status as number) >= 100)
		) {
			throw new Error('a status fault needs an integer status');
		}
		if (fault.type === 'contentType' && typeof fault.contentType !== 'string')
			throw new Error('a contentType fault needs the contentType to send');
		if (
			fault.type === 'truncate' &&
			!(Number.isInteger(fault.afterBytes) && (fault.afterBytes as number) >= 0)
		) {
			throw new Error('a truncate fault needs afterBytes, the body bytes to keep');
		}
		if (fault.type === 'transform' && typeof fault.transform !== 'function')
			throw new Error('a transform fault needs a transform(body) function');
		if (fault.times === undefined) fault.times = 1;
		fault.hits = 0;
		this.faults.push(fault);
		return fault;
	}

	clearFaults() {
		this.faults.length = 0;
	}

	/**
	 * Clear requests, violations and faults, drop the requests a slow fault still holds (so
	 * they cannot change state after the reset), let every vendor reset its own state, and
	 * hang up every connection, so that no request sent before reaches what runs next.
	 *
	 * A request that its client sent and then gave up on (a failed run aborts the reads still
	 * in flight) may still wait unread, on an open connection or on one not yet accepted; read
	 * after the reset, it would take a fault meant for the next run and show in that run's log.
	 * So every connection is hung up with what it holds unread, a second time once the server
	 * has accepted the connections still queued. Resolves once clients in this process have
	 * seen the hang-ups, so that none sends its next request on a closed connection.
	 */
	async reset(): Promise<void> {
		for (let pass = 0; pass < 2; pass++) {
			this.clearState();
			this.httpServer.closeAllConnections();
			await pastNextPoll();
		}
	}

	private clearState() {
		this.requests.length = 0;
		this.violations.length = 0;
		this.clearFaults();
		this.generation++;
		for (const wake of [...this.sleepers]) wake();
		for (const v of this.vendors) if (v.reset) v.reset();
	}

	/** @returns the base URL */
	listen(): Promise<string> {
		return new Promise((resolve, reject) => {
			this.httpServer.once('error', reject);
			this.httpServer.listen(this.port, this.host, () => {
				this.httpServer.off('error', reject);
				const addr = this.httpServer.address() as AddressInfo;
				this.port = addr.port;
				this.url = `http://${this.host}:${addr.port}`;
				resolve(this.url);
			});
		});
	}

	/** Wait `ms`, or less if the sandbox stops meanwhile. */
	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.sleepers.delete(done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			this.sleepers.add(done);
		});
	}

	stop(): Promise<void> {
		this.stopped = true;
		for (const wake of [...this.sleepers]) wake();
		return new Promise((resolve) => {
			if (!this.httpServer.listening) {
				resolve();
				return;
			}
			this.httpServer.close(() => resolve());
			this.httpServer.closeAllConnections();
		});
	}

	findMount(pathname: string): Mount | undefined {
		return this.mounts.find(
			(m) =>
				pathname === m.prefix ||
				pathname.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`),
		);
	}

	takeFault(entry: RequestLogEntry): Fault | undefined {
		for (const f of this.faults) {
			if (!((f.times as number) > 0)) continue;
			if (f.vendor !== undefined && f.vendor !== entry.vendor) continue;
			if (f.kind !== undefined && f.kind !== entry.kind) continue;
			if (f.method !== undefined && f.method.toUpperCase() !== entry.method) continue;
			if (f.path !== undefined) {
				if (f.path instanceof RegExp ? !f.path.test(entry.path) : !entry.path.startsWith(f.path))
					continue;
			}
			f.times = (f.times as number) - 1;
			f.hits = (f.hits || 0) + 1;
			return f;
		}
		return undefined;
	}

	readBody(req: http.IncomingMessage): Promise<Buffer> {
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			req.on('data', (c: Buffer) => {
				size += c.length;
				if (size > MAX_BODY_BYTES) {
					reject(new Error('request body too large'));
					req.destroy();
					return;
				}
				chunks.push(c);
			});
			req.on('end', () => resolve(Buffer.concat(chunks)));
			req.on('error', reject);
		});
	}

	async handle(req: http.IncomingMessage, res: http.ServerResponse) {
		const at = Date.now();
		const url = new URL(req.url || '/', this.url || 'http://127.0.0.1');
		const mount = this.findMount(url.pathname);
		const classified = mount
			? mount.classify(url.pathname)
			: { kind: undefined, path: url.pathname };
		const entry: RequestLogEntry = {
			vendor: mount && mount.vendor,
			kind: classified.kind,
			method: (req.method || 'GET').toUpperCase(),
			path: classified.path,
			query: queryObject(url.searchParams),
			headers: { ...req.headers },
			body: undefined,
			status: undefined,
			fault: undefined,
			bytes: 0,
			at,
		};
		this.requests.push(entry);
		countBodyBytes(res, entry);

		// Record the status at the moment the head is written (before the client can see it).
		const writeHead = res.writeHead as Passthrough;
		res.writeHead = function (status: number, ...rest: unknown[]) {
			entry.status = status;
			return writeHead.call(res, status, ...rest);
		} as typeof res.writeHead;
		if (this.log) res.on('finish', () => this.log && this.log(entry));

		let rawBody;
		try {
			rawBody = await this.readBody(req);
		} catch {
			if (!res.headersSent) sendJson(res, 413, { message: 'request body too large' });
			return;
		}
		const contentType = String(req.headers['content-type'] || '').toLowerCase();
		let body;
		let bodyIsJson = false;
		if (rawBody.length) {
			body = rawBody.toString('utf8');
			if (/^application\/([\w.+-]*\+)?json\b/.test(contentType)) {
				try {
					body = JSON.parse(body);
					bodyIsJson = true;
				} catch {
					/* keep the raw string; the vendor answers 400 */
				}
			}
		}
		entry.body = body;

		if (!mount) {
			sendJson(res, 404, { message: `No sandbox route for ${entry.method} ${url.pathname}` });
			return;
		}

		const ctx: RequestContext = {
			req,
			res,
			url,
			kind: classified.kind as string,
			path: classified.path,
			query: entry.query,
			rawBody,
			body,
			bodyIsJson,
			entry,
			server: this,
		};

		if (mount.observe) mount.observe(ctx);
		const fault = this.takeFault(entry);
		if (fault) {
			entry.fault = fault.type;
			const retryHeaders: Record<string, string> =
				fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
			switch (fault.type) {
				case 'status': {
					const status = fault.status as number;
					if (fault.body !== undefined) {
						if (typeof fault.body === 'string')
							sendText(res, status, fault.body, 'text/plain;charset=UTF-8', retryHeaders);
						else sendJson(res, status, fault.body, retryHeaders);
					} else if (mount.faultResponse) {
						const r = mount.faultResponse(status, ctx, fault);
						sendText(
							res,
							status,
							r.body,
							r.headers['content-type'] || 'application/json;charset=UTF-8',
							{ ...r.headers, ...retryHeaders },
						);
					} else {
						sendJson(res, status, { message: http.STATUS_CODES[status] || 'Error' }, retryHeaders);
					}
					return; // not executed: no state change
				}
				case 'html': {
					const status = fault.status ?? 502;
					sendText(res, status, htmlErrorPage(status), 'text/html', retryHeaders);
					return; // not executed
				}
				case 'reset': {
					if (fault.afterBytes === undefined) {
						// Connection reset before any response: the request is not executed.
						const socket = req.socket;
						if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
						else socket.destroy();
						return;
					}
					// The request executes; its response body is cut after `afterBytes` bytes.
					truncateResponse(res, fault.afterBytes);
					break;
				}
				case 'empty': {
					// A 200 (or `status`) with nothing in it: what a misbehaving proxy or CDN answers.
					const headers: Record<string, string> = { 'content-length': '0', ...retryHeaders };
					if (fault.contentType !== undefined) headers['content-type'] = fault.contentType;
					sendEmpty(res, fault.status ?? 200, headers);
					return; // not executed
				}
				case 'contentType':
					rewriteResponse(res, { contentType: fault.contentType });
					break;
				case 'truncate': {
					// Unlike reset, the answer completes: the file itself is short.
					const keep = fault.afterBytes as number;
					rewriteResponse(res, { body: (body) => body.subarray(0, keep) });
					break;
				}
				case 'transform':
					rewriteResponse(res, { body: fault.transform as (body: Buffer) => Buffer });
					break;
				case 'slow': {
					// The request still executes after the delay, even if the client gave up
					// meanwhile (like a slow upstream that finishes the work): tests can check what
					// a client does after its own timeout. Not executed if the sandbox stops or
					// resets meanwhile (a later test must not see its effects).
					const generation = this.generation;
					await this.sleep(fault.delayMs ?? 1000);
					if (this.stopped || this.generation !== generation) {
						res.destroy();
						return;
					}
					break;
				}
				default:
					break;
			}
		}
		await mount.handle(ctx);
	}
}
