/**
 * The fault matrix (test/faults): every vendor flow × every fault the sandbox injects. Slow
 * (most of its time is spent waiting out Retry-After, backoff and timeouts), so it runs apart
 * from `npm test` as `npm run test:faults`; jest.config.js leaves test/faults out, so the two
 * together run every test once. The vendors' matrices (Webex, Graph, Partner Center, Cisco) mostly
 * wait: they run side by side.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/faults'],
	testPathIgnorePatterns: ['/node_modules/'],
	maxWorkers: 4,
	testTimeout: 120000,
};
