/**
 * Start the vendor-API sandbox standalone: `npm run sandbox -- --port 8787 --report-delay-ms 5000`.
 * Options: --port N (default 0 = a free port), --report-delay-ms N (default 3000), --seed N
 * (default 42), --download-url-ttl-seconds N, --user-report-rows N, --csv-bom, --quiet.
 * Microsoft Graph (with Azurite) starts too unless --no-graph: --graph-operation-delay-ms N
 * (default 3000), --graph-retry-after-seconds N, --graph-manifest-style inline|navigationLink,
 * --graph-sas-ttl-seconds N, --graph-scale-line-items N. Cisco XaaS Billing always runs.
 * Stops cleanly on SIGINT/SIGTERM (Azurite included).
 */

import { startSandbox } from '../sandbox';
import type { GraphOptions, WebexOptions } from '../sandbox';

const USAGE = `usage: npm run sandbox -- [--port N] [--report-delay-ms N] [--seed N]
       [--download-url-ttl-seconds N] [--user-report-rows N] [--csv-bom] [--quiet]
       [--no-graph] [--graph-operation-delay-ms N] [--graph-retry-after-seconds N]
       [--graph-manifest-style inline|navigationLink] [--graph-sas-ttl-seconds N] [--graph-scale-line-items N]`;

interface Args {
	port: number;
	reportDelayMs: number;
	seed: number;
	ttl?: number;
	userReportRows?: number;
	csvBom: boolean;
	quiet: boolean;
	graph: boolean;
	graphOptions: Partial<GraphOptions>;
}

function parseArgs(argv: string[]) {
	const out: Args = {
		port: 0,
		reportDelayMs: 3000,
		seed: 42,
		csvBom: false,
		quiet: false,
		graph: true,
		graphOptions: { operationDelayMs: 3000 },
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [name, inline] = arg.includes('=')
			? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
			: [arg, undefined];
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined || !/^\d+$/.test(v))
				throw new Error(`${name} needs a non-negative integer`);
			return Number(v);
		};
		switch (name) {
			case '--port':
				out.port = value();
				break;
			case '--report-delay-ms':
				out.reportDelayMs = value();
				break;
			case '--seed':
				out.seed = value();
				break;
			case '--download-url-ttl-seconds':
				out.ttl = value();
				break;
			case '--user-report-rows':
				out.userReportRows = value();
				break;
			case '--csv-bom':
				out.csvBom = true;
				break;
			case '--quiet':
				out.quiet = true;
				break;
			case '--no-graph':
				out.graph = false;
				break;
			case '--graph-operation-delay-ms':
				out.graphOptions.operationDelayMs = value();
				break;
			case '--graph-retry-after-seconds':
				out.graphOptions.retryAfterSeconds = value();
				break;
			case '--graph-sas-ttl-seconds':
				out.graphOptions.sasTtlSeconds = value();
				break;
			case '--graph-scale-line-items':
				out.graphOptions.scaleLineItems = value();
				break;
			case '--graph-manifest-style': {
				const v = inline ?? argv[++i];
				if (v !== 'inline' && v !== 'navigationLink')
					throw new Error(`${name} must be inline or navigationLink`);
				out.graphOptions.manifestStyle = v;
				break;
			}
			case '-h':
			case '--help':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}
	return out;
}

async function main() {
	let args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (err) {
		console.error(`${(err as Error).message}\n${USAGE}`);
		process.exit(2);
	}
	const webex: Partial<WebexOptions> = { reportDelayMs: args.reportDelayMs, csvBom: args.csvBom };
	if (args.ttl !== undefined) webex.downloadUrlTtlSeconds = args.ttl;
	if (args.userReportRows !== undefined) webex.userReportRows = args.userReportRows;

	const sandbox = await startSandbox({
		port: args.port,
		seed: args.seed,
		webex,
		graph: args.graph ? args.graphOptions : undefined,
		log: args.quiet
			? undefined
			: (e) =>
					console.log(
						`${new Date(e.at).toISOString()} ${e.vendor ?? '-'} ${e.kind ?? '-'} ${e.method} ${e.path} -> ${e.status ?? 'reset'}${e.fault ? ` [fault ${e.fault}]` : ''}`,
					),
	});
	const w = sandbox.webex;
	console.log(`Sandbox listening on ${sandbox.url} (seed ${sandbox.seed})`);
	console.log('Webex Wholesale Billing');
	console.log(`  API base URL        ${w.baseUrl}`);
	console.log(`  access token (PAT)  ${w.accessToken}`);
	console.log(`  OAuth authorize URL ${w.authorizeUrl}`);
	console.log(`  OAuth token URL     ${w.tokenUrl}`);
	console.log(`  OAuth client        ${w.clientId} / ${w.clientSecret}`);
	console.log(
		`  report delay        ${w.options.reportDelayMs} ms; download URL TTL ${w.options.downloadUrlTtlSeconds} s`,
	);
	console.log(
		`  sub-partners        ${w.dataset.subPartners.map((s) => `${s.name}=${s.webexId}`).join('\n                      ')}`,
	);
	const g = sandbox.graph;
	if (g) {
		console.log('Microsoft Graph partner billing');
		console.log(`  Graph base URL      ${g.baseUrl}`);
		console.log(`  login base URL      ${g.loginBaseUrl}`);
		console.log(`  token URL           ${g.tokenUrl}`);
		console.log(`  tenant id           ${g.tenantId}`);
		console.log(`  client              ${g.clientId} / ${g.clientSecret}`);
		console.log(`  static bearer token ${g.accessToken}`);
		console.log(
			`  operation delay     ${g.options.operationDelayMs} ms; Retry-After ${g.options.retryAfterSeconds} s; manifest ${g.options.manifestStyle}`,
		);
		console.log(
			`  invoices            ${g.dataset.invoices.map((i) => `${i.invoiceId} (${i.currency} ${i.year}-${String(i.month).padStart(2, '0')})`).join(', ')}`,
		);
		console.log(`  blobs (Azurite)     ${g.blobEndpoint}`);
	}
	const c = sandbox.cisco;
	const invoices = c.invoices();
	console.log('Cisco XaaS Billing');
	console.log(`  API base URL        ${c.baseUrl}`);
	console.log(`  token URL           ${c.tokenUrl}`);
	console.log(`  client              ${c.clientId} / ${c.clientSecret}`);
	console.log(`  user (password)     ${c.username} / ${c.password}`);
	console.log(`  BID                 ${c.billingAddressId}`);
	console.log(
		`  invoices            ${invoices.length}, ${invoices[0].invoiceNumber} (${invoices[0].invoiceDate}) … ${invoices[invoices.length - 1].invoiceNumber} (${invoices[invoices.length - 1].invoiceDate})`,
	);
	console.log("The partner's own records (CSV, planted discrepancies)");
	console.log(`  Webex seats         ${sandbox.partner.baseUrl}/webex-seats.csv?month=YYYY-MM`);
	console.log(
		`  Microsoft invoices  ${sandbox.partner.baseUrl}/microsoft-customer-invoices.csv?invoiceId=G000000004`,
	);
	console.log(
		`  Cisco subscriptions ${sandbox.partner.baseUrl}/cisco-subscriptions.csv?month=YYYY-MM`,
	);
	console.log('Press Ctrl+C to stop.');

	let stopping = false;
	const shutdown = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping sandbox`);
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown('SIGINT'));
	process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
