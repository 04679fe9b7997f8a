// npm run reliability: runs the reliability suites (fault matrix, fuzzing, secret audit, bad-
// input catalogue), gathers the figures they report into reliability.json and rewrites the
// README's Reliability section from them. Run after `npm run build`; exits non-zero when a
// suite failed (its figures are still written, failures included).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// What test/fuzz/fuzz.ts writes per reader (fuzz-<reader>.json).
import type { FuzzReport } from '../test/fuzz/fuzz';

const ROOT = path.join(__dirname, '..');
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';

/** What test/faults/matrix.ts reports per vendor (matrix-<vendor>.json). */
interface MatrixReport {
	seed: number;
	flows: Array<{ id: string; title: string }>;
	faults: Array<{ id: string; title: string }>;
	cells: MatrixCell[];
}

interface MatrixCell {
	flow: string;
	fault: string;
	/** 'n/a: …' when the fault cannot apply to the flow */
	expected: string;
	passed?: boolean;
	outcome?: string;
}

/** What test/secrets/audit.test.ts reports (secrets.json). */
interface SecretsReport {
	operationRuns: number;
	credentialTests: number;
	secretsAudited: number;
	secretKinds: string[];
}

/** What test/inputs/catalogue.test.ts reports (inputs.json). */
interface InputsReport {
	badInputs: number;
	parameters: number;
	operations: number;
	refused: number;
}

interface Suite {
	name: string;
	passed: boolean;
	seconds: number;
}

type MatrixFigures = ReturnType<typeof matrixFigures>;

interface Figures {
	generatedAt: string;
	node: string;
	suites: Suite[];
	matrix: MatrixFigures;
	fuzz: FuzzReport[];
	/** undefined when the suite did not get as far as writing its figures */
	secrets: SecretsReport | undefined;
	inputs: InputsReport | undefined;
}

const FLOW_TITLES: Record<string, string> = {
	'webex/rows': 'Webex rows',
	'webex/aggregate': 'Webex aggregate',
	'webex/file': 'Webex file',
	'graph/aggregate': 'Microsoft aggregate',
	'graph/file': 'Microsoft file',
	'cisco/rows': 'Cisco rows',
	'cisco/aggregate': 'Cisco aggregate',
	'cisco/file': 'Cisco file',
	'partnerCenter/invoices': 'Microsoft invoices',
};
const READER_TITLES: Record<string, string> = {
	csv: 'CSV reader (`readCsv`, all sinks)',
	csvParse: 'CSV reader against csv-parse (same records, or both refuse; random and 1-byte chunks)',
	jsonLines: 'JSON Lines reader, plain and gzip (`readJsonLines`, aggregate fast path)',
	zip: 'ZIP reader (`readZipStream`, every entry, any chunking)',
	numbers:
		'Numbers (`parseDecimal`, `DecimalSum`, Billing Reconcile `readAmount`, `addAmount`, fast reader)',
	dates:
		'Dates (`parseIsoDate`, `toIsoDateText`, `addUtcMonths`, `daysInclusive`, `parseRetryAfter`)',
};

function runJest(args: string[], env: Record<string, string>) {
	const started = Date.now();
	const { status } = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...args], {
		cwd: ROOT,
		stdio: 'inherit',
		env: { ...process.env, ...env },
	});
	return { passed: status === 0, seconds: Math.round((Date.now() - started) / 1000) };
}

function read<Report>(folder: string, name: string): Report | undefined {
	const file = path.join(folder, `${name}.json`);
	return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Report) : undefined;
}

function matrixFigures(folder: string) {
	const vendors = ['webex', 'graph', 'cisco', 'partnerCenter']
		.map((vendor) => read<MatrixReport>(folder, `matrix-${vendor}`))
		.filter((report) => report !== undefined);
	const cells = vendors.flatMap((vendor) => vendor.cells);
	const faults = vendors[0]?.faults ?? [];
	const flows = vendors.flatMap((vendor) => vendor.flows);
	const run = cells.filter((cell) => !cell.expected.startsWith('n/a'));
	return {
		seed: vendors[0]?.seed,
		flows: flows.length,
		faults: faults.length,
		cells: cells.length,
		run: run.length,
		notApplicable: cells.length - run.length,
		passed: run.filter((cell) => cell.passed).length,
		identical: run.filter((cell) => cell.passed && cell.outcome === 'identical').length,
		errorNamingCause: run.filter((cell) => cell.passed && cell.outcome === 'error').length,
		faultList: faults,
		flowList: flows,
		cellList: cells,
	};
}

/** A suite's figures, which the README section cannot do without. */
function reported<Report>(report: Report | undefined, name: string): Report {
	if (report === undefined)
		throw new Error(`the ${name} figures are missing (${name}.json): did its suite run?`);
	return report;
}

