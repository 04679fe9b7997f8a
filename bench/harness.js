// The test harness is TypeScript; a measured process loads a plain-JS copy (in .bench/) so
// that the TypeScript compiler (about 50 MB) does not count against the node's memory.
const fs = require('node:fs');
const path = require('node:path');

const HARNESS_BUILD = path.join(__dirname, '..', '.bench', 'harness');

function compileHarness() {
	const ts = require('typescript');
	const source = path.join(__dirname, '..', 'test', 'harness');
	fs.mkdirSync(HARNESS_BUILD, { recursive: true });
	for (const file of fs.readdirSync(source).filter((name) => name.endsWith('.ts'))) {
		const { outputText } = ts.transpileModule(fs.readFileSync(path.join(source, file), 'utf8'), {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		});
		fs.writeFileSync(path.join(HARNESS_BUILD, file.replace(/\.ts$/, '.js')), outputText);
	}
}

module.exports = { HARNESS_BUILD, compileHarness };
