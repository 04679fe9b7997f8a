/**
 * Starts an installed n8n (main process by default; `command` picks e.g. a queue-mode worker)
 * on 127.0.0.1 with free ports, in its own user folder, and waits until it is ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import type { N8nInstallation } from './install';
import { cleanEnvironment, lastLines, run } from './process';

export interface StartN8nOptions {
	installation: N8nInstallation;
	/** N8N_USER_FOLDER: n8n keeps its database, settings and community packages in `<userFolder>/.n8n` */
	userFolder: string;
	/** more environment, over the defaults (database, queue mode, proxies…) */
	env?: Record<string, string>;
	/** the n8n command and its arguments; default ['start'] */
	command?: string[];
	/** the port n8n listens on (N8N_PORT); default a free one */
	port?: number;
	/**
	 * What answers 200 when the process is ready. Default, for a main: `/healthz/readiness`
	 * (the database is migrated), then `/rest/settings` (the REST API is mounted: n8n 1.x
	 * mounts it after it reports ready).
	 */
	readinessUrls?: string[];
	/** default 180 s: a first start runs every database migration */
	startTimeoutMs?: number;
}

export interface N8nProcess {
	/** http://127.0.0.1:PORT, the editor and REST base URL */
	readonly url: string;
	readonly port: number;
	readonly userFolder: string;
	readonly pid: number;
	/** everything the process wrote so far (stdout and stderr) */
	output(): string;
	/** SIGTERM, then SIGKILL to its process group when it does not end in time */
	stop(): Promise<void>;
	/** SIGKILL to its process group at once (a machine or container that dies), then waits for it to end */
	kill(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** A new temporary user folder. */
export function temporaryUserFolder(label: string): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), `n8n-${label}-`));
}

/**
 * The environment every n8n process of the suite gets: its user folder, 127.0.0.1, no
 * telemetry, version checks or templates (nothing outside this machine), UTC, and the
 * settings its release needs on this Node.
 */
export async function n8nEnvironment(
	installation: N8nInstallation,
	userFolder: string,
	port: number,
): Promise<Record<string, string>> {
	const url = `http://127.0.0.1:${port}`;
	return {
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: url,
		WEBHOOK_URL: `${url}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// Two n8n processes on one machine each need their own task-runner broker port.
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		N8N_LOG_LEVEL: 'info',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...installation.env,
	};
}

export async function startN8n(options: StartN8nOptions): Promise<N8nProcess> {
	const { installation, userFolder, command = ['start'], startTimeoutMs = 180_000 } = options;
	const port = options.port ?? (await freePort());
	fs.mkdirSync(userFolder, { recursive: true });
	const env = processEnvironment({
		...(await n8nEnvironment(installation, userFolder, port)),
		...options.env,
	});
	// detached: its own process group, so stop() also ends the task runners it starts.
	const child = spawn(installation.nodeBin, [installation.n8nBin, ...command], {
		cwd: userFolder,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const logFile = fs.createWriteStream(path.join(userFolder, `n8n-${command[0]}.log`));
	const keep = (chunk: Buffer) => {
		output += chunk.toString('utf8');
		logFile.write(chunk);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	void exited.then(() => logFile.end());

	const url = `http://127.0.0.1:${port}`;
	const n8n: N8nProcess = {
		url,
		port,
		userFolder,
		pid: child.pid!,
		output: () => output,
		stop: async () => await stopProcess(child, exited),
		kill: async () => {
			signalGroup(child, 'SIGKILL');
			await exited;
		},
	};
	try {
		const deadline = Date.now() + startTimeoutMs;
		for (const readinessUrl of options.readinessUrls ?? [
			`${url}/healthz/readiness`,
			`${url}/rest/settings`,
		])
			await waitUntilReady(readinessUrl, exited, deadline);
	} catch (error) {
		await n8n.stop();
		throw new Error(
			`n8n ${installation.version} ${command.join(' ')} did not become ready: ${(error as Error).message}\n${lastLines(output, 40)}`,
		);
	}
	return n8n;
}

/** Runs an n8n CLI command (import:workflow, export:…) on a user folder; resolves with its output. */
export async function runN8nCommand(
	installation: N8nInstallation,
	userFolder: string,
	args: string[],
	env: Record<string, string> = {},
): Promise<string> {
	const port = await freePort();
	return await run(installation.nodeBin, [installation.n8nBin, ...args], {
		cwd: userFolder,
		env: processEnvironment({ ...(await n8nEnvironment(installation, userFolder, port)), ...env }),
		timeoutMs: 180_000,
	});
}

/** jest's NODE_ENV=test makes n8n exit at once, silently: n8n runs as it would outside jest. */
function processEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
	return cleanEnvironment({ NODE_ENV: undefined, JEST_WORKER_ID: undefined, ...env });
}

async function waitUntilReady(
	readinessUrl: string,
	exited: Promise<number | null>,
	deadline: number,
): Promise<void> {
	let ended: number | null | undefined;
	void exited.then((code) => (ended = code));
	while (Date.now() < deadline) {
		if (ended !== undefined) throw new Error(`it exited with code ${ended}`);
		try {
			const response = await fetch(readinessUrl);
			if (response.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${readinessUrl} did not answer 200 in time`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		// already gone
	}
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
	if (child.exitCode === null && child.signalCode === null) {
		signalGroup(child, 'SIGTERM');
		const timeout = new Promise<'timeout'>((resolve) =>
			setTimeout(() => resolve('timeout'), 20_000).unref(),
		);
		await Promise.race([exited, timeout]);
	}
	// Whatever of the group outlived the main process (a task runner) ends with it.
	signalGroup(child, 'SIGKILL');
	await exited;
}
