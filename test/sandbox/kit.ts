/** What the sandbox specs share: a minimal CSV parser of their own and a JSON API client. */

/** Minimal RFC 4180 parser (quotes, doubled quotes, CRLF or LF records); returns records incl. the header. */
export function parseCsv(text: string, delimiter = ','): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else field += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === delimiter) {
			row.push(field);
			field = '';
		} else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
			if (ch === '\r') i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += ch;
	}
	if (field !== '' || row.length) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/** Records after the header, keyed by the header's names. */
export function toObjects(records: string[][]): Array<Record<string, string>> {
	const [header, ...data] = records;
	return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ApiOptions {
	/** sent as JSON */
	body?: unknown;
	/** sent as is, with `contentType` */
	rawBody?: string;
	contentType?: string;
	/** the bearer token; default the API's static token; null sends none */
	token?: string | null;
	headers?: Record<string, string>;
}

/**
 * A client of a sandbox JSON API: paths under `baseUrl()` (or full URLs), the static token
 * by default, the answer's status, headers, text and parsed JSON (undefined when not JSON).
 */
export function jsonApi(baseUrl: () => string, accessToken: () => string) {
	return async (method: string, path: string, opts: ApiOptions = {}) => {
		const headers: Record<string, string> = { ...(opts.headers ?? {}) };
		if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? accessToken()}`;
		let body: string | undefined;
		if (opts.body !== undefined) {
			body = JSON.stringify(opts.body);
			headers['content-type'] = opts.contentType ?? 'application/json';
		} else if (opts.rawBody !== undefined) {
			body = opts.rawBody;
			if (opts.contentType) headers['content-type'] = opts.contentType;
		}
		const url = path.startsWith('http') ? path : `${baseUrl()}${path}`;
		const res = await fetch(url, { method, headers, body });
		const text = await res.text();
		let json: Json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		return { status: res.status, headers: res.headers, text, json };
	};
}
