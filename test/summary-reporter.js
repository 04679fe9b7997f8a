// Ends the jest run with one plain line, "jest: N passed, N failed", that CI can read, after
// the run's own time (from JEST_SUITE_STARTED_AT when a globalSetup set it, so that what the
// setup installed counts too).
// JavaScript: jest loads reporters with a plain require, outside its TypeScript transform.
/** @implements {Pick<import('@jest/reporters').Reporter, 'onRunComplete'>} */
class SummaryReporter {
	/**
	 * @param {unknown} _contexts
	 * @param {import('@jest/reporters').AggregatedResult} results
	 */
	onRunComplete(_contexts, results) {
		const started = Number(process.env.JEST_SUITE_STARTED_AT) || results.startTime;
		process.stdout.write(`suite time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
		const skipped = results.numPendingTests + results.numTodoTests;
		const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
		process.stdout.write(`${line}${skipped ? `, ${skipped} skipped` : ''}\n`);
	}
}

module.exports = SummaryReporter;
