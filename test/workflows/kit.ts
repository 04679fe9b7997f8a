/**
 * What the example workflows need around them to run end to end on this machine, shared by
 * their tests and by `npm start`: the sandbox, a real SMTP server that keeps what it
 * receives, a stand-in for slack.com, the credentials by type, and the values a user would
 * type into each workflow's Settings node.
 */
import type { RequestListener } from 'node:http';

import { simpleParser, type ParsedMail } from 'mailparser';
import nock from 'nock';
import { SMTPServer } from 'smtp-server';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox';
import type { LoadedPackage, WorkflowJson, WorkflowResult } from '../harness';
import { ciscoCredential, microsoftCredential, webexCredential } from '../helpers/credentials';
import { SENTINEL_SECRETS, type Secret } from '../helpers/secrets';
import type { ReceivedEmail } from './expectations';
import { BASE_NODES, EXAMPLES, N8N_BASE_URL, lastMonth, readWorkflow } from './examples';

/** Sentinel secrets of the SMTP and Slack credentials (the vendors' are SENTINEL_SECRETS). */
const SMTP_PASSWORD = 'sentinel-smtp-password-7c3e8';
const SLACK_TOKEN = 'xoxb-sentinel-slack-token-2d9f6';
export const NOTIFICATION_SECRETS: Secret[] = [
	{ name: 'SMTP password', value: SMTP_PASSWORD },
	{ name: 'Slack token', value: SLACK_TOKEN },
];

export interface ReceivedMail {
	parsed: ParsedMail;
	raw: Buffer;
}

/** What a reader of the email sees: subject, recipients, HTML body and attachments as text. */
export function readEmail({ parsed }: ReceivedMail): ReceivedEmail {
	const to = Array.isArray(parsed.to)
		? parsed.to.map((address) => address.text).join(', ')
		: (parsed.to?.text ?? '');
	return {
		subject: parsed.subject ?? '',
		to,
		html: typeof parsed.html === 'string' ? parsed.html : '',
		attachments: parsed.attachments.map((attachment) => ({
			filename: attachment.filename ?? '',
			content: attachment.content.toString('utf8'),
		})),
	};
}

/** A real SMTP server on 127.0.0.1 (no TLS, no login needed) that keeps every message. */
export interface Mailbox {
	readonly port: number;
	readonly messages: ReceivedMail[];
	stop(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
	const messages: ReceivedMail[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		// Plain-text login without TLS, as a local relay may allow: any user and password.
		allowInsecureAuth: true,
		onAuth: (_auth, _session, callback) => callback(null, { user: 'n8n' }),
		logger: false,
		onData(stream, _session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks);
				simpleParser(raw).then(
					(parsed) => {
						messages.push({ parsed, raw });
						callback();
					},
					(error: Error) => callback(error),
				);
			});
		},
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const address = server.server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		port,
		messages,
		stop: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

export interface SlackMessage {
	channel: string;
	text: string;
}

/** slack.com cannot run here: its chat.postMessage is answered in-process and the messages kept. */
export interface SlackStandIn {
	readonly messages: SlackMessage[];
	stop(): void;
}

export function standInForSlack(): SlackStandIn {
	const messages: SlackMessage[] = [];
	const scope = nock('https://slack.com')
		.persist()
		.post('/api/chat.postMessage')
		.reply(200, (_uri, body) => postSlackMessage(messages, body));
	return {
		messages,
		stop: () => {
			scope.persist(false);
			nock.cleanAll();
		},
	};
}

/** What slack.com's chat.postMessage does for the examples: keeps the message and answers as Slack does. */
export function postSlackMessage(messages: SlackMessage[], body: unknown): IDataObject {
	const { channel, text } = body as SlackMessage;
	messages.push({ channel, text });
	return { ok: true, channel, ts: `${Date.now() / 1000}`, message: { text } };
}

/**
 * slack.com's chat.postMessage as an HTTP request listener, for a stand-in that a separate
 * n8n process reaches over the network (see test/n8n/harness/https-stand-in.ts).
 */
export function slackWebApi(messages: SlackMessage[]): RequestListener {
	return (request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			const body = (request.headers['content-type'] ?? '').includes('json')
				? (JSON.parse(text) as unknown)
				: Object.fromEntries(new URLSearchParams(text));
			const known =
				request.method === 'POST' && request.url?.split('?')[0] === '/api/chat.postMessage';
			const answer = known
				? postSlackMessage(messages, body)
				: { ok: false, error: 'unknown_method' };
			response
				.writeHead(known ? 200 : 404, { 'content-type': 'application/json; charset=utf-8' })
				.end(JSON.stringify(answer));
		});
	};
}

