import AdmZip from 'adm-zip';
import type { IDataObject } from 'n8n-workflow';

import { zipBuffer } from '../../sandbox/zipWriter';
import { errorText, useCisco } from './setup';

const cisco = useCisco();

/** An invoice and its fresh link, as Get Download Links outputs it. */
function linkItem(index = 0): IDataObject {
	const invoice = cisco.sandbox.cisco.invoices()[index];
	return {
		invoiceNumber: invoice.invoiceNumber,
		usageUrl: cisco.sandbox.cisco.usageUrl(invoice.invoiceNumber),
	};
}

const download = (parameters: IDataObject, item = linkItem(), options = {}) =>
	cisco.run(
		{ operation: 'download', outputMode: 'rows', includeHeader: 'none', ...parameters },
		{ inputItems: [item], ...options },
	);

/** Exact sums of decimal texts, independently of the node: integer ten-thousandths. */
function sumText(values: string[]): string {
	const total = values.reduce((sum, value) => {
		const [whole, fraction = ''] = value.replace('-', '').split('.');
		const units = BigInt(whole + fraction.padEnd(4, '0'));
		return sum + (value.startsWith('-') ? -units : units);
	}, 0n);
	const sign = total < 0n ? '-' : '';
	const digits = (total < 0n ? -total : total).toString().padStart(5, '0');
	return `${sign}${digits.slice(0, -4)}.${digits.slice(-4)}`.replace(/\.?0+$/, '');
}

describe('Download: output modes', () => {
	it('outputs every usage line as a row, columns as Cisco names them', async () => {
		const item = linkItem(3);
		const { json, error } = await download({}, item);
		expect(error).toBeUndefined();
		expect(json).toEqual(cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber)).lines);
	});

	it('sums Extended Amount per subscription exactly', async () => {
		const item = linkItem(4);
		const { json } = await download(
			{
				outputMode: 'aggregate',
				groupBy: 'Subscription ID',
				sumFields: 'Extended Amount, Quantity',
			},
			item,
		);
		const lines = cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber)).lines;
		const subscriptions = [...new Set(lines.map((line) => line['Subscription ID']))];
		expect(json).toEqual(
			subscriptions.map((subscriptionId) => {
				const own = lines.filter((line) => line['Subscription ID'] === subscriptionId);
				return {
					'Subscription ID': subscriptionId,
					'Extended Amount': Number(sumText(own.map((line) => line['Extended Amount']))),
					Quantity: Number(sumText(own.map((line) => line.Quantity))),
					rowCount: own.length,
				};
			}),
		);
	});

	it('outputs the Consolidated Usage CSV byte for byte as a file, with its row count', async () => {
		const item = linkItem(5);
		const { items, result } = await download(
			{ outputMode: 'file', includeHeader: 'separate' },
			item,
		);
		const zip = new AdmZip(cisco.sandbox.cisco.usageZip(String(item.invoiceNumber)));
		const usageEntry = zip
			.getEntries()
			.find((entry) => entry.entryName.startsWith('Consolidated_Usage'))!;
		expect(await result.binary(items[0], 'data')).toEqual(usageEntry.getData());
		expect(items[0].binary?.data.mimeType).toBe('text/csv');
		const expected = cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber));
		expect(items[0].json).toEqual({
			invoiceNumber: item.invoiceNumber,
			fileName: usageEntry.entryName,
			rowCount: expected.lines.length,
			invoiceHeader: expected.header,
		});
	});
});

describe('Download: the invoice header', () => {
	it('puts the header in a separate item before the rows', async () => {
		const item = linkItem(6);
		const { json } = await download({ includeHeader: 'separate' }, item);
		const expected = cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber));
		expect(json[0]).toEqual({ invoiceHeader: expected.header });
		expect(json.slice(1)).toEqual(expected.lines);
	});

	it('merges the header fields into every row', async () => {
		const item = linkItem(7);
		const { json } = await download({ includeHeader: 'merge' }, item);
		const expected = cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber));
		expect(json).toEqual(expected.lines.map((line) => ({ ...expected.header, ...line })));
		expect(json[0]['Total Usage Amount']).toBe(expected.header['Total Usage Amount']);
	});

	it('keeps the planted header totals as Cisco wrote them, for the reconcile step to find', async () => {
		const [planted] = cisco.sandbox.cisco.plantedDiscrepancies();
		const item = {
			invoiceNumber: planted.invoiceNumber,
			usageUrl: cisco.sandbox.cisco.usageUrl(planted.invoiceNumber),
		};
		const { json } = await download(
			{
				outputMode: 'aggregate',
				groupBy: 'Invoice Number',
				sumFields: 'Extended Amount',
				includeHeader: 'merge',
			},
			item,
		);
		expect(json).toHaveLength(1);
		expect(json[0]['Total Usage Amount']).toBe(String(planted.headerTotal));
		expect(json[0]['Extended Amount']).toBe(Number(planted.usageSum));
	});
});

