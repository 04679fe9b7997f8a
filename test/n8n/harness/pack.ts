/**
 * The pack as users get it: the `npm pack` tarball of the built repository, installed into an
 * n8n user folder the way n8n installs a community package.
 */
import fs from 'node:fs';
import path from 'node:path';

import { repoRoot } from '../../helpers/repoRoot';
import { run } from './process';

export const REPO_DIR = repoRoot(__dirname);

/** `npm pack` of this repository into `destination`; needs `npm run build` first. Resolves with the tarball's path. */
export async function packTarball(destination: string): Promise<string> {
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[] };
	};
	const missing = manifest.n8n.nodes.filter((file) => !fs.existsSync(path.join(REPO_DIR, file)));
	if (missing.length)
		throw new Error(
			`The pack is not built (${missing.join(', ')} missing): run npm run build first`,
		);
	fs.mkdirSync(destination, { recursive: true });
	const output = await run(
		'npm',
		['pack', '--json', '--pack-destination', destination, '--loglevel=error'],
		{ cwd: REPO_DIR },
	);
	const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
	return path.join(destination, filename);
}

/**
 * Installs the tarball into `<userFolder>/.n8n/nodes`, where n8n looks for community packages
 * at start, as n8n's own installer does: without peer dependencies (n8n provides
 * n8n-workflow) and without install scripts.
 */
export async function installPack(userFolder: string, tarball: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest))
		fs.writeFileSync(
			manifest,
			`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`,
		);
	await run(
		'npm',
		[
			'install',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
			tarball,
		],
		{ cwd: nodesDir },
	);
	return nodesDir;
}
