/**
 * Azurite (the Azure Storage emulator, a dev dependency) as a child process: blob service only,
 * in memory, on a free port of 127.0.0.1. Holds the export blobs the Graph manifests point at.
 *
 * [sandbox] Account: Azurite's well-known development account `devstoreaccount1`; blob
 * endpoint `http://127.0.0.1:PORT/devstoreaccount1` (path-style, as Azurite serves it).
 */

import { spawn } from 'child_process';
import { join, dirname } from 'path';
import type { ChildProcess } from 'child_process';

const ACCOUNT_NAME = 'devstoreaccount1';
const ACCOUNT_KEY =
	'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const START_TIMEOUT_MS = 20000;

/** Live Azurite children, killed synchronously if the process exits without stop(). */
const live: Set<ChildProcess> = new Set();
let exitHookInstalled = false;

function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const child of live) {
			try {
				child.kill('SIGKILL');
			} catch {
				/* already gone */
			}
		}
	});
}

/** The child uses only the well-known account, whatever the caller's environment says. */
function withoutAccountsVar() {
	const env = { ...process.env };
	delete env.AZURITE_ACCOUNTS;
	return env;
}

export interface AzuriteHandle {
	port: number;
	pid: number;
	/** `http://127.0.0.1:PORT/devstoreaccount1` */
	blobEndpoint: string;
	accountName: string;
	accountKey: string;
	stop: () => Promise<void>;
	running: () => boolean;
}

/** Start Azurite's blob service; resolves once it listens (port parsed from its output). */
export function startAzurite(options: { host?: string } = {}): Promise<AzuriteHandle> {
	const host = options.host || '127.0.0.1';
	const main = join(
		dirname(require.resolve('azurite/package.json')),
		'dist',
		'src',
		'blob',
		'main.js',
	);
	// Spawn node directly (not the .bin shim) so that the pid we kill is Azurite itself.
	const child = spawn(
		process.execPath,
		[
			main,
			'--inMemoryPersistence',
			'--skipApiVersionCheck',
			'--disableProductStyleUrl',
			'--blobHost',
			host,
			'--blobPort',
			'0',
			'--silent',
			'--loose',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'], env: withoutAccountsVar() },
	);
	live.add(child);
	installExitHook();
	let exited = false;
	const exitPromise: Promise<void> = new Promise((resolve) => {
		child.once('exit', () => {
			exited = true;
			live.delete(child);
			resolve();
		});
	});

	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(
			() => fail(new Error(`Azurite did not start within ${START_TIMEOUT_MS} ms: ${output}`)),
			START_TIMEOUT_MS,
		);
		const fail = (err: Error) => {
			clearTimeout(timer);
			child.kill('SIGKILL');
			reject(err);
		};
		const onData = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			const m = /successfully listens on https?:\/\/[^:\s]+:(\d+)/.exec(output);
			if (!m) return;
			clearTimeout(timer);
			child.stdout?.off('data', onData);
			child.stdout?.resume();
			child.stderr?.resume();
			const port = Number(m[1]);
			resolve({
				port,
				pid: child.pid as number,
				blobEndpoint: `http://${host}:${port}/${ACCOUNT_NAME}`,
				accountName: ACCOUNT_NAME,
				accountKey: ACCOUNT_KEY,
				running: () => !exited,
				stop: async () => {
					if (exited) return;
					// Azurite closes gracefully on SIGTERM but waits for idle keep-alive connections of
					// clients; its data is in memory only, so a short grace period is enough.
					child.kill('SIGTERM');
					const t = setTimeout(() => {
						if (!exited) child.kill('SIGKILL');
					}, 300);
					await exitPromise;
					clearTimeout(t);
				},
			});
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (c) => {
			output += c.toString('utf8');
		});
		child.once('error', (err) => fail(err));
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Azurite exited (code ${code}) before listening: ${output}`));
		});
	});
}