describe('Download: CSV dialects', () => {
	it('reads a semicolon-delimited usage file with a BOM, CRLF and quoted customer names', async () => {
		Object.assign(cisco.sandbox.cisco.options, {
			csvDelimiter: ';',
			csvBom: true,
			lineEnding: '\r\n',
		});
		const item = linkItem(8);
		const { json, error } = await download({ includeHeader: 'separate' }, item);
		expect(error).toBeUndefined();
		const expected = cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber));
		expect(json).toEqual([{ invoiceHeader: expected.header }, ...expected.lines]);
		expect(json.some((row) => String(row['Customer Name']).includes('"'))).toBe(true);
	});
});

describe('Download: hostile ZIPs', () => {
	const hostile = (build: (zip: AdmZip) => void) => {
		const item = linkItem(9);
		const zip = new AdmZip();
		build(zip);
		cisco.sandbox.cisco.replaceZip(String(item.invoiceNumber), zip.toBuffer());
		return download({}, item);
	};

	it('refuses a zip bomb before unpacking it', async () => {
		const result = await hostile((zip) => {
			zip.addFile('Invoice_Header_1.csv', Buffer.from('Invoice Number\r\n1\r\n'));
			zip.addFile('Consolidated_Usage_1.csv', Buffer.alloc(64 * 1024 * 1024, 'a'));
		});
		expect(result.error?.message).toMatch(
			/entry 'Consolidated_Usage_1\.csv' is compressed \d+ to 1, more than the 200 to 1 allowed: it looks like a zip bomb/,
		);
	});

	it('refuses an entry named ../../x', async () => {
		const result = await hostile((zip) => {
			zip.addFile('Invoice_Header_1.csv', Buffer.from('Invoice Number\r\n1\r\n'));
			zip.addFile('Consolidated_Usage_1.csv', Buffer.from('Invoice Number\r\n1\r\n'));
			zip.getEntries()[1].entryName = '../../x';
		});
		expect(result.error?.message).toMatch(
			/has an entry named '\.\.\/\.\.\/x', which is not a plain file name; the ZIP was refused$/,
		);
	});

	it('refuses a ZIP without a usage file, listing what it holds', async () => {
		const result = await hostile((zip) =>
			zip.addFile('Invoice_Header_1.csv', Buffer.from('Invoice Number\r\n1\r\n')),
		);
		expect(result.error?.message).toMatch(
			/has no files whose name contains 'usage' \(option 'Usage File Name Contains'\); it holds: Invoice_Header_1\.csv$/,
		);
	});

	it('fails when the header announces another number of usage lines than the file has', async () => {
		const result = await hostile((zip) => {
			zip.addFile(
				'Invoice_Header_1.csv',
				Buffer.from('Invoice Number,Usage Line Count\r\n1,3\r\n'),
			);
			zip.addFile(
				'Consolidated_Usage_1.csv',
				Buffer.from('Invoice Number,Extended Amount\r\n1,2.50\r\n1,3.00\r\n'),
			);
		});
		expect(result.error?.message).toMatch(/announces 3 usage lines, but its usage file has 2$/);
	});
});

describe('Download: ZIPs read as they download', () => {
	const header = 'Invoice Number,Usage Line Count\r\n1,2\r\n';
	const usage =
		'Invoice Number,Subscription ID,Extended Amount\r\n1,Sub-1,2.50\r\n1,Sub-1,3.25\r\n';
	const serve = async (entries: Parameters<typeof zipBuffer>[0], index: number) => {
		const item = linkItem(index);
		cisco.sandbox.cisco.replaceZip(String(item.invoiceNumber), await zipBuffer(entries));
		return item;
	};

	it('reads a ZIP written as it was generated (sizes after each file), its usage file before its header', async () => {
		const item = await serve(
			[
				{ name: 'Consolidated_Usage_1.csv', content: Buffer.from(usage), dataDescriptor: true },
				{ name: 'Invoice_Header_1.csv', content: Buffer.from(header), dataDescriptor: true },
			],
			18,
		);
		const { json, error } = await download(
			{
				outputMode: 'aggregate',
				groupBy: 'Subscription ID',
				sumFields: 'Extended Amount',
				includeHeader: 'merge',
			},
			item,
		);
		expect(error).toBeUndefined();
		expect(json).toEqual([
			{
				'Invoice Number': '1',
				'Usage Line Count': '2',
				'Subscription ID': 'Sub-1',
				'Extended Amount': 5.75,
				rowCount: 2,
			},
		]);
	});

	it('outputs no file when the central directory at the end of the ZIP contradicts the usage file already read', async () => {
		const item = linkItem(19);
		const bytes = await zipBuffer([
			{ name: 'Invoice_Header_1.csv', content: Buffer.from(header) },
			{ name: 'Consolidated_Usage_1.csv', content: Buffer.from(usage) },
		]);
		// The central directory calls the usage file by another name of the same length.
		bytes.write('Consolidated_Usage_1.txt', bytes.lastIndexOf('Consolidated_Usage_1.csv'));
		cisco.sandbox.cisco.replaceZip(String(item.invoiceNumber), bytes);
		const { items, error } = await download({ outputMode: 'file' }, item);
		expect(error?.message).toMatch(
			/^the usage ZIP of invoice \d+ is damaged: its central directory describes entry 2 \('Consolidated_Usage_1\.txt'\) otherwise than the entry itself$/,
		);
		expect(items).toEqual([]);
	});

	it('refuses a ZIP larger than Max ZIP Size as it downloads', async () => {
		const item = await serve(
			[
				{ name: 'Invoice_Header_1.csv', content: Buffer.from(header) },
				{
					name: 'Consolidated_Usage_1.csv',
					content: Buffer.from(usage.repeat(20_000)),
					method: 'store',
				},
			],
			20,
		);
		const { error } = await download({ options: { maxZipMb: 1 } }, item);
		expect(error?.message).toMatch(
			/^the usage ZIP of invoice \d+ is larger than 1 MB, the Max ZIP Size option$/,
		);
	});
});

