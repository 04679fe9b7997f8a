// @ts-check
'use strict';

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

const http = require('http');
const { URL } = require('url');

/**
 * @typedef {{ [key: string]: string | string[] }} QueryObject
 *
 * @typedef {object} RequestLogEntry
 * @property {string | undefined} vendor   e.g. 'webex'; undefined when no mount matched
 * @property {string | undefined} kind     'api' | 'download' | 'token' (vendors may add more)
 * @property {string} method
 * @property {string} path                 relative to the vendor API base for kind 'api', the full path otherwise
 * @property {QueryObject} query           string values; arrays when a name is repeated
 * @property {http.IncomingHttpHeaders} headers  lower-case names
 * @property {unknown} body                parsed JSON when the body is JSON, else the raw string; undefined when empty
 * @property {number | undefined} status   the status sent; undefined when the connection was reset before a response
 * @property {string | undefined} fault    the fault type applied, if any
 * @property {number} bytes                response body bytes sent so far (what the client got, cuts included)
 * @property {number} at                   arrival time, ms since epoch
 *
 * @typedef {object} Fault
 * @property {string} [vendor]
 * @property {string} [kind]
 * @property {string} [method]
 * @property {string | RegExp} [path]      string: prefix of the logged path; RegExp: tested against it
 * @property {number} [times]              default 1; Infinity allowed; decremented per hit
 * @property {'status'|'reset'|'slow'|'html'|'empty'|'contentType'|'truncate'|'transform'} type
 * @property {number} [status]
 * @property {number | string} [retryAfter] seconds, or an HTTP-date sent verbatim
 * @property {unknown} [body]              status faults: replaces the vendor's error body (objects are sent as JSON)
 * @property {number} [afterBytes]         reset: body bytes to send before the socket is destroyed; truncate: body bytes kept
 * @property {number} [delayMs]            slow: delay before the request is executed and answered
 * @property {string} [contentType]        contentType: the Content-Type sent instead of the vendor's; empty: the one sent (default none)
 * @property {(body: Buffer) => Buffer} [transform]  transform: rewrites the whole answer body (see corrupt.js)
 * @property {number} [hits]               maintained by the sandbox
 *
 * @typedef {object} RequestContext
 * @property {http.IncomingMessage} req
 * @property {http.ServerResponse} res
 * @property {URL} url
 * @property {string} kind
 * @property {string} path                 as logged
 * @property {QueryObject} query
 * @property {Buffer} rawBody
 * @property {unknown} body                parsed JSON body, else raw string, else undefined
 * @property {boolean} bodyIsJson          content-type says JSON and it parsed
 * @property {RequestLogEntry} entry
 * @property {SandboxServer} server
 *
 * @typedef {object} Mount
 * @property {string} vendor
 * @property {string} prefix               path prefix ('/webex/v1'); matched on segment boundaries
 * @property {(pathname: string) => { kind: string, path: string }} classify
 * @property {(ctx: RequestContext) => void | Promise<void>} handle
 * @property {(ctx: RequestContext) => void} [observe]  sees every request before faults apply (checks that must not miss a faulted request)
 * @property {(status: number, ctx: RequestContext, fault: Fault) => { body: string, headers: Record<string, string> }} [faultResponse]
 *
 * @typedef {object} Vendor
 * @property {string} name
 * @property {() => void} [reset]
 */

const FAULT_TYPES = new Set(['status', 'reset', 'slow', 'html', 'empty', 'contentType', 'truncate', 'transform']);
const MAX_BODY_BYTES = 10 * 1024 * 1024;


/**
 * @param {URLSearchParams} params
 * @returns {QueryObject}
 */
function queryObject(params) {
	/** @type {QueryObject} */
	const out = {};
	for (const [k, v] of params) {
		const prev = out[k];
		if (prev === undefined) out[k] = v;
		else if (Array.isArray(prev)) prev.push(v);
		else out[k] = [prev, v];
	}
	return out;
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} obj
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, obj, headers = {}) {
	const body = Buffer.from(JSON.stringify(obj), 'utf8');
	res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length), ...headers });
	res.end(body);
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} text
 * @param {string} contentType
 * @param {Record<string, string>} [headers]
 */
