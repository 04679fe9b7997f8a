/**
 * The rules n8n's community-package scanner (@n8n/scan-community-package) lints a package
 * with, taken from the scanner itself: its community-nodes plugin plus its
 * eslint-plugin-n8n-nodes-base rule sets. test/conventions/community-scanner.test.ts runs
 * them with the scanner's own ESLint 9, on the sources and on the packed tarball.
 */
import { createRequire } from 'node:module';

import { buildScanConfig } from '@n8n/scan-community-package/scanner/scanner.mjs';

// Importing the scanner makes a temporary folder for the packages it would download:
// have it removed when ESLint exits.
createRequire(import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs'))(
	'tmp',
).setGracefulCleanup();

export default await buildScanConfig();
