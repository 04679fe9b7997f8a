import fs from 'node:fs';
import path from 'node:path';

/** Removes the tarball's folder that global-setup.ts made. */
export default async function globalTeardown(): Promise<void> {
	const tarball = process.env.N8N_TEST_PACK_TARBALL;
	if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
}