/** Everything an example run needs: the sandbox (Graph included), the mailbox and the Slack stand-in. */
export interface ExampleEnvironment {
	sandbox: Sandbox;
	mailbox: Mailbox;
	slack: SlackStandIn;
	stop(): Promise<void>;
}

/** The sandbox of the examples: every vendor (Graph included) with sentinel secrets and short waits. */
export async function startExampleSandbox(): Promise<Sandbox> {
	return await startSandbox({
		webex: { ...SENTINEL_SECRETS.webex, reportDelayMs: 300 },
		graph: { ...SENTINEL_SECRETS.graph, operationDelayMs: 300, retryAfterSeconds: 0 },
		cisco: SENTINEL_SECRETS.cisco,
	});
}

export async function startExampleEnvironment(): Promise<ExampleEnvironment> {
	const sandbox = await startExampleSandbox();
	const mailbox = await startMailbox();
	const slack = standInForSlack();
	return {
		sandbox,
		mailbox,
		slack,
		stop: async () => {
			slack.stop();
			await mailbox.stop();
			await sandbox.stop();
		},
	};
}

/** The credentials of the examples, by type, pointing at the sandbox and the mailbox. */
export function exampleCredentials({
	sandbox,
	mailbox,
}: Pick<ExampleEnvironment, 'sandbox' | 'mailbox'>): Record<
	string,
	ICredentialDataDecryptedObject
> {
	return {
		webexWholesaleApi: webexCredential(sandbox),
		microsoftPartnerBillingOAuth2Api: microsoftCredential(sandbox),
		ciscoXaasBillingApi: ciscoCredential(sandbox),
		smtp: {
			user: 'n8n-billing',
			password: SMTP_PASSWORD,
			host: '127.0.0.1',
			port: mailbox.port,
			secure: false,
			disableStartTls: true,
		},
		slackApi: { accessToken: SLACK_TOKEN },
	};
}

/** What a user types into each example's Settings node, here pointing at the sandbox. */
export function exampleSettings(
	environment: Pick<ExampleEnvironment, 'sandbox'>,
	example: keyof typeof EXAMPLES,
): IDataObject {
	const common = {
		emailFrom: 'n8n-billing@example.com',
		emailTo: 'billing-ops@example.com',
		slackChannel: '#billing-alerts',
		n8nBaseUrl: N8N_BASE_URL,
	};
	const partner = environment.sandbox.partner.baseUrl;
	if (example === 'webex')
		return {
			...common,
			partnerRecordsUrl: `${partner}/webex-seats.csv`,
			billingMonth: lastMonth(),
		};
	if (example === 'microsoft') {
		return { ...common, partnerRecordsUrl: `${partner}/microsoft-customer-invoices.csv` };
	}
	return { ...common, partnerRecordsUrl: `${partner}/cisco-subscriptions.csv` };
}

/**
 * Runs an example workflow file, unmodified, as its schedule would (a production run), with
 * its Settings node pinned to the sandbox's values. When the run fails, n8n would start the
 * workflow's error workflow: so does this, with the input n8n gives an Error Trigger.
 */
export async function runExample(
	pack: LoadedPackage,
	environment: ExampleEnvironment,
	example: Exclude<keyof typeof EXAMPLES, 'alerts'>,
): Promise<{ result: WorkflowResult; errorWorkflow?: WorkflowResult }> {
	const workflow = readWorkflow(EXAMPLES[example]);
	const credentials = exampleCredentials(environment);
	const result = await pack.runWorkflow({
		workflow,
		credentials,
		extraNodes: BASE_NODES,
		pinData: { Settings: [{ json: exampleSettings(environment, example) }] },
		mode: 'trigger',
		timezone: 'UTC',
	}).done;
	const failure = result.error();
	if (!failure || workflow.settings?.errorWorkflow === undefined) return { result };
	const alerts = readWorkflow(EXAMPLES.alerts);
	const errorWorkflow = await pack.runWorkflow({
		workflow: alerts,
		credentials,
		extraNodes: BASE_NODES,
		pinData: { 'When a billing workflow fails': [{ json: errorTriggerInput(workflow, result) }] },
		mode: 'error',
		timezone: 'UTC',
	}).done;
	return { result, errorWorkflow };
}

/** What n8n hands an Error Trigger when a workflow fails (see n8n's execute-error-workflow). */
export function errorTriggerInput(workflow: WorkflowJson, result: WorkflowResult): IDataObject {
	const error = result.error()!;
	return {
		execution: {
			id: result.executionId,
			url: `${N8N_BASE_URL}/workflow/${workflow.id}/executions/${result.executionId}`,
			error: { message: error.message, name: error.name, description: error.description ?? null },
			lastNodeExecuted: result.run.data.resultData.lastNodeExecuted ?? null,
			mode: 'trigger',
		},
		workflow: { id: workflow.id, name: workflow.name },
	};
}
