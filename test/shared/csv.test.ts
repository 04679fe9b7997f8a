import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
	CsvFormatError,
	detectDelimiter,
	readCsv,
	type CsvRecordConsumer,
} from '../../nodes/shared/readers/csv';
import { CsvAggregator } from '../../nodes/shared/output/aggregate';
import { RowCounter, RowsSink } from '../../nodes/shared/output/csvOutput';
import { ceilDivide, parseDecimal } from '../../nodes/shared/numbers/decimal';

const source = (...chunks: Array<string | Buffer>) =>
	Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

async function rowsOf(...chunks: Array<string | Buffer>) {
	const sink = new RowsSink();
	await readCsv(source(...chunks), sink);
	return sink.rows;
}

describe('streaming CSV reader', () => {
	it('reads quoted fields with commas, quotes and line breaks, CRLF and a BOM', async () => {
		const rows = await rowsOf(
			'\uFEFFSKU,DESCRIPTION,QUANTITY\r\n',
			'A,"Calling, ""Pro""\r\nline",1.5\r\nB,x,2\r\n',
		);
		expect(rows).toEqual([
			{ SKU: 'A', DESCRIPTION: 'Calling, "Pro"\r\nline', QUANTITY: '1.5' },
			{ SKU: 'B', DESCRIPTION: 'x', QUANTITY: '2' },
		]);
	});

	it('reads a record split across chunks at any byte', async () => {
		const text = 'A,B\r\n"x,y",2\r\n';
		for (let cut = 1; cut < text.length; cut++) {
			expect(await rowsOf(text.slice(0, cut), text.slice(cut))).toEqual([{ A: 'x,y', B: '2' }]);
		}
	});

	it('refuses a file that ends inside a quoted field', async () => {
		await expect(rowsOf('A,B\r\n"unfinished,2')).rejects.toBeInstanceOf(CsvFormatError);
	});

	it('refuses a row with a different number of fields than the header', async () => {
		await expect(rowsOf('A,B\r\n1,2,3\r\n')).rejects.toThrow(/malformed/);
	});

	it('refuses a quote inside an unquoted field as a malformed file', async () => {
		await expect(rowsOf('A,B\r\nab"c,2\r\n')).rejects.toThrow(
			new CsvFormatError(
				'The CSV file is malformed: Invalid Opening Quote: field 1 on line 2 has a quote after "ab"; a field with quotes must be quoted whole, its quotes doubled',
			),
		);
	});

	it('refuses an empty file', async () => {
		await expect(rowsOf('')).rejects.toThrow('no header row');
	});

	it('hands each record to the consumer as it is parsed, never queued as a stream chunk', async () => {
		// A record pushed into a stream costs stream bookkeeping per row and may wait in its queue.
		const push = jest.spyOn(Readable.prototype, 'push');
		try {
			const rows: string[] = [];
			await readCsv(source('A,B\n1,x\n2,y\n', '3,z\n'), {
				header: () => undefined,
				row: (values) => void rows.push(values[0]),
			});
			expect(rows).toEqual(['1', '2', '3']);
			const queuedRecords = push.mock.calls.filter(([chunk]) => Array.isArray(chunk));
			expect(queuedRecords).toEqual([]);
		} finally {
			push.mockRestore();
		}
	});

	it('stops at the first row the consumer refuses, and no later row reaches it', async () => {
		const rows: string[] = [];
		const refusing: CsvRecordConsumer = {
			header: () => undefined,
			row: (values) => {
				rows.push(values[0]);
				if (values[0] === '2') throw new CsvFormatError('row 2 is not a number');
			},
		};
		await expect(readCsv(source('A\n1\n2\n3\n', '4\n'), refusing)).rejects.toThrow(
			'row 2 is not a number',
		);
		expect(rows).toEqual(['1', '2']);
	});

	it('counts rows in file mode without having any field decoded', () => {
		expect(new RowCounter().columnsRead()).toEqual([]);
	});

	it('counts data rows, not the header', async () => {
		const consumer: CsvRecordConsumer = { header: () => undefined, row: () => undefined };
		await expect(readCsv(source('A\n1\n2\n3\n'), consumer)).resolves.toEqual({ rowCount: 3 });
	});
});

