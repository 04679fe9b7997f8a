/**
 * Webex error bodies. Spec: `{ message, errors: [{ description }], trackingId }`; the
 * trackingId is also sent as the `trackingid` response header (Webex sends it on every response).
 */

import { randomUUID } from 'crypto';
import { sendJson } from '../server';
import type { ServerResponse } from 'http';

/** A fresh tracking id shaped like Webex's `ROUTER_62F66055-8D70-01BB-0137-AC10A8310137`. */
export function newTrackingId() {
	return `ROUTER_${randomUUID().toUpperCase()}`;
}

/** @param descriptions defaults to [message] */
export function webexErrorBody(
	message: string,
	descriptions?: string[],
	trackingId = newTrackingId(),
) {
	return {
		message,
		errors: (descriptions && descriptions.length ? descriptions : [message]).map((description) => ({
			description,
		})),
		trackingId,
	};
}

export function sendWebexError(
	res: ServerResponse,
	status: number,
	message: string,
	extra: { descriptions?: string[]; headers?: Record<string, string> } = {},
) {
	const body = webexErrorBody(message, extra.descriptions);
	sendJson(res, status, body, { trackingid: body.trackingId, ...(extra.headers || {}) });
}

/** Messages close to what Webex answers for each status (used by errors and status faults). */
const STATUS_MESSAGES: Record<number, string> = {
	400: 'The request was invalid or cannot be otherwise served.',
	401: 'The request requires a valid access token set in the Authorization request header.',
	403: 'The server understood the request, but refused to fulfill it because the access token is missing required scopes or because of insufficient privileges.',
	404: 'The requested resource could not be found.',
	405: 'The request was made to a resource using an HTTP request method that is not supported.',
	409: 'The request could not be processed because it conflicts with some established rule of the system.',
	410: 'The requested resource is no longer available.',
	415: 'The request was made to a resource without specifying a media type or used a media type that is not supported.',
	423: 'The requested resource is temporarily unavailable.',
	429: 'Too many requests have been sent in a given amount of time and the request has been rate limited.',
	500: 'Something went wrong on the server.',
	502: 'The server received an invalid response from an upstream server while processing the request. Try again later.',
	503: 'Server is overloaded with requests. Try again later.',
	504: 'An upstream server failed to respond on time. If your query uses max parameter, please try to reduce it.',
};

export function statusMessage(status: number) {
	return STATUS_MESSAGES[status] || `HTTP ${status}`;
}