describe('Download: links and the token', () => {
	it('tells the user to request new links when a link has expired, without showing it', async () => {
		const item = linkItem(10);
		cisco.sandbox.cisco.expireLinks();
		const result = await download({}, item);
		expect(result.error?.message).toMatch(
			/^The link to the usage ZIP of invoice \d+ has expired \(HTTP 403: Request has expired\)$/,
		);
		expect(errorText(result)).toContain('Run Get Download Links again for new links');
		expect(errorText(result)).not.toContain(String(item.usageUrl));
		expect(errorText(result)).not.toContain('sig=');
	});

	it('downloads without the token first and never sends it to a host off the allowlist', async () => {
		Object.assign(cisco.sandbox.cisco.options, { fileAuth: 'bearer' });
		const result = await download({}, linkItem(11));
		expect(result.error?.message).toMatch(
			/refused the link to the usage ZIP of invoice \d+ \(HTTP 401/,
		);
		expect(errorText(result)).toContain('Authorized File Hosts');
		expect(cisco.ciscoRequests('download').map((request) => request.headers.authorization)).toEqual(
			[undefined],
		);
	});

	it('falls back to the token for a host on the allowlist', async () => {
		Object.assign(cisco.sandbox.cisco.options, {
			fileAuth: 'bearer',
			tokenHosts: ['127.0.0.1', 'localhost'],
		});
		const item = linkItem(12);
		const { json, error } = await download({ options: { authorizedFileHosts: 'localhost' } }, item);
		expect(error).toBeUndefined();
		expect(json).toEqual(cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber)).lines);
		expect(
			cisco.ciscoRequests('download').map((request) => request.headers.authorization === undefined),
		).toEqual([true, false]);
	});

	it('reads the ZIP again from the start after the connection drops in its middle', async () => {
		const item = linkItem(13);
		cisco.sandbox.addFault({ vendor: 'cisco', kind: 'download', type: 'reset', afterBytes: 2000 });
		const { json, error } = await download({}, item);
		expect(error).toBeUndefined();
		expect(json).toEqual(cisco.sandbox.cisco.expectedUsage(String(item.invoiceNumber)).lines);
		expect(cisco.ciscoRequests('download')).toHaveLength(2);
	});

	it('stops waiting for a file host that answers later than the timeout', async () => {
		cisco.sandbox.addFault({
			vendor: 'cisco',
			kind: 'download',
			type: 'slow',
			delayMs: 20_000,
			times: Infinity,
		});
		const started = Date.now();
		const { error, items } = await download({ options: { timeoutMinutes: 0.05 } }, linkItem(15));
		expect(items).toHaveLength(0);
		expect(error?.message).toMatch(/timed out|the timeout passed/);
		expect(Date.now() - started).toBeLessThan(8000);
	});

	it('names a proxy page that came instead of the ZIP', async () => {
		cisco.sandbox.addFault({
			vendor: 'cisco',
			kind: 'download',
			type: 'html',
			status: 200,
			times: Infinity,
		});
		const { error } = await download({ options: { timeoutMinutes: 0.05 } }, linkItem(16));
		expect(error?.message).toMatch(
			/^The storage host answered HTTP 200 with an HTML or XML page \(text\/html\): a proxy, firewall or sign-in page may be in the way instead of the usage ZIP of invoice \d+; gave up/,
		);
	});

	it('names an empty answer instead of calling it an unreadable ZIP', async () => {
		cisco.sandbox.addFault({ vendor: 'cisco', kind: 'download', type: 'empty', times: Infinity });
		const { error } = await download({ options: { timeoutMinutes: 0.05 } }, linkItem(17));
		expect(error?.message).toMatch(
			/^The storage host answered HTTP 200 with an empty body instead of the usage ZIP of invoice \d+; gave up/,
		);
	});

	it('refuses a usage URL that is not https before any request', async () => {
		const result = await download({}, { usageUrl: 'ftp://files.example.com/x.zip' });
		expect(result.error?.message).toBe("'Usage URL' is not an https link");
		expect(cisco.ciscoRequests()).toEqual([]);
	});

	it('keeps the usage URL out of the output rows', async () => {
		const item = linkItem(14);
		const { json } = await download({ includeHeader: 'merge' }, item);
		expect(JSON.stringify(json)).not.toContain(String(item.usageUrl));
		for (const secret of cisco.secrets()) expect(JSON.stringify(json)).not.toContain(secret);
	});
});
