/**
 * Redis and PostgreSQL for n8n's queue mode, from Debian's packages, each started by the
 * harness on 127.0.0.1 with a free port and its data in a temporary folder, and stopped
 * (its data removed) when done. Nothing of the machine's own services is used or changed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { cleanEnvironment, lastLines, run } from './process';
import { freePort } from './server';

/** A service process the harness started: where it listens and how to end it. */
export interface Service {
	readonly port: number;
	output(): string;
	/** ends its process group and removes its data folder */
	stop(): Promise<void>;
}

export interface PostgresService extends Service {
	/** Deletes what n8n's deduplication store keeps for the workflow, as clearing its history does. */
	forgetProcessedData(workflowId: string): Promise<void>;
	/** what n8n needs to use it (DB_TYPE=postgresdb and DB_POSTGRESDB_*) */
	readonly n8nEnv: Record<string, string>;
}

export interface RedisService extends Service {
	/** what n8n needs to use it for its queue (QUEUE_BULL_REDIS_*) */
	readonly n8nEnv: Record<string, string>;
}

const REDIS_SERVER = '/usr/bin/redis-server';
const POSTGRES_ROOT = '/usr/lib/postgresql';
/** Debian 12's PostgreSQL; n8n 2.x warns that it prefers 16 or 17, and runs. */
const POSTGRES_MAJOR = '15';

/**
 * Installs redis-server and postgresql from Debian's packages when either is missing (as
 * root: apt-get update, then apt-get install). Another user gets the command to run instead.
 */
