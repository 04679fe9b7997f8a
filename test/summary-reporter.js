// Ends the jest run with one plain line, "jest: N passed, N failed", that CI can read.
// JavaScript: jest loads reporters with a plain require, outside its TypeScript transform.
/** @implements {Pick<import('@jest/reporters').Reporter, 'onRunComplete'>} */
class SummaryReporter {
	/**
	 * @param {unknown} _contexts
	 * @param {import('@jest/reporters').AggregatedResult} results
	 */
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed`;
		process.stdout.write(`${line}${skipped ? `, ${skipped} skipped` : ''}\n`);
	}
}

module.exports = SummaryReporter;
