// Every folder is linted: all TypeScript (nodes, credentials, sandbox, benchmarks, scripts,
// tests) with typescript-eslint's recommended rules and its promise checks, the nodes and
// credentials also with n8n's community-node rules, and the few JavaScript files (configs and
// the test harness's fixture package) with ESLint's.
module.exports = {
	root: true,

	env: {
		browser: true,
		es6: true,
		node: true,
	},

	parser: '@typescript-eslint/parser',

	parserOptions: {
		project: ['./tsconfig.json'],
		sourceType: 'module',
		extraFileExtensions: ['.json'],
	},

	// .bench/ and out/ hold what npm run bench and npm start generate; dist/ what npm run build
	// does, except the test harness's fixture package, whose dist/ is hand-written JavaScript.
	ignorePatterns: [
		'**/node_modules/**',
		'**/dist/**',
		'!test/fixtures/fixture-package/dist/**',
		'.bench/**',
		'out/**',
	],

	overrides: [
		{
			files: ['./package.json'],
			// The package rules read the JSON itself; it is no part of the TypeScript build.
			parserOptions: { project: null },
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/community'],
			rules: {
				'n8n-nodes-base/community-package-json-name-still-default': 'off',
			},
		},
		{
			files: ['./credentials/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/credentials'],
			rules: {
				// Only applies to n8n's main repository; community credentials link full URLs.
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			},
		},
		{
			files: ['./nodes/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/nodes'],
			rules: {
				// NodeConnectionTypes.Main is the typed form of 'main' that n8n's own nodes use now.
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			},
		},
		{
			files: [
				'./nodes/**/*.ts',
				'./credentials/**/*.ts',
				'./sandbox/**/*.ts',
				'./bench/**/*.ts',
				'./scripts/**/*.ts',
				'./test/**/*.ts',
			],
			plugins: ['@typescript-eslint'],
			extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended'],
			rules: {
				// A promise nobody awaits or catches hides a failure (a test that passes too early,
				// a sandbox answer that never comes).
				'@typescript-eslint/no-floating-promises': 'error',
				'@typescript-eslint/no-misused-promises': 'error',
				'@typescript-eslint/await-thenable': 'error',
				// `const { secret: _secret, ...rest } = value` drops a field on purpose.
				'@typescript-eslint/no-unused-vars': [
					'error',
					{ argsIgnorePattern: '^_', ignoreRestSiblings: true },
				],
				// A `let` that a closure reads before its one assignment (the blob reader's ETag,
				// taken from the first answer) cannot be a const.
				'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
				// Prettier owns whitespace, and it indents a multi-line union member with spaces after tabs.
				'no-mixed-spaces-and-tabs': 'off',
			},
		},
		{
			// The readers look for control bytes on purpose (CSV, JSON, ZIP entry names).
			files: ['./nodes/shared/readers/**/*.ts'],
			rules: { 'no-control-regex': 'off' },
		},
		{
			files: ['*.js'],
			parser: 'espree',
			extends: ['eslint:recommended'],
			parserOptions: {
				ecmaVersion: 2022,
				sourceType: 'script',
			},
		},
		{
			files: ['*.mjs'],
			parser: 'espree',
			extends: ['eslint:recommended'],
			parserOptions: {
				ecmaVersion: 2022,
				sourceType: 'module',
			},
		},
	],
};
