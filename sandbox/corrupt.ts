/**
 * Ways to spoil a vendor file, for `transform` faults and `cisco.replaceZip`. Each takes the
 * bytes as the sandbox serves them and returns them damaged in one documented way, so a test
 * knows exactly what the client has to notice:
 *
 *   sandbox.addFault({ vendor: 'graph', kind: 'blob', type: 'transform', transform: (b) => breakJsonLine(b, 3) });
 *   sandbox.cisco.replaceZip(n, rewriteZipEntry(sandbox.cisco.usageZip(n), 'Usage', (csv) => dropCsvField(csv, 2)));
 */

import { gunzipSync, gzipSync } from 'zlib';
import AdmZip from 'adm-zip';

/**
 * Gzip JSON Lines whose line `line` (0 = the first) lost its closing brace, so it is not
 * valid JSON any more; every other line is untouched.
 */
export function breakJsonLine(gzipped: Buffer, line = 0): Buffer {
	const lines = gunzipSync(gzipped).toString('utf8').split('\n');
	if (!(line >= 0 && line < lines.length && lines[line].trimEnd().endsWith('}'))) {
		throw new Error(`breakJsonLine: the file has no JSON object on line ${line}`);
	}
	lines[line] = lines[line].trimEnd().slice(0, -1);
	return gzipSync(lines.join('\n'));
}

/**
 * The ends of the records of a CSV text (index of the line break after each), found outside
 * quoted fields, so quoted delimiters and line breaks do not count.
 */
function recordEnds(text: string): number[] {
	const ends: number[] = [];
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const character = text[index];
		if (character === '"') quoted = !quoted;
		else if (character === '\n' && !quoted) ends.push(text[index - 1] === '\r' ? index - 1 : index);
	}
	return ends;
}

/**
 * A CSV whose data row `row` (1 = the first after the header) lost its last field (the text
 * after its last delimiter outside quotes): one field fewer than the header.
 */
export function dropCsvField(csv: Buffer, row = 1, delimiter = ','): Buffer {
	const text = csv.toString('utf8');
	const ends = recordEnds(text);
	if (!(row >= 1 && row < ends.length))
		throw new Error(`dropCsvField: the file has no data row ${row}`);
	const start = ends[row - 1] + (text[ends[row - 1]] === '\r' ? 2 : 1);
	const end = ends[row];
	let quoted = false;
	let lastDelimiter = -1;
	for (let index = start; index < end; index++) {
		if (text[index] === '"') quoted = !quoted;
		else if (text[index] === delimiter && !quoted) lastDelimiter = index;
	}
	if (lastDelimiter < 0) throw new Error(`dropCsvField: data row ${row} has a single field`);
	return Buffer.from(text.slice(0, lastDelimiter) + text.slice(end), 'utf8');
}

/**
 * The ZIP with each entry whose name contains `namePart` (case-insensitive) rewritten by
 * `transform`; entry order and dates are kept.
 */
export function rewriteZipEntry(
	zip: Buffer,
	namePart: string,
	transform: (content: Buffer) => Buffer,
): Buffer {
	const source = new AdmZip(zip);
	const target = new AdmZip(undefined, { noSort: true });
	let rewritten = 0;
	for (const entry of source.getEntries()) {
		const matches = entry.entryName.toLowerCase().includes(namePart.toLowerCase());
		if (matches) rewritten++;
		const content = entry.getData();
		const added = target.addFile(entry.entryName, matches ? transform(content) : content);
		added.header.time = entry.header.time;
	}
	if (rewritten === 0) throw new Error(`rewriteZipEntry: no entry name contains '${namePart}'`);
	return target.toBuffer();
}
