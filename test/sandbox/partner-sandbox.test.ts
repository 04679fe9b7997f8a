import { startSandbox, type Sandbox } from '../../sandbox';
import { parseCsv, toObjects } from './kit';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox()));
afterAll(async () => await sandbox.stop());

const fetchRecords = async (file: string) => {
	const response = await fetch(`${sandbox.partner.baseUrl}/${file}`);
	expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
	return toObjects(parseCsv(await response.text()));
};

const valueColumn = {
	'webex-seats.csv': 'Billed Seats',
	'microsoft-customer-invoices.csv': 'Invoiced Amount',
	'cisco-subscriptions.csv': 'Expected Amount',
};
const plantedOf = (file: keyof typeof valueColumn) =>
	file === 'webex-seats.csv'
		? sandbox.partner.webexSeats().planted
		: file === 'microsoft-customer-invoices.csv'
			? sandbox.partner.microsoftInvoices().planted
			: sandbox.partner.ciscoSubscriptions().planted;

describe('partner records', () => {
	it.each(Object.keys(valueColumn) as Array<keyof typeof valueColumn>)(
		'%s plants two value mismatches, a missing record and an extra one',
		async (file) => {
			const records = await fetchRecords(file);
			const planted = plantedOf(file);
			expect(planted.map((entry) => entry.kind).sort()).toEqual([
				'missingInPartnerRecords',
				'onlyInPartnerRecords',
				'valueMismatch',
				'valueMismatch',
			]);
			const find = (key: Record<string, string>) =>
				records.find((record) =>
					Object.entries(key).every(([name, value]) => record[name] === value),
				);
			for (const entry of planted) {
				const record = find(entry.key);
				if (entry.kind === 'missingInPartnerRecords') expect(record).toBeUndefined();
				else expect(record?.[valueColumn[file]]).toBe(entry.partnerValue);
				if (entry.kind === 'valueMismatch') expect(entry.partnerValue).not.toBe(entry.vendorValue);
			}
		},
	);

	it('bases the Webex seats on the month asked for', async () => {
		const october = await fetchRecords('webex-seats.csv?month=2026-10');
		const september = await fetchRecords('webex-seats.csv?month=2026-09');
		expect(october.length).toBeGreaterThan(0);
		expect(october).not.toEqual(september);
	});

	it('refuses a month that is not YYYY-MM and answers 404 for other files', async () => {
		expect((await fetch(`${sandbox.partner.baseUrl}/webex-seats.csv?month=2026-13`)).status).toBe(
			400,
		);
		expect((await fetch(`${sandbox.partner.baseUrl}/other.csv`)).status).toBe(404);
	});
});
