// npm start: the pack end to end on the built-in sandbox. Starts the sandbox, runs the example
// workflow workflows/webex-customer-sku-totals.json through n8n's real engine, prints the
// per-customer/SKU totals and writes them all to out/.
require('./register-ts');
const fs = require('node:fs');
const path = require('node:path');

const { startSandbox } = require('../sandbox');
const { loadPack } = require('../test/harness');

const WORKFLOW = path.join(__dirname, '..', 'workflows', 'webex-customer-sku-totals.json');
const OUT_DIR = path.join(__dirname, '..', 'out');
const SHOWN_ROWS = 20;

async function main() {
	const started = Date.now();
	const sandbox = await startSandbox({ webex: { reportDelayMs: 2000 } });
	try {
		console.log(`Sandbox: Webex API emulator at ${sandbox.webex.baseUrl}`);
		const pack = await loadPack({ extraNodes: ['n8n-nodes-base.stickyNote'] });
		const workflow = JSON.parse(fs.readFileSync(WORKFLOW, 'utf8'));
		console.log(`Running "${workflow.name}" through n8n's WorkflowExecute…`);
		const result = await pack.runWorkflow({
			workflow,
			credentials: {
				webexWholesaleApi: { accessToken: sandbox.webex.accessToken, baseUrl: sandbox.webex.baseUrl },
			},
		}).done;
		const failure = result.error();
		if (failure) throw new Error(`The workflow failed: ${failure.message}${failure.description ? `\n${failure.description}` : ''}`);

		const [report] = result.json("Create last month's customer report");
		const totals = result.json('Totals per customer and SKU');
		console.log(`\nReport ${report.type} ${report.billingStartDate} … ${report.billingEndDate}: ${report.status}`);
		printTable(totals.slice(0, SHOWN_ROWS), ['CUSTOMER_EXTERNAL_ID', 'SKU', 'QUANTITY', 'seats', 'rowCount']);
		const file = writeCsv(totals);
		const quantity = totals.reduce((sum, group) => sum + Math.round(group.QUANTITY * 2), 0) / 2;
		const customers = new Set(totals.map((group) => group.CUSTOMER_ORG_ID)).size;
		console.log(
			`\n${totals.length} customer/SKU totals for ${customers} customers (showing ${Math.min(SHOWN_ROWS, totals.length)}), ` +
				`${quantity} user-days in all. Full table: ${path.relative(process.cwd(), file)}`,
		);
		console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
	} finally {
		await sandbox.stop();
	}
}

function printTable(rows, columns) {
	const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => cells.map((cell, index) => String(cell).padEnd(widths[index])).join('  ');
	console.log(line(columns));
	console.log(widths.map((width) => '-'.repeat(width)).join('  '));
	for (const row of rows) console.log(line(columns.map((column) => row[column])));
}

function writeCsv(rows) {
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const columns = Object.keys(rows[0] ?? {});
	const quote = (value) => (/[",\r\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
	const file = path.join(OUT_DIR, 'webex-customer-sku-totals.csv');
	fs.writeFileSync(file, [columns, ...rows.map((row) => columns.map((column) => row[column]))].map((cells) => cells.map(quote).join(',')).join('\r\n') + '\r\n');
	return file;
}

main().catch((error) => {
	console.error(error.message);
	process.exitCode = 1;
});
