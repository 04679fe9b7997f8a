import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The published package, as a self-hoster installs it: `npm pack`, then a plain
 * `npm install <tarball>` in an empty folder on this machine's Node (what n8n's docs tell
 * self-hosters to do in ~/.n8n/nodes), then n8n-core's loader on the installed copy.
 */
const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** A user's shell: none of the npm_config_* settings `npm test` passes down (ignore-scripts among them). */
function plainEnvironment(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

let workDir: string;
let tarball: string;
let entries: string[];
let installFolder: string;
let install: { stdout: string; stderr: string };

beforeAll(async () => {
	workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-tarball-'));
	const packed = await run('npm', ['pack', '--json', '--pack-destination', workDir], {
		cwd: repoRoot,
		env: plainEnvironment(),
	});
	const [info] = JSON.parse(packed.stdout) as Array<{
		filename: string;
		files: Array<{ path: string }>;
	}>;
	tarball = path.join(workDir, info.filename);
	entries = info.files.map((file) => file.path).sort();

	installFolder = path.join(workDir, 'nodes');
	fs.mkdirSync(installFolder);
	install = await run('npm', ['install', '--no-audit', '--no-fund', tarball], {
		cwd: installFolder,
		env: plainEnvironment(),
		timeout: 240_000,
	});
}, 300_000);

afterAll(() => {
	if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('the npm tarball', () => {
	test('holds only the built nodes and credentials, their icons and codex files, README, licence and package.json', () => {
		const allowed =
			/^(LICENSE|README\.md|package\.json|dist\/(nodes|credentials)\/.+\.(js|svg)|dist\/nodes\/.+\.node\.json)$/;
		expect(entries.filter((entry) => !allowed.test(entry))).toEqual([]);
	});

	test('holds no build info, type declarations, source maps or TypeScript sources', () => {
		expect(entries.filter((entry) => /tsbuildinfo|\.d\.ts$|\.map$|\.ts$/.test(entry))).toEqual([]);
	});

	test('holds every node and credential that package.json announces to n8n', () => {
		const announced = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
		expect(announced.filter((file) => !entries.includes(file))).toEqual([]);
	});
});

describe('a plain npm install of the tarball on this machine', () => {
	test(`succeeds on Node ${process.versions.node}`, () => {
		expect(
			fs.existsSync(
				path.join(
					installFolder,
					'node_modules',
					'n8n-nodes-billing-reconciliation',
					'package.json',
				),
			),
		).toBe(true);
		expect(install.stderr).not.toMatch(/ERR!/);
	});

	test('does not install the optional peer n8n-workflow, nor the native isolated-vm it would pull', () => {
		expect(fs.existsSync(path.join(installFolder, 'node_modules', 'n8n-workflow'))).toBe(false);
		expect(fs.existsSync(path.join(installFolder, 'node_modules', 'isolated-vm'))).toBe(false);
	});

	test('loads in n8n-core with every node and credential, its runtime dependencies resolved from the install', async () => {
		// n8n provides n8n-workflow to community packages: a NODE_PATH folder holding only it
		// and n8n-core's loader stands in for n8n. Every other module the pack needs must come
		// from the folder npm installed into.
		const packageDir = path.join(installFolder, 'node_modules', 'n8n-nodes-billing-reconciliation');
		const providedByN8n = path.join(workDir, 'provided-by-n8n');
		fs.mkdirSync(providedByN8n, { recursive: true });
		for (const name of ['n8n-workflow', 'n8n-core']) {
			const link = path.join(providedByN8n, name);
			if (!fs.existsSync(link))
				fs.symlinkSync(path.join(repoRoot, 'node_modules', name), link, 'dir');
		}
		const script = `
			const { PackageDirectoryLoader } = require('n8n-core');
			const loader = new PackageDirectoryLoader(${JSON.stringify(packageDir)});
			loader.loadAll().then(() => {
				const nodes = Object.keys(loader.nodeTypes).sort();
				const credentials = Object.keys(loader.credentialTypes).sort();
				process.stdout.write(JSON.stringify({ nodes, credentials }));
			}, (error) => { console.error(error); process.exit(1); });`;
		const loaded = await run(process.execPath, ['-e', script], {
			cwd: installFolder,
			env: { ...plainEnvironment(), NODE_PATH: providedByN8n },
		});
		expect(JSON.parse(loaded.stdout)).toEqual({
			nodes: [
				'billingReconcile',
				'ciscoXaasBilling',
				'microsoftPartnerBilling',
				'webexWholesaleBilling',
			],
			credentials: [
				'ciscoXaasBillingApi',
				'microsoftPartnerBillingOAuth2Api',
				'webexWholesaleApi',
				'webexWholesaleOAuth2Api',
			],
		});
	}, 60_000);
});