function render(figures: Figures) {
	const { matrix, fuzz, suites } = figures;
	const secrets = reported(figures.secrets, 'secrets');
	const inputs = reported(figures.inputs, 'inputs');
	const lines = [];
	lines.push(
		`Figures of the last \`npm run reliability\` (${figures.generatedAt.slice(0, 10)}, Node ${figures.node}${suites.every((suite) => suite.passed) ? '' : '; **some suites failed**'}).`,
	);
	lines.push('');
	lines.push(
		`**Fault matrix** (\`npm run test:faults\`, FAULT_SEED=${matrix.seed}): ${matrix.flows} flows of the three vendor nodes (Microsoft's Graph exports and Partner Center invoices apart) × ${matrix.faults} faults = ${matrix.cells} cells; ${matrix.notApplicable} cannot apply (no gzip or ZIP around a Webex CSV, no token endpoint behind a personal access token, no JSON Lines outside Graph, no CSV inside Graph, no file or signed link behind Partner Center's JSON). ` +
			`Of the ${matrix.run} that run, **${matrix.passed} pass**: ${matrix.identical} end byte-identical to the fault-free run with every record the vendor holds, ${matrix.errorNamingCause} in an error whose message names the cause. Every cell also checks that its fault fired, that the sandbox saw no protocol violation and that no secret shows.`,
	);
	lines.push('');
	lines.push(
		'`=` byte-identical result · `E` error naming the cause · `–` cannot apply · `✗` failed',
	);
	lines.push('');
	lines.push(
		`| fault | ${matrix.flowList.map((flow) => FLOW_TITLES[flow.id] ?? flow.id).join(' | ')} |`,
	);
	lines.push(`|---|${matrix.flowList.map(() => ':-:').join('|')}|`);
	for (const fault of matrix.faultList) {
		const marks = matrix.flowList.map((flow) => {
			const cell = matrix.cellList.find(
				(candidate) => candidate.flow === flow.id && candidate.fault === fault.id,
			);
			if (!cell) return '✗';
			if (cell.expected.startsWith('n/a')) return '–';
			if (!cell.passed) return '✗';
			return cell.outcome === 'identical' ? '=' : 'E';
		});
		lines.push(`| ${fault.title} | ${marks.join(' | ')} |`);
	}
	lines.push('');
	const totalInputs = fuzz.reduce((total, reader) => total + reader.inputs, 0);
	lines.push(
		`**Fuzzing** (fast-check, in \`npm test\`): ${totalInputs.toLocaleString('en')} inputs; each ends in a result or the reader's own error within 2 s, with bounded memory. A valid file reads back exactly; a cut gzip file or ZIP is always refused; aggregating a 15 MiB CSV and a gzip export of 50 MiB of lines keeps less than 16 MiB alive (holding the CSV's rows would take about 37 MiB).`,
	);
	lines.push('');
	lines.push(
		'| reader | inputs | refused with its own error | slowest input | resident memory growth over the run |',
	);
	lines.push('|---|--:|--:|--:|--:|');
	for (const reader of fuzz) {
		const refused = reader.ownError
			? `${reader.refused.toLocaleString('en')} (${reader.ownError})`
			: 'none: answers null or false';
		lines.push(
			`| ${READER_TITLES[reader.reader] ?? reader.reader} | ${reader.inputs.toLocaleString('en')} | ${refused} | ${reader.slowestMs} ms | ${reader.rssGrowthMiB} MiB |`,
		);
	}
	lines.push('');
	lines.push(
		`**Secret audit** (in \`npm test\`): ${secrets.operationRuns} runs of every operation of the vendor nodes, succeeding and failing, and ${secrets.credentialTests} credential tests, with sentinel secrets: ${secrets.secretsAudited} distinct secret values (${secrets.secretKinds.join(', ')}) looked for, as they are and URL- or JSON-encoded, in every output item, binary, hint, error field, static data, credential test message and console line: none found.`,
	);
	lines.push('');
	lines.push(
		`**Bad inputs** (in \`npm test\`): ${inputs.badInputs} invalid values of ${inputs.parameters} parameters over all ${inputs.operations} operations of the four nodes (empty, wrong format, out of range, wrong type or unknown choice from an expression): ${inputs.refused} refused before any request, each message naming the parameter and its rule.`,
	);
	lines.push('');
	lines.push(
		`Suites: ${suites.map((suite) => `${suite.name} ${suite.passed ? 'passed' : 'FAILED'} in ${suite.seconds} s`).join(', ')}.`,
	);
	return lines.join('\n');
}

function main() {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
	const env = { RELIABILITY_OUT: folder };
	const suites = [
		{
			name: 'fuzzing, secret audit and bad inputs',
			...runJest(['test/fuzz', 'test/secrets', 'test/inputs'], env),
		},
		{ name: 'fault matrix', ...runJest(['--config', 'jest.faults.config.js'], env) },
	];
	const matrix = matrixFigures(folder);
	const figures = {
		generatedAt: new Date().toISOString(),
		node: process.version,
		suites,
		matrix: { ...matrix, faultList: undefined, flowList: undefined, cellList: undefined },
		matrixCells: matrix.cellList,
		fuzz: Object.keys(READER_TITLES)
			.map((reader) => read<FuzzReport>(folder, `fuzz-${reader}`))
			.filter((report) => report !== undefined),
		secrets: read<SecretsReport>(folder, 'secrets'),
		inputs: read<InputsReport>(folder, 'inputs'),
	};
	fs.writeFileSync(path.join(ROOT, 'reliability.json'), `${JSON.stringify(figures, null, '\t')}\n`);

	const readmePath = path.join(ROOT, 'README.md');
	const readme = fs.readFileSync(readmePath, 'utf8');
	const start = readme.indexOf(START);
	const end = readme.indexOf(END);
	if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
	const section = render({ ...figures, matrix });
	fs.writeFileSync(
		readmePath,
		`${readme.slice(0, start + START.length)}\n${section}\n${readme.slice(end)}`,
	);
	fs.rmSync(folder, { recursive: true, force: true });
	console.log(
		`\nreliability.json and README.md › Reliability written (${suites.map((suite) => `${suite.name}: ${suite.passed ? 'passed' : 'FAILED'}`).join('; ')})`,
	);
	if (!suites.every((suite) => suite.passed)) process.exit(1);
}

main();