export async function ensureQueueServices(log: (line: string) => void = () => {}): Promise<void> {
	const missing = [
		fs.existsSync(REDIS_SERVER) ? undefined : 'redis-server',
		postgresBin('postgres') ? undefined : 'postgresql',
	].filter((name): name is string => name !== undefined);
	if (!missing.length) return;
	if (process.getuid?.() !== 0)
		throw new Error(
			`Queue mode needs ${missing.join(' and ')} from Debian's packages: run  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
		);
	log(`queue mode: apt-get install ${missing.join(' ')}…`);
	const env = cleanEnvironment({ DEBIAN_FRONTEND: 'noninteractive' });
	await run('apt-get', ['update'], { cwd: os.tmpdir(), env, timeoutMs: 5 * 60_000 });
	await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
		cwd: os.tmpdir(),
		env,
		timeoutMs: 10 * 60_000,
	});
	if (!fs.existsSync(REDIS_SERVER) || !postgresBin('postgres'))
		throw new Error(
			`apt-get installed ${missing.join(', ')}, but ${REDIS_SERVER} or ${POSTGRES_ROOT}/${POSTGRES_MAJOR}/bin/postgres is still missing`,
		);
}

/** A PostgreSQL binary of Debian's layout (/usr/lib/postgresql/15/bin), when installed. */
function postgresBin(name: string): string | undefined {
	const candidate = path.join(POSTGRES_ROOT, POSTGRES_MAJOR, 'bin', name);
	return fs.existsSync(candidate) ? candidate : undefined;
}

/** Redis without persistence, its folder a new temporary one. */
export async function startRedis(): Promise<RedisService> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-redis-'));
	const port = await freePort();
	const redis = startProcess(
		REDIS_SERVER,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{ cwd: dir },
	);
	const service = {
		port,
		output: redis.output,
		stop: async () => await stopService(redis, 'SIGTERM', dir),
	};
	try {
		await waitFor(async () => await redisAnswersPing(port), redis, 30_000, `Redis on port ${port}`);
	} catch (error) {
		await service.stop();
		throw error;
	}
	return {
		...service,
		n8nEnv: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
	};
}

const DATABASE = 'n8n';
const DATABASE_USER = 'n8n';

/**
 * A new PostgreSQL cluster in a new temporary folder, with a database for n8n, reached over
 * TCP on 127.0.0.1 with trust authentication. PostgreSQL refuses to run as root: as root, its
 * programs run as the `postgres` user Debian's package creates, which then owns the cluster.
 */
export async function startPostgres(): Promise<PostgresService> {
	const postgres = postgresBin('postgres');
	if (!postgres)
		throw new Error(
			`PostgreSQL ${POSTGRES_MAJOR} is not installed (ensureQueueServices installs it)`,
		);
	const asRoot = process.getuid?.() === 0;
	const owner = asRoot ? await postgresUser() : undefined;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-postgres-'));
	const dataDir = path.join(dir, 'data');
	const socketDir = path.join(dir, 'socket');
	// mkdtemp makes folders only their owner may enter: the postgres user must reach its own.
	fs.chmodSync(dir, 0o755);
	for (const folder of [dataDir, socketDir]) {
		fs.mkdirSync(folder, { mode: 0o700 });
		if (owner) fs.chownSync(folder, owner.uid, owner.gid);
	}
	const command = (bin: string, args: string[]): [string, string[]] =>
		asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];

	await run(
		...command(postgresBin('initdb')!, [
			'-D',
			dataDir,
			'-U',
			DATABASE_USER,
			'--auth=trust',
			'--encoding=UTF8',
			'--no-sync',
		]),
		{ cwd: dir, timeoutMs: 120_000 },
	);
	const port = await freePort();
	// A throwaway cluster: durability settings off, which also spares the shared disk.
	const server = startProcess(
		...command(postgres, [
			'-D',
			dataDir,
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-k',
			socketDir,
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
		]),
		{ cwd: dir },
	);
	// SIGINT is PostgreSQL's fast shutdown: it ends the sessions n8n may still hold.
	const service = {
		port,
		output: server.output,
		stop: async () => await stopService(server, 'SIGINT', dir),
	};
	try {
		const isReady = postgresBin('pg_isready')!;
		await waitFor(
			async () =>
				await succeeds(
					isReady,
					['-h', '127.0.0.1', '-p', String(port), '-U', DATABASE_USER, '-d', 'postgres'],
					dir,
				),
			server,
			60_000,
			`PostgreSQL on port ${port}`,
		);
		await run(
			postgresBin('createdb')!,
			['-h', '127.0.0.1', '-p', String(port), '-U', DATABASE_USER, DATABASE],
			{ cwd: dir, timeoutMs: 60_000 },
		);
	} catch (error) {
		await service.stop();
		throw error;
	}
	const psql = postgresBin('psql')!;
	return {
		...service,
		forgetProcessedData: async (workflowId) => {
			if (!/^[A-Za-z0-9]+$/.test(workflowId))
				throw new Error(`not an n8n workflow ID: ${workflowId}`);
			const sql = `DELETE FROM processed_data WHERE "workflowId" = '${workflowId}'`;
			await run(
				psql,
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(port),
					'-U',
					DATABASE_USER,
					'-d',
					DATABASE,
					'-v',
					'ON_ERROR_STOP=1',
					'-c',
					sql,
				],
				{ cwd: dir, timeoutMs: 30_000 },
			);
		},
		n8nEnv: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: DATABASE,
			DB_POSTGRESDB_USER: DATABASE_USER,
			DB_POSTGRESDB_PASSWORD: '',
		},
	};
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
	const [uid, gid] = await Promise.all([
		run('id', ['-u', 'postgres'], { cwd: os.tmpdir() }),
		run('id', ['-g', 'postgres'], { cwd: os.tmpdir() }),
	]);
	return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

interface StartedProcess {
	child: ChildProcess;
	exited: Promise<void>;
	output(): string;
}

/** A long-running process in its own process group, its output kept. */
function startProcess(command: string, args: string[], { cwd }: { cwd: string }): StartedProcess {
	const child = spawn(command, args, {
		cwd,
		env: cleanEnvironment(),
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	const keep = (chunk: Buffer) => {
		output += chunk.toString('utf8');
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const exited = new Promise<void>((resolve) => {
		child.on('exit', () => resolve());
		child.on('error', (error) => {
			output += `${error.message}\n`;
			resolve();
		});
	});
	return { child, exited, output: () => output };
}

async function stopService(
	{ child, exited }: StartedProcess,
	signal: NodeJS.Signals,
	dir: string,
): Promise<void> {
	const signalGroup = (name: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, name);
		} catch {
			// already gone
		}
	};
	if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
		signalGroup(signal);
		await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
		signalGroup('SIGKILL');
		await exited;
	}
	fs.rmSync(dir, { recursive: true, force: true });
}

async function waitFor(
	ready: () => Promise<boolean>,
	{ exited, output }: StartedProcess,
	timeoutMs: number,
	what: string,
): Promise<void> {
	let ended = false;
	void exited.then(() => (ended = true));
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (ended) throw new Error(`${what} exited at start:\n${lastLines(output(), 30)}`);
		if (await ready()) return;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`${what} was not ready after ${timeoutMs / 1000} s:\n${lastLines(output(), 30)}`);
}

async function succeeds(command: string, args: string[], cwd: string): Promise<boolean> {
	return await run(command, args, { cwd, timeoutMs: 10_000 }).then(
		() => true,
		() => false,
	);
}

/** Redis's PING over a plain socket: no client library needed for a readiness check. */
async function redisAnswersPing(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let answer = '';
		const done = (ready: boolean) => {
			socket.destroy();
			resolve(ready);
		};
		socket.setTimeout(2000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString('latin1');
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}
