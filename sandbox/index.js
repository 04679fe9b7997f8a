// @ts-check
'use strict';

/**
 * Local vendor-API sandbox: one HTTP server on 127.0.0.1 hosting the vendor emulators.
 *
 *   const { startSandbox } = require('./sandbox');
 *   const sandbox = await startSandbox({ port: 0, seed: 42, webex: { reportDelayMs: 200 } });
 *   ... sandbox.webex.baseUrl, sandbox.requests, sandbox.addFault({...}) ...
 *   await sandbox.stop();
 *
 * Vendors live in their own folder (`webex/`, `graph/`, `cisco/`): a `create<Vendor>(server, config)`
 * that mounts its path prefixes and returns its facade.
 */

const { SandboxServer } = require('./server');
const { createWebex } = require('./webex');
const { createGraph } = require('./graph');
const { createCisco } = require('./cisco');
const { createPartner } = require('./partner');

/**
 * @typedef {object} SandboxOptions
 * @property {number} [port]      default 0 (a free port)
 * @property {string} [host]      default 127.0.0.1
 * @property {number} [seed]      default 42; same seed => same data
 * @property {Partial<import('./webex').WebexOptions>} [webex]
 * @property {Partial<import('./graph').GraphOptions>} [graph]  opt-in: starts the Graph part and Azurite (only when given)
 * @property {Partial<import('./cisco').CiscoOptions>} [cisco]
 * @property {(entry: import('./server').RequestLogEntry) => void} [log] called after each response
 */

/**
 * @param {SandboxOptions} [options]
 */
async function startSandbox(options = {}) {
	const seed = options.seed ?? 42;
	const server = new SandboxServer({ host: options.host, port: options.port ?? 0, log: options.log });
	const webex = createWebex(server, { seed, options: options.webex });
	const cisco = createCisco(server, { seed, options: options.cisco });
	const partner = createPartner(server, { seed, cisco });
	// Opt-in: only a `graph` key starts Azurite (Webex-only tests do not pay its start-up).
	const graph = options.graph ? await createGraph(server, { seed, options: options.graph }) : undefined;
	try {
		await server.listen();
	} catch (err) {
		if (graph) await graph.close();
		throw err;
	}

	return {
		/** `http://127.0.0.1:PORT` */
		url: server.url,
		port: server.port,
		seed,
		webex,
		/** The Microsoft Graph part; undefined unless `graph` options were given. */
		graph,
		cisco,
		/** The partner's own records (PSA/ERP exports) the example workflows reconcile against. */
		partner,
		/** Every request, in arrival order (cleared in place by reset()). */
		requests: server.requests,
		/** Protocol violations seen by the sandbox (tests assert it stays empty). */
		violations: server.violations,
		/** @param {import('./server').Fault} fault */
		addFault: (fault) => server.addFault(fault),
		clearFaults: () => server.clearFaults(),
		/** Clear requests, violations, faults and reports; restore the vendors' start options. */
		reset: () => server.reset(),
		/** Stop the server, then Azurite (if the Graph part runs). */
		stop: async () => {
			try {
				await server.stop();
			} finally {
				if (graph) await graph.close();
			}
		},
		/** The core, for vendor emulators added later. */
		server,
	};
}

module.exports = { startSandbox };