function sendText(res, status, text, contentType, headers = {}) {
	const body = Buffer.from(text, 'utf8');
	res.writeHead(status, { 'content-type': contentType, 'content-length': String(body.length), ...headers });
	res.end(body);
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {Record<string, string>} [headers]
 */
function sendEmpty(res, status, headers = {}) {
	res.writeHead(status, headers);
	res.end();
}

/** Reverse-proxy style error page (what an LB/CDN in front of an API answers). @param {number} status */
function htmlErrorPage(status) {
	const reason = http.STATUS_CODES[status] || 'Error';
	return (
		`<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n` +
		`<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
	);
}

/** @param {unknown} chunk @param {unknown} encoding */
function chunkToBuffer(chunk, encoding) {
	return typeof chunk === 'string'
		? Buffer.from(chunk, /** @type {BufferEncoding} */ (typeof encoding === 'string' ? encoding : 'utf8'))
		: Buffer.from(/** @type {Uint8Array} */ (chunk));
}

/**
 * Let at most `limit` body bytes through, then destroy the socket (headers are sent first, so
 * the client sees a truncated body). A body of at most `limit` bytes completes normally.
 * @param {http.ServerResponse} res
 * @param {number} limit
 */
function truncateResponse(res, limit) {
	const socket = res.socket;
	const write = /** @type {(...args: any[]) => any} */ (res.write);
	const end = /** @type {(...args: any[]) => any} */ (res.end);
	let sent = 0;
	let cut = false;

	/** @param {Buffer} part */
	const doCut = (part) => {
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

	/** @type {any} */ (res).write = function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ cb) {
		if (cut) return false;
		const buf = chunkToBuffer(chunk, encoding);
		if (sent + buf.length <= limit) {
			sent += buf.length;
			return write.call(res, buf, typeof encoding === 'function' ? encoding : cb);
		}
		doCut(buf.subarray(0, limit - sent));
		sent = limit;
		return false;
	};
	/** @type {any} */ (res).end = function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ cb) {
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
	};
}

/**
 * Count the body bytes that leave through `res` into `entry.bytes`. Installed before any
 * fault wraps the response, so a cut or rewritten body is counted as the client gets it.
 * @param {http.ServerResponse} res
 * @param {RequestLogEntry} entry
 */
function countBodyBytes(res, entry) {
	const write = /** @type {(...args: any[]) => any} */ (res.write);
	const end = /** @type {(...args: any[]) => any} */ (res.end);
	/** @type {any} */ (res).write = function (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') entry.bytes += chunkToBuffer(chunk, rest[0]).length;
		return write.call(res, chunk, ...rest);
	};
	/** @type {any} */ (res).end = function (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') entry.bytes += chunkToBuffer(chunk, rest[0]).length;
		return end.call(res, chunk, ...rest);
	};
}

/**
 * Hold the whole answer the vendor writes, then send it changed: the body through `body`
 * (with a Content-Length that matches, so the response completes normally and only its
 * content differs) and/or another Content-Type. For the body faults (truncate, transform)
 * and contentType.
 * @param {http.ServerResponse} res
 * @param {{ body?: (body: Buffer) => Buffer, contentType?: string }} change
 */
function rewriteResponse(res, change) {
	const writeHead = /** @type {(...args: any[]) => any} */ (res.writeHead);
	const write = /** @type {(...args: any[]) => any} */ (res.write);
	const end = /** @type {(...args: any[]) => any} */ (res.end);
	let status = 200;
	/** @type {Buffer[]} */
	const chunks = [];
	/** @type {any} */ (res).writeHead = function (/** @type {number} */ code, /** @type {any[]} */ ...rest) {
		status = code;
		const headers = typeof rest[0] === 'string' ? rest[1] : rest[0];
		if (headers && !Array.isArray(headers)) for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
		return res;
	};
	/** @type {any} */ (res).write = function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ cb) {
		chunks.push(chunkToBuffer(chunk, encoding));
		const callback = typeof encoding === 'function' ? encoding : cb;
		if (typeof callback === 'function') process.nextTick(callback);
		return true;
	};
	/** @type {any} */ (res).end = function (/** @type {any} */ chunk, /** @type {any} */ encoding, /** @type {any} */ cb) {
		if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(chunkToBuffer(chunk, encoding));
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
		return end.call(res, body, callback);
	};
}

class SandboxServer {
	/**
	 * @param {{ host?: string, port?: number, log?: (entry: RequestLogEntry) => void }} [options]
	 */
	constructor(options = {}) {
		this.host = options.host || '127.0.0.1';
		this.port = options.port ?? 0;
		this.log = options.log;
		/** @type {RequestLogEntry[]} */
		this.requests = [];
		/** @type {string[]} */
		this.violations = [];
		/** @type {Fault[]} */
		this.faults = [];
		/** @type {Mount[]} */
		this.mounts = [];
		/** @type {Vendor[]} */
		this.vendors = [];
		/** @type {string} */
		this.url = '';
		this.stopped = false;
		/** @type {Set<() => void>} pending slow-fault delays (released by stop and reset) */
		this.sleepers = new Set();
		/** counts resets: a slow request from before the last reset is dropped, not executed */
		this.generation = 0;
		this.httpServer = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				// Last resort: the vendor handler threw after the response started.
				if (!res.headersSent) sendJson(res, 500, { message: `sandbox error: ${err && err.message}` });
				else res.destroy();
			});
		});
		// Node's default 5 s keep-alive lets the server close an idle connection just as a client
		// reuses it ("other side closed"), a flake no real API behind a load balancer shows.
		// Keep idle connections long; stop() closes them all anyway.
		this.httpServer.keepAliveTimeout = 65000;
		this.httpServer.headersTimeout = 66000;
	}

	/** @param {Mount} mount */
	mount(mount) {
		this.mounts.push(mount);
		// Longest prefix first.
		this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
	}

	/** @param {Vendor} vendor */
	addVendor(vendor) {
		this.vendors.push(vendor);
	}

	/** Record a protocol violation (tests assert the list stays empty). @param {string} message */
	violation(message) {
		this.violations.push(message);
	}

	/**
	 * @param {Fault} fault
	 * @returns {Fault}
	 */
	addFault(fault) {
		if (!fault || !FAULT_TYPES.has(fault.type)) throw new Error(`fault.type must be one of ${[...FAULT_TYPES].join(', ')}`);
		if (fault.type === 'status' && !(Number.isInteger(fault.status) && /** @type {number} */ (fault.status) >= 100)) {
			throw new Error('a status fault needs an integer status');
		}
		if (fault.type === 'contentType' && typeof fault.contentType !== 'string') throw new Error('a contentType fault needs the contentType to send');
		if (fault.type === 'truncate' && !(Number.isInteger(fault.afterBytes) && /** @type {number} */ (fault.afterBytes) >= 0)) {
			throw new Error('a truncate fault needs afterBytes, the body bytes to keep');
		}
		if (fault.type === 'transform' && typeof fault.transform !== 'function') throw new Error('a transform fault needs a transform(body) function');
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
	 * they cannot change state after the reset), then let every vendor reset its own state.
	 */
	reset() {
		this.requests.length = 0;
		this.violations.length = 0;
		this.clearFaults();
		this.generation++;
		for (const wake of [...this.sleepers]) wake();
		for (const v of this.vendors) if (v.reset) v.reset();
	}

	/** @returns {Promise<string>} the base URL */
	listen() {
		return new Promise((resolve, reject) => {
			this.httpServer.once('error', reject);
			this.httpServer.listen(this.port, this.host, () => {
				this.httpServer.off('error', reject);
				const addr = /** @type {import('net').AddressInfo} */ (this.httpServer.address());
				this.port = addr.port;
				this.url = `http://${this.host}:${addr.port}`;
				resolve(this.url);
			});
		});
	}

	/**
	 * Wait `ms`, or less if the sandbox stops meanwhile.
	 * @param {number} ms
	 * @returns {Promise<void>}
	 */
	sleep(ms) {
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

	/** @returns {Promise<void>} */
	stop() {
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

	/**
	 * @param {string} pathname
	 * @returns {Mount | undefined}
	 */
	findMount(pathname) {
		return this.mounts.find((m) => pathname === m.prefix || pathname.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`));
	}

	/**
	 * @param {RequestLogEntry} entry
	 * @returns {Fault | undefined}
	 */
	takeFault(entry) {
		for (const f of this.faults) {
			if (!(/** @type {number} */ (f.times) > 0)) continue;
			if (f.vendor !== undefined && f.vendor !== entry.vendor) continue;
			if (f.kind !== undefined && f.kind !== entry.kind) continue;
			if (f.method !== undefined && f.method.toUpperCase() !== entry.method) continue;
			if (f.path !== undefined) {
				if (f.path instanceof RegExp ? !f.path.test(entry.path) : !entry.path.startsWith(f.path)) continue;
			}
			f.times = /** @type {number} */ (f.times) - 1;
			f.hits = (f.hits || 0) + 1;
			return f;
		}
		return undefined;
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @returns {Promise<Buffer>}
	 */
	readBody(req) {
		return new Promise((resolve, reject) => {
			/** @type {Buffer[]} */
			const chunks = [];
			let size = 0;
			req.on('data', (c) => {
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

	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	async handle(req, res) {
		const at = Date.now();
		const url = new URL(req.url || '/', this.url || 'http://127.0.0.1');
		const mount = this.findMount(url.pathname);
		const classified = mount ? mount.classify(url.pathname) : { kind: undefined, path: url.pathname };
		/** @type {RequestLogEntry} */
		const entry = {
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
		const writeHead = res.writeHead;
		/** @type {any} */ (res).writeHead = function (/** @type {number} */ status, /** @type {any[]} */ ...rest) {
			entry.status = status;
			return writeHead.call(res, status, ...rest);
		};
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

		/** @type {RequestContext} */
		const ctx = { req, res, url, kind: /** @type {string} */ (classified.kind), path: classified.path, query: entry.query, rawBody, body, bodyIsJson, entry, server: this };

		if (mount.observe) mount.observe(ctx);
		const fault = this.takeFault(entry);
		if (fault) {
			entry.fault = fault.type;
			/** @type {Record<string, string>} */
			const retryHeaders = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
			switch (fault.type) {
				case 'status': {
					const status = /** @type {number} */ (fault.status);
					if (fault.body !== undefined) {
						if (typeof fault.body === 'string') sendText(res, status, fault.body, 'text/plain;charset=UTF-8', retryHeaders);
						else sendJson(res, status, fault.body, retryHeaders);
					} else if (mount.faultResponse) {
						const r = mount.faultResponse(status, ctx, fault);
						sendText(res, status, r.body, r.headers['content-type'] || 'application/json;charset=UTF-8', { ...r.headers, ...retryHeaders });
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
					/** @type {Record<string, string>} */
					const headers = { 'content-length': '0', ...retryHeaders };
					if (fault.contentType !== undefined) headers['content-type'] = fault.contentType;
					sendEmpty(res, fault.status ?? 200, headers);
					return; // not executed
				}
				case 'contentType':
					rewriteResponse(res, { contentType: fault.contentType });
					break;
				case 'truncate': {
					// Unlike reset, the answer completes: the file itself is short.
					const keep = /** @type {number} */ (fault.afterBytes);
					rewriteResponse(res, { body: (body) => body.subarray(0, keep) });
					break;
				}
				case 'transform':
					rewriteResponse(res, { body: /** @type {(body: Buffer) => Buffer} */ (fault.transform) });
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

module.exports = { SandboxServer, sendJson, sendText, sendEmpty, htmlErrorPage, queryObject };
