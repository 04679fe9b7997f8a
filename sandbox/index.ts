/**
 * Local vendor-API sandbox: one HTTP server on 127.0.0.1 hosting the vendor emulators.
 *
 *   import { startSandbox } from './sandbox';
 *   const sandbox = await startSandbox({ port: 0, seed: 42, webex: { reportDelayMs: 200 } });
 *   ... sandbox.webex.baseUrl, sandbox.requests, sandbox.addFault({...}) ...
 *   await sandbox.stop();
 *
 * Vendors live in their own folder (`webex/`, `graph/`, `cisco/`): a `create<Vendor>(server, config)`
 * that mounts its path prefixes and returns its facade.
 */

import { SandboxServer } from './server';
import { createWebex } from './webex';
import { createGraph } from './graph';
import { createCisco } from './cisco';
import { createPartner } from './partner';
import type { WebexOptions } from './webex';
import type { GraphOptions } from './graph';
import type { CiscoOptions } from './cisco';
import type { Fault, RequestLogEntry } from './server';

export type { Fault, RequestLogEntry } from './server';
export type { WebexOptions, WebexSandbox } from './webex';
export type { ReportError, ReportRecord, ReportStatus, SeedReportParams } from './webex/store';
export type { GraphOptions, GraphSandbox } from './graph';
export type { CiscoOptions, CiscoSandbox } from './cisco';
export type { CiscoError } from './cisco/errors';
export type { PartnerFile, PartnerSandbox, PlantedRecord } from './partner';

export interface SandboxOptions {
	/** default 0 (a free port) */
	port?: number;
	/** default 127.0.0.1 */
	host?: string;
	/** default 42; same seed => same data */
	seed?: number;
	webex?: Partial<WebexOptions>;
	/** opt-in: starts the Graph part and Azurite (only when given) */
	graph?: Partial<GraphOptions>;
	cisco?: Partial<CiscoOptions>;
	/** called after each response */
	log?: (entry: RequestLogEntry) => void;
}

export async function startSandbox(options: SandboxOptions = {}) {
	const seed = options.seed ?? 42;
	const server = new SandboxServer({
		host: options.host,
		port: options.port ?? 0,
		log: options.log,
	});
	const webex = createWebex(server, { seed, options: options.webex });
	const cisco = createCisco(server, { seed, options: options.cisco });
	const partner = createPartner(server, { seed, cisco });
	// Opt-in: only a `graph` key starts Azurite (Webex-only tests do not pay its start-up).
	const graph = options.graph
		? await createGraph(server, { seed, options: options.graph })
		: undefined;
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
		addFault: (fault: Fault) => server.addFault(fault),
		clearFaults: () => server.clearFaults(),
		/**
		 * Clear requests, violations, faults and reports, restore the vendors' start options, and
		 * hang up every connection: no request sent before reaches what runs next (see server.ts).
		 */
		reset: async () => await server.reset(),
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

/** What startSandbox resolves to. */
export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
