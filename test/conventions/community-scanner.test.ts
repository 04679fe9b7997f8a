/**
 * n8n's community-package scanner (@n8n/scan-community-package) run on this pack as it runs
 * on a published one: its rules (eslint.community.config.mjs builds them with the scanner's
 * own code) with its own ESLint 9, inline eslint-disable comments ignored, on the sources
 * it lints (package.json, nodes/, credentials/) and on what `npm pack` ships (the compiled
 * .js and package.json). The scanner blocks on errors only; here a warning fails too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(ROOT, 'eslint.community.config.mjs');
const SCANNER_DIR = path.dirname(require.resolve('@n8n/scan-community-package/package.json'));
const ESLINT = path.join(
	path.dirname(require.resolve('eslint/package.json', { paths: [SCANNER_DIR] })),
	'bin',
	'eslint.js',
);
/** What the scanner lints in a package's source checkout, and in its tarball. */
const SOURCE_FILES = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];
const TARBALL_FILES = ['**/*.js', 'package.json'];

interface Deliberate {
	rule: string;
	/** the findings of the rule this covers, by message; all when absent */
	message?: RegExp;
	/** the files it covers, by path; all when absent */
	file?: RegExp;
	why: string;
}

/**
 * The ONLY scanner rules the pack breaks, each on purpose. Anything else the scanner reports
 * fails, and so does one of these rules broken beyond what its entry covers.
 */
const DELIBERATE: Deliberate[] = [
	{
		rule: 'no-runtime-dependencies',
		why: 'The pack needs @azure/storage-blob (SAS blob reads resumed by byte range). n8n Cloud refuses any dependency: the pack is for self-hosted n8n.',
	},
	{
		rule: 'no-restricted-imports',
		message: /^(Import|Require) of '@azure\/storage-blob' /,
		why: 'Where the runtime dependencies above are used.',
	},
	{
		rule: 'no-restricted-imports',
		message: /^(Import|Require) of 'node:(stream|stream\/promises|string_decoder|zlib)' /,
		why: "Node's stream modules and zlib: reports of hundreds of MB are streamed, decoded, gunzipped and inflated in constant memory instead of being held whole.",
	},
	{
		rule: 'require-node-api-error',
		message:
			/instead of (re-throwing raw errors|`(CsvFormatError|DeadlineExceededError|JsonLinesFormatError|RecordKeyError|ZipFormatError)`)/,
		why: 'The readers (CSV, JSON Lines, ZIP, blobs, retries, the reconcile join) run without a node, so they throw their own error classes, and a catch that handles one kind of error rethrows the others unchanged. shared/router.ts and Billing Reconcile turn every error into a NodeOperationError with its item before n8n sees it; vendor answers are NodeApiErrors already.',
	},
	{
		rule: 'node-usable-as-tool',
		file: /BillingReconcile\.node\.ts$/,
		why: 'Billing Reconcile compares two whole inputs; a tool call brings one set of parameters, not two datasets. n8n-workflow types usableAsTool as true or a description, so "not a tool" can only be said by leaving it out.',
	},
];

interface Finding {
	file: string;
	line: number;
	rule: string;
	message: string;
}

const describeFinding = ({ file, line, rule, message }: Finding) =>
	`${file}:${line} ${rule}: ${message}`;

const isDeliberate = (finding: Finding, entry: Deliberate) =>
	finding.rule === entry.rule &&
	(!entry.message || entry.message.test(finding.message)) &&
	(!entry.file || entry.file.test(finding.file));

async function scan(cwd: string, patterns: string[]): Promise<Finding[]> {
	const args = [ESLINT, '--config', CONFIG, '--no-inline-config', '--format', 'json', ...patterns];
	// Without jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base reads file names differently under it.
	const { NODE_ENV: _jest, ...env } = process.env;
	// ESLint exits 1 when it found problems: the report is still on stdout.
	const { stdout } = await run(process.execPath, args, {
		cwd,
		env,
		maxBuffer: 64 * 1024 * 1024,
	}).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
		if (error.code !== 1 || !error.stdout)
			throw new Error(`ESLint failed: ${error.stderr ?? String(error)}`);
		return { stdout: error.stdout };
	});
	const results = JSON.parse(stdout) as Array<{
		filePath: string;
		messages: Array<{ ruleId: string | null; message: string; line: number }>;
	}>;
	return results.flatMap(({ filePath, messages }) =>
		messages.map(({ ruleId, message, line }) => ({
			file: path.relative(cwd, filePath),
			line,
			// A file ESLint could not parse has no rule: it fails as one.
			rule: (ruleId ?? 'parse error').replace(/^@n8n\/community-nodes\//, ''),
			message,
		})),
	);
}

/** What `npm pack` would publish, unpacked into a temporary folder. */
async function packedPackage(): Promise<string> {
	const folder = mkdtempSync(path.join(tmpdir(), 'pack-'));
	await run('npm', ['pack', '--pack-destination', folder], { cwd: ROOT });
	const [tarball] = readdirSync(folder).filter((name) => name.endsWith('.tgz'));
	const unpacked = path.join(folder, 'package');
	await run('tar', ['-xzf', path.join(folder, tarball), '-C', folder]);
	return unpacked;
}

let source: Finding[];
let tarball: Finding[];
let packFolder: string;

beforeAll(async () => {
	const packed = await packedPackage();
	packFolder = path.dirname(packed);
	[source, tarball] = await Promise.all([scan(ROOT, SOURCE_FILES), scan(packed, TARBALL_FILES)]);
}, 180_000);

afterAll(() => packFolder && rmSync(packFolder, { recursive: true, force: true }));

it('finds nothing in the sources but the deliberate exceptions', () => {
	expect(
		source
			.filter((finding) => !DELIBERATE.some((entry) => isDeliberate(finding, entry)))
			.map(describeFinding),
	).toEqual([]);
});

it('finds nothing in the npm pack tarball but the deliberate exceptions', () => {
	expect(
		tarball
			.filter((finding) => !DELIBERATE.some((entry) => isDeliberate(finding, entry)))
			.map(describeFinding),
	).toEqual([]);
	expect(tarball.map((finding) => finding.file)).toContain('package.json');
});

it('still needs every deliberate exception', () => {
	const unused = DELIBERATE.filter(
		(entry) => ![...source, ...tarball].some((finding) => isDeliberate(finding, entry)),
	);
	expect(unused.map(({ rule, why }) => `${rule}: ${why}`)).toEqual([]);
});
