/**
 * An email's HTML body as its reader sees it: laid out by Chromium in a mail-client-sized
 * window with the network cut off (mail clients do not load a message's resources, so a body
 * that needs one is broken), as its visible text, its data tables read cell by cell under
 * their column headings, and a PNG of the whole message.
 */
import type { ChromiumBrowser } from '../helpers/chromium';

/** About the width of a desktop mail client's reading pane. */
export const READING_PANE = { width: 1000, height: 700 };

/** A data table: its column headings (a compare field's are "<field> <sub-heading>": "seats Webex", "seats Δ %") and its rows by heading. */
export interface ShownTable {
	columns: string[];
	rows: Array<Record<string, string>>;
}

export interface RenderedEmail {
	/** the visible text, as Chromium lays it out */
	text: string;
	/** the data tables in order: the totals, then the largest discrepancies */
	tables: ShownTable[];
	/** what the page asked the network for (nothing, for an email) */
	requests: string[];
	/** the laid-out width of the message, in CSS pixels */
	width: number;
}

/** A table cell as the page gives it to the function run in it (the test compiles without the DOM library). */
interface PageCell {
	innerText: string;
	colSpan: number;
	rowSpan: number;
	tagName: string;
}
interface PageTable {
	rows: ArrayLike<{ cells: ArrayLike<PageCell> }>;
}
interface GridCell {
	text: string;
	colSpan: number;
	rowSpan: number;
	heading: boolean;
}

/** The report's data tables (the layout tables have no cell padding). */
const DATA_TABLES = 'table[cellpadding="5"]';

export async function renderEmail(
	browser: ChromiumBrowser,
	html: string,
	screenshotPath: string,
): Promise<RenderedEmail> {
	const page = await browser.context.newPage();
	const requests: string[] = [];
	try {
		await page.route('**/*', async (route) => {
			requests.push(route.request().url());
			await route.abort();
		});
		await page.setContent(html, { waitUntil: 'load' });
		await page.screenshot({ path: screenshotPath, fullPage: true });
		const grids = await page.locator(DATA_TABLES).evaluateAll((tables) =>
			(tables as unknown as PageTable[]).map((table) =>
				Array.from(table.rows, (row) =>
					Array.from(
						row.cells,
						(cell): GridCell => ({
							text: cell.innerText.trim(),
							colSpan: cell.colSpan,
							rowSpan: cell.rowSpan,
							heading: cell.tagName === 'TH',
						}),
					),
				),
			),
		);
		return {
			text: await page.innerText('body'),
			tables: grids.map(readTable),
			requests,
			width: await page.evaluate<number>('document.documentElement.scrollWidth'),
		};
	} finally {
		await page.close();
	}
}

/** Headings from the heading rows (a cell spanning two rows, or a group over its sub-headings), then each row by heading. */
function readTable(grid: GridCell[][]): ShownTable {
	const headingRows = grid.filter((row) => row.every((cell) => cell.heading));
	const [top = [], sub = []] = headingRows;
	const subHeadings = sub.map((cell) => cell.text);
	const columns: string[] = [];
	for (const cell of top) {
		if (cell.rowSpan > 1 || headingRows.length === 1) columns.push(cell.text);
		else
			for (const heading of subHeadings.splice(0, cell.colSpan))
				columns.push(`${cell.text} ${heading}`);
	}
	const rows = grid
		.slice(headingRows.length)
		.map((row) => Object.fromEntries(row.map((cell, index) => [columns[index], cell.text])));
	return { columns, rows };
}

/** A number as the report writes it in en-US: its value, decimals and currency symbol; null when it is not written that way (e.g. 1234.5 without grouping). */
export function readNumber(
	cell: string,
): { value: number; decimals: number; symbol: string; sign: string } | null {
	const match = /^([+-]?)([$€£¥]?)(\d{1,3}(?:,\d{3})*)(?:\.(\d+))?$/.exec(cell);
	if (!match) return null;
	const [, sign, symbol, whole, fraction = ''] = match;
	return {
		value: Number(`${sign}${whole.replace(/,/g, '')}.${fraction || '0'}`),
		decimals: fraction.length,
		symbol,
		sign,
	};
}

/** A percentage as the report writes it ("+0.047%", "-10.0%"); null otherwise. */
export function readPercent(cell: string): number | null {
	const match = /^([+-]?)(\d+(?:\.\d+)?)%$/.exec(cell);
	return match ? Number(`${match[1]}${match[2]}`) : null;
}
