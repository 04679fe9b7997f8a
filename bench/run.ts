// npm run bench [-- name ...]: every benchmark of the pack (or the named ones), one after
// another, each in its own process so that one's measurements never overlap another's.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = ['webex', 'microsoft', 'cisco', 'reconcile', 'n8n'];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length) {
	console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
	process.exit(1);
}
for (const name of wanted.length ? wanted : BENCHMARKS) {
	console.log(`\n== ${name}`);
	// The compiled benchmark beside this file (in .bench/bench/).
	execFileSync(process.execPath, [path.join(__dirname, `${name}.js`)], { stdio: 'inherit' });
}
