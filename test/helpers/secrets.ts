/**
 * The secret audit: nothing a run shows anyone — output items (JSON and binary), hints,
 * node and execution errors (message, description and every other field n8n keeps), the
 * workflow's static data, console output — may hold a secret: an access token, a client
 * secret, a password, a SAS token or a signed link.
 *
 *     const secrets = sandboxSecrets(sandbox, run.result.credentials);
 *     expect(await findLeaks(run, secrets, { consoleOutput })).toEqual([]);
 *
 * Secrets are looked for as they are and in the forms a leak takes: URL-encoded, URL-decoded
 * and JSON-escaped. A signed link counts twice: the whole link, and its signature alone.
 */
import type { IDataObject, INodeExecutionData, ITaskData } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox';
import type { CredentialStore, NodeResult, WorkflowResult } from '../harness';

export interface Secret {
	/** what it is, for failure messages: 'Graph client secret' (the value is never printed) */
	name: string;
	value: string;
}

export interface Leak {
	secret: string;
	/** 'Download Report › output item 0 › json', 'Download Report › error', 'console', … */
	where: string;
}

export interface LeakScanOptions {
	/**
	 * Output fields that hold a secret on purpose, because the operation hands it to the user:
	 * Get Download Links' `usageUrl`, or `tempDownloadURL` with Include Download URL on.
	 */
	allowedFields?: Array<{ node: string; field: string }>;
	/** Console output captured while the run went (see captureConsole). */
	consoleOutput?: string;
}

/**
 * Sandbox options that make every credential secret a distinctive sentinel, so an audit
 * cannot mistake a leak for an ordinary string: `startSandbox({ ...SENTINEL_SECRETS, … })`.
 */
export const SENTINEL_SECRETS = {
	webex: {
		accessToken: 'sentinel-webex-access-token-5c1e9',
		clientSecret: 'sentinel-webex-client-secret-8d2f4',
	},
	graph: {
		clientSecret: 'sentinel-graph-client-secret-3b7a1',
		accessToken: 'sentinel-graph-access-token-9e6c2',
	},
	cisco: {
		clientSecret: 'sentinel-cisco-client-secret-4f8d3',
		password: 'sentinel-cisco-password-1a5b7',
	},
} as const;

/** Shorter values would match by chance; no real secret is this short. */
const MIN_SECRET_LENGTH = 8;

/** The query parameters of signed links and SAS tokens that are the signature. */
const SIGNATURE_PARAMETERS = ['sig', 'Signature', 'signature', 'X-Amz-Signature'];

/** A signed link as secrets: the link, and its signature alone (a leak may cut the URL). */
function signedLinkSecrets(name: string, link: string): Secret[] {
	const secrets: Secret[] = [{ name, value: link }];
	const query = link.includes('?') ? link.slice(link.indexOf('?') + 1) : link;
	for (const [parameter, value] of new URLSearchParams(query)) {
		if (SIGNATURE_PARAMETERS.includes(parameter))
			secrets.push({ name: `${name} (${parameter})`, value });
	}
	return secrets;
}

/**
 * Every secret the sandbox holds or handed out so far: the credentials' secrets (set them to
 * sentinel values through the sandbox options), the tokens it issued, the SAS tokens and the
 * signed links. With a credential store, also the tokens n8n stored in it (Graph's OAuth2
 * access token, Cisco's preAuthentication token).
 */
export function sandboxSecrets(sandbox: Sandbox, credentials?: CredentialStore): Secret[] {
	const { webex, graph, cisco } = sandbox;
	const secrets: Secret[] = [
		{ name: 'Webex access token', value: webex.accessToken },
		{ name: 'Webex OAuth client secret', value: webex.clientSecret },
		...webex.signedUrls().flatMap((url) => signedLinkSecrets('Webex signed download URL', url)),
		{ name: 'Cisco client secret', value: cisco.clientSecret },
		{ name: 'Cisco password', value: cisco.password },
		...cisco.issuedTokens().map((value) => ({ name: 'Cisco access token', value })),
		...cisco.usageUrls().flatMap((url) => signedLinkSecrets('Cisco usage URL', url)),
	];
	if (graph) {
		secrets.push(
			{ name: 'Graph client secret', value: graph.clientSecret },
			{ name: 'Graph static access token', value: graph.accessToken },
			...graph.sasTokens().flatMap((token) => signedLinkSecrets('Graph SAS token', token)),
			...graph
				.issuedAccessTokens()
				.map((token) => ({ name: 'issued Graph or Partner Center access token', value: token })),
			...graph.pdfLinks().map((link) => ({
				name: 'Partner Center PDF link signature',
				value: new URL(link).searchParams.get('sig') ?? link,
			})),
		);
	}
	for (const key of credentials?.keys() ?? []) {
		const data = credentials!.get(key) as IDataObject;
		const oauth = (data.oauthTokenData ?? {}) as IDataObject;
		for (const [field, value] of [
			['access token', data.accessToken],
			['OAuth access token', oauth.access_token],
			['OAuth refresh token', oauth.refresh_token],
		] as const) {
			if (typeof value === 'string') secrets.push({ name: `stored ${field} (${key})`, value });
		}
	}
	return dedupe(
		secrets.filter(
			(secret) => typeof secret.value === 'string' && secret.value.length >= MIN_SECRET_LENGTH,
		),
	);
}

