import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A clone is all a newcomer has: no file of the repository may point at a path of the
 * machine it was written on, or climb out of the repository to read something beside it.
 * `.ci/run` proves the same at run time by testing a clone that has nothing beside it; this
 * spec names the offending file and line before that.
 */
const repoRoot = path.resolve(__dirname, '..', '..');

function repositoryFiles(): string[] {
	const listed = execFileSync(
		'git',
		['ls-files', '--cached', '--others', '--exclude-standard', '-z'],
		{
			cwd: repoRoot,
			encoding: 'utf8',
		},
	);
	return (
		listed
			.split('\0')
			// Files only: an untracked symlink (to a shared node_modules, say) is no part of the repository.
			.filter(
				(file) =>
					file !== '' &&
					fs.existsSync(path.join(repoRoot, file)) &&
					fs.lstatSync(path.join(repoRoot, file)).isFile(),
			)
			// This spec quotes the texts it allows.
			.filter((file) => file !== path.relative(repoRoot, __filename).split(path.sep).join('/'))
			.filter((file) => !/\.(png|jpe?g|gif|ico|tgz|zip|gz)$/i.test(file))
	);
}

interface Finding {
	file: string;
	line: number;
	text: string;
}

/** Text that looks like a path but names none, each with why. */
const NOT_PATHS: Array<Omit<Finding, 'line'> & { why: string }> = [
	...[
		['README.md', '../../x'],
		['nodes/shared/readers/zip.ts', '../x'],
		['test/cisco/download.test.ts', '../../x'],
		['test/shared/zip.test.ts', '../../x.csv'],
		['test/sandbox/cisco-sandbox.test.ts', '../../evil.csv'],
		['test/inputs/catalogue.test.ts', '../x'],
		['test/inputs/catalogue.test.ts', '../admin'],
		['test/webex/reports.test.ts', '../reports'],
	].map(([file, text]) => ({ file, text, why: 'a path-traversal attempt the pack must refuse' })),
	{
		file: 'specs/webex-wholesale.openapi.json',
		text: '/Users/John',
		why: "an example value in Cisco's spec",
	},
];

function findAll(
	pattern: RegExp,
	accept: (match: string, file: string) => boolean = () => false,
): Finding[] {
	const findings: Finding[] = [];
	for (const file of repositoryFiles()) {
		const lines = fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
		lines.forEach((text, index) => {
			for (const match of text.matchAll(pattern)) {
				const finding = { file, line: index + 1, text: match[0] };
				const known = NOT_PATHS.some(
					(notPath) => notPath.file === file && notPath.text === finding.text,
				);
				if (!known && !accept(match[0], file)) findings.push(finding);
			}
		});
	}
	return findings;
}

/**
 * Whether a relative reference names something in the repository: read from the file's own
 * folder (imports, links) or from the repository root (docs), with a module's extensions.
 */
function namesSomethingInside(reference: string, file: string): boolean {
	const candidates = [
		path.resolve(repoRoot, path.dirname(file), reference),
		path.resolve(repoRoot, reference),
	];
	return candidates.some(
		(resolved) =>
			(resolved === repoRoot || resolved.startsWith(repoRoot + path.sep)) &&
			['', '.ts', '.js', '.json', '/index.ts'].some((suffix) => fs.existsSync(resolved + suffix)),
	);
}

describe('the repository is self-contained', () => {
	test('no file names an absolute path of a machine (a home, a work or a temp folder)', () => {
		// A path, not a URL: the character before the slash is no part of a host or a path.
		expect(findAll(/(?<![\w.:/%-])\/(work|root|home|Users|tmp|mnt)\/[\w.-]*/g)).toEqual([]);
	});

	test('every relative path a file names is in the repository, none beside it', () => {
		expect(findAll(/(?<![\w.])(?:\.\.\/)+[\w.-]+(?:\/[\w.-]+)*/g, namesSomethingInside)).toEqual(
			[],
		);
	});

	test('the vendor specs the tests and the sandbox cite are in specs/', () => {
		const specs = fs.readdirSync(path.join(repoRoot, 'specs')).sort();
		expect(specs).toEqual([
			'cisco-xaas-billing.md',
			'microsoft-graph-partner-billing.md',
			'microsoft-partner-center-invoices.md',
			'webex-wholesale-billing.md',
			'webex-wholesale.openapi.json',
		]);
	});
});
