<<<<<<< HEAD
// npm run bench [-- name ...]: every benchmark of the pack (or the named ones), one after another.
const { runMain } = require('./lib');

const BENCHMARKS = {
	webex: () => require('./webex'),
	microsoft: () => require('./microsoft'),
};

runMain(async () => {
	const wanted = process.argv.slice(2);
	const unknown = wanted.filter((name) => !(name in BENCHMARKS));
	if (unknown.length) throw new Error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
	for (const name of wanted.length ? wanted : Object.keys(BENCHMARKS)) {
		console.log(`\n== ${name}`);
		await BENCHMARKS[name]().main();
	}
});
=======
// npm run bench: every benchmark of the pack, one after another (each in its own process,
// so that one's measurements never overlap another's).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

for (const bench of ['webex', 'reconcile']) {
	execFileSync(process.execPath, [path.join(__dirname, `${bench}.js`)], { stdio: 'inherit' });
}
>>>>>>> reconcile