function dedupe(secrets: Secret[]): Secret[] {
	const seen = new Set<string>();
	return secrets.filter((secret) => !seen.has(secret.value) && seen.add(secret.value));
}

/** The forms a secret takes in text: as is, URL-encoded, URL-decoded, JSON-escaped. */
function formsOf(value: string): string[] {
	const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
	try {
		forms.add(decodeURIComponent(value));
	} catch {
		// Not URL-encoded text: its other forms are enough.
	}
	return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** Every own property, messages and stacks of errors included, cycles cut. */
function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	return (
		JSON.stringify(value, function (_key, current: unknown) {
			if (typeof current === 'bigint') return current.toString();
			if (current && typeof current === 'object') {
				if (seen.has(current)) return '[cycle]';
				seen.add(current);
				if (current instanceof Error) {
					const fields: Record<string, unknown> = {
						name: current.name,
						message: current.message,
						stack: current.stack,
					};
					for (const key of Object.getOwnPropertyNames(current))
						fields[key] = (current as unknown as Record<string, unknown>)[key];
					return fields;
				}
			}
			return current;
		}) ?? ''
	);
}

function withoutFields(json: IDataObject, fields: string[]): IDataObject {
	if (fields.length === 0) return json;
	const copy = { ...json };
	for (const field of fields) delete copy[field];
	return copy;
}

/** The places a run shows to anyone: [where, text] pairs. */
async function visibleTexts(
	result: WorkflowResult,
	options: LeakScanOptions,
): Promise<Array<[string, string]>> {
	const texts: Array<[string, string]> = [];
	const runData = result.run.data.resultData.runData;
	for (const [node, tasks] of Object.entries(runData)) {
		const allowed = (options.allowedFields ?? [])
			.filter((entry) => entry.node === node)
			.map((entry) => entry.field);
		for (const [runIndex, task] of (tasks as ITaskData[]).entries()) {
			const at = tasks.length > 1 ? `${node} (run ${runIndex})` : node;
			if (task.error) texts.push([`${at} › error`, serialise(task.error)]);
			if (task.hints?.length) texts.push([`${at} › hints`, serialise(task.hints)]);
			for (const [outputIndex, items] of (task.data?.main ?? []).entries()) {
				for (const [itemIndex, item] of ((items ?? []) as INodeExecutionData[]).entries()) {
					const place = `${at} › output ${outputIndex} item ${itemIndex}`;
					texts.push([`${place} › json`, serialise(withoutFields(item.json, allowed))]);
					if (item.error) texts.push([`${place} › error`, serialise(item.error)]);
					for (const property of Object.keys(item.binary ?? {})) {
						texts.push([
							`${place} › binary ${property} (metadata)`,
							serialise(item.binary![property]),
						]);
						texts.push([
							`${place} › binary ${property}`,
							(await result.binary(item, property)).toString('latin1'),
						]);
					}
				}
			}
		}
	}
	const executionError = result.run.data.resultData.error;
	if (executionError) texts.push(['execution error', serialise(executionError)]);
	texts.push(['workflow static data', serialise(result.staticData)]);
	if (options.consoleOutput) texts.push(['console', options.consoleOutput]);
	return texts;
}

/** Where each secret shows up in what the run shows; empty when nothing leaked. */
export async function findLeaks(
	run: WorkflowResult | NodeResult,
	secrets: Secret[],
	options: LeakScanOptions = {},
): Promise<Leak[]> {
	const result = 'result' in run ? run.result : run;
	return leaksIn(await visibleTexts(result, options), secrets);
}

/** Where each secret shows up in texts shown elsewhere (a credential test's message, a log). */
export function leaksIn(texts: Array<[where: string, text: string]>, secrets: Secret[]): Leak[] {
	const leaks: Leak[] = [];
	for (const secret of secrets) {
		const forms = formsOf(secret.value);
		for (const [where, text] of texts) {
			// Binary text is read as latin1: a UTF-8 secret is then found by its bytes.
			if (
				forms.some(
					(form) =>
						text.includes(form) || text.includes(Buffer.from(form, 'utf8').toString('latin1')),
				)
			) {
				leaks.push({ secret: secret.name, where });
			}
		}
	}
	return leaks;
}

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Runs `action` while recording everything written to the console or to stdout/stderr (and
 * still lets it through), so an audit can look for secrets in what a log would keep.
 */
export async function captureConsole<Result>(
	action: () => Promise<Result>,
): Promise<{ result: Result; output: string }> {
	const chunks: string[] = [];
	const originals = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
	for (const [method, original] of originals) {
		console[method] = (...args: unknown[]) => {
			chunks.push(args.map((arg) => (typeof arg === 'string' ? arg : serialise(arg))).join(' '));
			(original as (...values: unknown[]) => void).apply(console, args);
		};
	}
	const streams = [process.stdout, process.stderr];
	const writes = streams.map((stream) => stream.write);
	streams.forEach((stream, index) => {
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			chunks.push(
				typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
			);
			return (writes[index] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
		}) as Write;
	});
	try {
		const result = await action();
		return { result, output: chunks.join('\n') };
	} finally {
		for (const [method, original] of originals) console[method] = original as never;
		streams.forEach((stream, index) => (stream.write = writes[index]));
	}
}
