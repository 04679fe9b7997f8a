// npm run bench: every benchmark of the pack, one after another (each in its own process,
// so that one's measurements never overlap another's).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

for (const bench of ['webex', 'reconcile']) {
	execFileSync(process.execPath, [path.join(__dirname, `${bench}.js`)], { stdio: 'inherit' });
}
