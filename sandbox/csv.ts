/**
 * RFC 4180 quoting for the sandbox's CSV files (Webex reports, Cisco usage files, the partner
 * side of the example reconciliations): a field is quoted, its quotes doubled, when it holds
 * the delimiter, a double quote, CR or LF. The sandbox writes CSV with this rather than with
 * the pack's own writer, so that a mistake in one is not mirrored by the other.
 */
const QUOTE_OR_LINE_BREAK = /["\r\n]/;

export function csvField(value: string, delimiter = ','): string {
	return value.includes(delimiter) || QUOTE_OR_LINE_BREAK.test(value)
		? `"${value.replace(/"/g, '""')}"`
		: value;
}
