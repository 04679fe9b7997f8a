/**
 * n8n in queue mode (its scaling mode): Redis, PostgreSQL, a main process and one `n8n
 * worker`, each n8n process with its own user folder and the pack installed in it, as two
 * machines would have. Every execution, manual runs included, goes to the worker; binary
 * data is kept in the database, where both processes reach it.
 */
import crypto from 'node:crypto';
import path from 'node:path';

import type { N8nInstallation } from './install';
import { installPack } from './pack';
import { freePort, startN8n, type N8nProcess } from './server';
import {
	ensureQueueServices,
	startPostgres,
	startRedis,
	type PostgresService,
	type RedisService,
} from './services';

export interface StartQueueModeOptions {
	installation: N8nInstallation;
	/** the folder where the main's and the worker's user folders are made */
	dir: string;
	/** the pack's tarball, installed into the main's and the worker's user folder */
	tarball: string;
	/** more environment for every n8n process (proxies…) */
	env?: Record<string, string>;
	log?: (line: string) => void;
}

export interface QueueModeInstance {
	readonly main: N8nProcess;
	/** the worker running now */
	readonly worker: N8nProcess;
	/** every worker started so far, the first one first */
	readonly workers: readonly N8nProcess[];
	readonly redis: RedisService;
	readonly postgres: PostgresService;
	/** what every n8n process of the instance runs with (for CLI commands such as import:workflow) */
	readonly env: Record<string, string>;
	/**
	 * Starts another worker in a new user folder with the pack installed, as a machine (or
	 * container) that replaces a dead one does.
	 */
	startWorker(): Promise<N8nProcess>;
	/** stops the n8n processes, then Redis and PostgreSQL */
	stop(): Promise<void>;
}

/**
 * Bull's lock on a job a worker runs: the worker renews it every LOCK_RENEW_MS; a worker
 * that runs finds a job whose lock has lapsed within STALLED_INTERVAL_MS, and n8n (which
 * allows no stalled retry) fails its execution. n8n's defaults (60 s, 10 s, 30 s) would
 * make a test of a dead worker wait over a minute.
 */
const QUEUE_LOCK = {
	QUEUE_WORKER_LOCK_DURATION: '15000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '3000',
	QUEUE_WORKER_STALLED_INTERVAL: '3000',
};

export async function startQueueMode(options: StartQueueModeOptions): Promise<QueueModeInstance> {
	const { installation, dir, tarball, log = () => {} } = options;
	await ensureQueueServices(log);
	const mainFolder = path.join(dir, 'main');
	const workerFolder = (index: number) => path.join(dir, `worker-${index}`);
	const [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
	const started: Array<{ stop(): Promise<void> }> = [postgres, redis];
	const stopAll = async () => {
		for (const part of started.reverse()) await part.stop();
	};
	try {
		await Promise.all([installPack(mainFolder, tarball), installPack(workerFolder(1), tarball)]);
		const env = {
			...options.env,
			...redis.n8nEnv,
			...postgres.n8nEnv,
			...QUEUE_LOCK,
			EXECUTIONS_MODE: 'queue',
			// Credentials are encrypted by the main and decrypted by the worker.
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		};
		// The main migrates the database before a worker uses it.
		const main = await startN8n({ installation, userFolder: mainFolder, env });
		started.push(main);
		const workers: N8nProcess[] = [];
		const startWorker = async () => {
			const userFolder = workerFolder(workers.length + 1);
			if (workers.length) await installPack(userFolder, tarball);
			const healthPort = await freePort();
			const worker = await startN8n({
				installation,
				userFolder,
				command: ['worker', '--concurrency=5'],
				env: {
					...env,
					// The URLs users reach n8n at, which the worker puts in what it sends (the error workflow's execution link).
					N8N_EDITOR_BASE_URL: main.url,
					WEBHOOK_URL: `${main.url}/`,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				},
				readinessUrls: [`http://127.0.0.1:${healthPort}/healthz/readiness`],
			});
			started.push(worker);
			workers.push(worker);
			return worker;
		};
		await startWorker();
		return {
			main,
			get worker() {
				return workers[workers.length - 1];
			},
			workers,
			redis,
			postgres,
			env,
			startWorker,
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}
