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
