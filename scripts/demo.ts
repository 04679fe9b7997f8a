// npm start: the whole pack end to end on this machine. Starts the sandbox (Webex, Microsoft
// Graph with Azurite, Cisco, the partner's own records), a real SMTP server and a stand-in
// for slack.com, runs every example workflow in workflows/ through n8n's engine with n8n's
// own nodes, and leaves in out/ what a user would receive.
//   node --import tsx scripts/demo.ts [--out DIR] [--quiet]
import path from 'node:path';

import { runDemo } from '../test/workflows/demo';

/** The counts of a Billing Reconcile summary item. */
interface SummaryCounts {
	matched: number;
	different: number;
	onlyInA: number;
	onlyInB: number;
}

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(__dirname, '..', 'out'));
const quiet = args.includes('--quiet');
const log = quiet ? () => {} : (line: string) => console.log(line);

runDemo(outDir, log).then(
	(summary) => {
		if (quiet) return;
		console.log('');
		for (const run of summary.runs) {
			console.log(
				`${run.example} — ${run.scenario}: ${run.status}${run.error ? ` (${run.error})` : ''}`,
			);
			for (const [node, json] of Object.entries(run.summaries)) {
				const { matched, different, onlyInA, onlyInB } = json.counts as SummaryCounts;
				const { a, b } = run.sides[node];
				console.log(
					`  ${node}: ${matched} matched, ${different} different, ${onlyInA} only in ${a}, ${onlyInB} only in ${b}`,
				);
			}
			for (const email of run.emails)
				console.log(`  email "${email.subject}" → ${email.files.join(', ')}`);
			for (const message of run.slack)
				console.log(`  Slack ${message.channel}: ${message.text.split('\n')[0]}`);
		}
		console.log(
			`\nDone in ${summary.seconds.toFixed(1)} s. Everything a user would receive is in ${path.relative(process.cwd(), outDir) || '.'}/ (summary.json lists it).`,
		);
	},
	(error) => {
		console.error(error);
		process.exitCode = 1;
	},
);
