/**
 * The example workflows in the real n8n server (test/n8n): `npm run test:n8n`. Installs the
 * pinned n8n releases into a cache outside the repository on the first run (globalSetup),
 * then starts each release with the pack installed as a community package. jest.config.js
 * leaves test/n8n out: `npm test` stays engine-level and fast.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/n8n'],
	testPathIgnorePatterns: ['/node_modules/'],
	globalSetup: '<rootDir>/test/n8n/global-setup.ts',
	globalTeardown: '<rootDir>/test/n8n/global-teardown.ts',
	// One n8n release per test file, side by side: most of their time is spent waiting.
	maxWorkers: 2,
	testTimeout: 180000,
};
