/** Ways to spoil a vendor file, for `transform` faults and `cisco.replaceZip` (see corrupt.js). */

/** Gzip JSON Lines whose line `line` (0 = the first) lost its closing brace. */
export function breakJsonLine(gzipped: Buffer, line?: number): Buffer;

/** A CSV whose data row `row` (1 = the first after the header) lost its last field. */
export function dropCsvField(csv: Buffer, row?: number, delimiter?: string): Buffer;

/** A CSV where data row `row` starts with a quote that is never closed. */
export function openCsvQuote(csv: Buffer, row?: number): Buffer;

/** The ZIP with each entry whose name contains `namePart` (case-insensitive) rewritten; order and dates kept. */
export function rewriteZipEntry(zip: Buffer, namePart: string, transform: (content: Buffer) => Buffer): Buffer;