describe('aggregate sink', () => {
	const aggregate = async (text: string, groupBy: string[], sumFields: string[]) => {
		const sink = new CsvAggregator({ groupBy, sumFields });
		await readCsv(source(text), sink);
		return sink
			.results()
			.map((group) => ({ ...group.keys, sums: group.sums.map(String), rowCount: group.rowCount }));
	};

	it('groups by several columns, matched case-insensitively, with exact sums and row counts', async () => {
		const text = 'Customer_Org_Id,SKU,QUANTITY\nc1,A,0.1\nc1,A,0.2\nc2,A,1\nc1,B,2.5\n';
		expect(await aggregate(text, ['customer_org_id', 'sku'], ['quantity'])).toEqual([
			{ Customer_Org_Id: 'c1', SKU: 'A', sums: ['0.3'], rowCount: 2 },
			{ Customer_Org_Id: 'c2', SKU: 'A', sums: ['1'], rowCount: 1 },
			{ Customer_Org_Id: 'c1', SKU: 'B', sums: ['2.5'], rowCount: 1 },
		]);
	});

	it('matches column names ignoring ASCII case only, the rule attribute names follow too', async () => {
		expect(await aggregate('Montant_\u00c9,Q\nx,1\n', ['MONTANT_\u00c9'], ['q'])).toEqual([
			{ Montant_É: 'x', sums: ['1'], rowCount: 1 },
		]);
		await expect(aggregate('MONTANT_\u00c9,Q\nx,1\n', ['montant_\u00e9'], ['Q'])).rejects.toThrow(
			"Column 'montant_\u00e9' named in 'Group By' is not in the file",
		);
	});

	it('keeps no record text for its groups, only their keys', async () => {
		setFlagsFromString('--expose-gc');
		const collectGarbage = runInNewContext('gc') as () => void;
		const padding = 'x'.repeat(1000);
		const lines = ['Subscription,Note,Amount'];
		for (let group = 0; group < 20_000; group++)
			lines.push(`${String(group).padStart(16, '0')},${padding},1`);
		const sink = new CsvAggregator({ groupBy: ['Subscription'], sumFields: ['Amount'] });
		collectGarbage();
		const before = process.memoryUsage().heapUsed;
		await readCsv(source(`${lines.join('\n')}\n`), sink);
		collectGarbage();
		const kept = process.memoryUsage().heapUsed - before;
		expect(sink.results()).toHaveLength(20_000);
		// 20,000 keys of 16 characters and their sums; their records would be 20 MB.
		expect(kept).toBeLessThan(10 * 1024 * 1024);
	});

	it('asks the reader for its group-by and sum columns only, each once', () => {
		const sink = new CsvAggregator({ groupBy: ['B'], sumFields: ['C', 'b'] });
		sink.header(['A', 'B', 'C', 'D']);
		expect(sink.columnsRead()).toEqual([1, 2]);
	});

	it('names the parameter and lists the columns when a column is missing', async () => {
		await expect(aggregate('A,B\n1,2\n', ['C'], ['B'])).rejects.toThrow(
			"Column 'C' named in 'Group By' is not in the file. Its columns are: A, B",
		);
	});

	it('stops on a value that is not a number, naming row and column', async () => {
		await expect(aggregate('A,Q\nx,1\nx,one\n', ['A'], ['Q'])).rejects.toThrow(
			"Row 2: column 'Q' holds 'one', which is not a number",
		);
	});
});

describe('seat rule arithmetic', () => {
	it('rounds a partial seat up and an exact one not', () => {
		expect(ceilDivide(parseDecimal('62')!, 31)).toBe(2);
		expect(ceilDivide(parseDecimal('62.5')!, 31)).toBe(3);
		expect(ceilDivide(parseDecimal('0')!, 31)).toBe(0);
	});
});

describe('detectDelimiter', () => {
	it('picks the separator used most outside quotes', () => {
		expect(detectDelimiter('Invoice Number;Customer Name;Quantity')).toBe(';');
		expect(detectDelimiter('"a,b";"c,d";e')).toBe(';');
		expect(detectDelimiter('a\tb\tc')).toBe('\t');
		expect(detectDelimiter('Invoice Number,Customer Name')).toBe(',');
	});

	it('falls back to a comma for a one-column header', () => {
		expect(detectDelimiter('Invoice Number')).toBe(',');
	});
});
