/**
 * Process-level n8n setup, done once per test process the way n8n's own startup does it:
 * a private user folder (InstanceSettings writes its config and encryption key there), a
 * quiet logger, the BinaryDataService initialised in the requested mode, and the
 * DataDeduplicationService on the harness's stand-in for n8n's database.
 *
 * This is the only place the harness touches process-wide state, and all of it is state
 * n8n itself keeps per process (the DI container, its config singletons).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	DataDeduplicationService,
	InstanceSettings,
} from 'n8n-core';

import { HarnessProcessedData } from './processed-data';

/**
 * How binary data is stored during a run.
 * - `filesystem` (default, n8n's default for a single instance): binaries are written to
 *   files under the temp user folder and items carry only an id — streaming paths run.
 * - `default`: n8n's in-memory mode, binaries are base64 inside the item.
 */
export type BinaryDataMode = 'filesystem' | 'default';

function ensureProcessEnvironment(): void {
	if (process.env.N8N_USER_FOLDER === undefined) {
		const userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
		process.env.N8N_USER_FOLDER = userFolder;
		process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	}
	// n8n logs at `info` by default; tests stay quiet unless N8N_LOG_LEVEL asks otherwise.
	process.env.N8N_LOG_LEVEL ??= 'silent';
}

/** Sets up what n8n needs before any loader or execution runs. Idempotent. */
export async function ensureN8nEnvironment(binaryDataMode: BinaryDataMode = 'filesystem') {
	ensureProcessEnvironment();
	// Constructing InstanceSettings creates the user folder's config (encryption key).
	Container.get(InstanceSettings);

	const config = Container.get(BinaryDataConfig);
	const service = Container.get(BinaryDataService);
	const initialised = (service as unknown as { managers: Record<string, unknown> }).managers
		.filesystem;
	if (!initialised || config.mode !== binaryDataMode) {
		config.mode = binaryDataMode;
		await service.init();
	}
	// Once per copy of n8n-core (a fresh module registry has its own), as n8n's commands do.
	if (!(DataDeduplicationService as unknown as { instance?: unknown }).instance) {
		await DataDeduplicationService.init(new HarnessProcessedData());
	}
	return { binaryDataService: service, binaryDataConfig: config };
}

/** The BinaryDataService every node and the harness use (n8n's DI singleton). */
export function binaryDataService(): BinaryDataService {
	return Container.get(BinaryDataService);
}
