/**
 * Links in a vendor's words or a storage host's answer may be signed (a SAS, a signature that
 * works like a password): none reaches a message, a log or an output. A link ends at white
 * space, a quote or an angle bracket, so a link inside JSON or XML leaves the text around it
 * whole.
 */
export function withoutUrls(text: string): string {
	return text.replace(/https?:\/\/[^\s"'<>]+/g, '<url>');
}

/**
 * A short, URL-free excerpt of an error body (storage hosts answer XML or HTML), as `: text`
 * to append to a message, or '' when nothing readable is left.
 */
export function errorBodyExcerpt(text: string): string {
	const message = /<Message>([^<]*)<\/Message>/i.exec(text)?.[1] ?? text.replace(/<[^>]*>/g, ' ');
	const clean = withoutUrls(message).replace(/\s+/g, ' ').trim().slice(0, 200);
	return clean ? `: ${clean}` : '';
}
