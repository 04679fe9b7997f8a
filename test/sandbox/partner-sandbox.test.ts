import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox()));
afterAll(async () => await sandbox.stop());

/** CSV as the sandbox writes it (quoted cells, CRLF) into records keyed by the header. */
function parseCsv(text: string): Array<Record<string, string>> {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const character = text[index];
		if (quoted) {
			if (character === '"' && text[index + 1] === '"') cell += text[++index];
			else if (character === '"') quoted = false;
			else cell += character;
		} else if (character === '"') quoted = true;
		else if (character === ',') {
			row.push(cell);
			cell = '';
		} else if (character === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else if (character !== '\r') cell += character;
	}
	const [header, ...records] = rows;
	return records.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index]])));
}

const fetchRecords = async (file: string) => {
	const response = await fetch(`${sandbox.partner.baseUrl}/${file}`);
	expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
	return parseCsv(await response.text());
};

const valueColumn = { 'webex-seats.csv': 'Billed Seats', 'microsoft-customer-invoices.csv': 'Invoiced Amount', 'cisco-subscriptions.csv': 'Expected Amount' };
const plantedOf = (file: keyof typeof valueColumn) =>
	file === 'webex-seats.csv'
		? sandbox.partner.webexSeats().planted
		: file === 'microsoft-customer-invoices.csv'
			? sandbox.partner.microsoftInvoices().planted
			: sandbox.partner.ciscoSubscriptions().planted;

describe('partner records', () => {
	it.each(Object.keys(valueColumn) as Array<keyof typeof valueColumn>)('%s plants two value mismatches, a missing record and an extra one', async (file) => {
		const records = await fetchRecords(file);
		const planted = plantedOf(file);
		expect(planted.map((entry) => entry.kind).sort()).toEqual(['missingInPartnerRecords', 'onlyInPartnerRecords', 'valueMismatch', 'valueMismatch']);
		const find = (key: Record<string, string>) => records.find((record) => Object.entries(key).every(([name, value]) => record[name] === value));
		for (const entry of planted) {
			const record = find(entry.key);
			if (entry.kind === 'missingInPartnerRecords') expect(record).toBeUndefined();
			else expect(record?.[valueColumn[file]]).toBe(entry.partnerValue);
			if (entry.kind === 'valueMismatch') expect(entry.partnerValue).not.toBe(entry.vendorValue);
		}
	});

	it('bases the Webex seats on the month asked for', async () => {
		const october = await fetchRecords('webex-seats.csv?month=2026-10');
		const september = await fetchRecords('webex-seats.csv?month=2026-09');
		expect(october.length).toBeGreaterThan(0);
		expect(october).not.toEqual(september);
	});

	it('refuses a month that is not YYYY-MM and answers 404 for other files', async () => {
		expect((await fetch(`${sandbox.partner.baseUrl}/webex-seats.csv?month=2026-13`)).status).toBe(400);
		expect((await fetch(`${sandbox.partner.baseUrl}/other.csv`)).status).toBe(404);
	});
});
