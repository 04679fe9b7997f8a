/**
 * Before the suite: installs every n8n release it tests (side by side; from the cache after
 * the first run) and packs the built repository once. The test files find the tarball in
 * N8N_TEST_PACK_TARBALL and the installs again through installN8n, which then only checks
 * the cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { installN8n, packTarball, testedVersions } from './harness';

export default async function globalSetup(): Promise<void> {
	process.env.JEST_SUITE_STARTED_AT = String(Date.now());
	const log = (line: string) => process.stdout.write(`[n8n] ${line}\n`);
	const versions = testedVersions();
	const installations = await Promise.all(
		versions.map(async (version) => await installN8n(version, log)),
	);
	for (const installation of installations) {
		log(
			`n8n ${installation.version} on Node ${installation.nodeVersion}${installation.nodeBin === process.execPath ? '' : ' (from the npm registry)'}: ${installation.installed ? 'installed' : 'taken from the cache'} in ${installation.seconds.toFixed(1)} s (${installation.dir})`,
		);
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-pack-'));
	process.env.N8N_TEST_PACK_TARBALL = await packTarball(packDir);
	log(`pack: ${path.basename(process.env.N8N_TEST_PACK_TARBALL)}`);
}
