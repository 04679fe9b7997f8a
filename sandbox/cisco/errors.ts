/**
 * Cisco API error bodies.
 *
 * [spec] errors are a message carrying an error code; the sibling CiscoXaaSAPI answers HTTP 400
 * with codes such as BILL_TO_ERROR ("Given CCO ID is not associated with the BID"),
 * BIZ_RULE_FAIL_ERROR, CISCO_ERROR, UNKNOWN_ERROR. The exact body is [unconfirmed].
 * [sandbox] default body `{uuid, status: 'ERROR', errorCode, errorMessage}` (uuid: the request's
 * uuid when it is a string, else null); option `errorBody` replaces the shape. Malformed
 * envelopes get the code VALIDATION_ERROR (no public source names one).
 */

import http from 'http';
import { sendJson } from '../server';

export const VALIDATION_ERROR = 'VALIDATION_ERROR';
export const BILL_TO_ERROR = 'BILL_TO_ERROR';
export const BIZ_RULE_FAIL_ERROR = 'BIZ_RULE_FAIL_ERROR';
const CISCO_ERROR = 'CISCO_ERROR';
export const UNKNOWN_ERROR = 'UNKNOWN_ERROR';

/** What the API's error body is built from (option `errorBody` maps it to the body). */
export interface CiscoError {
	httpStatus: number;
	/** the request's uuid when it is a string, else null */
	uuid: string | null;
	/** VALIDATION_ERROR | BILL_TO_ERROR | BIZ_RULE_FAIL_ERROR | CISCO_ERROR | UNKNOWN_ERROR */
	errorCode: string;
	errorMessage: string;
}

export type ErrorBodyFn = (error: CiscoError) => unknown;

export function defaultErrorBody(error: CiscoError) {
	return {
		uuid: error.uuid,
		status: 'ERROR',
		errorCode: error.errorCode,
		errorMessage: error.errorMessage,
	};
}

/**
 * The request's uuid as the error echoes it.
 * @param body parsed request body
 */
export function requestUuid(body: unknown) {
	const uuid =
		body !== null && typeof body === 'object' ? (body as Record<string, unknown>).uuid : undefined;
	return typeof uuid === 'string' ? uuid : null;
}

export function sendCiscoError(
	res: http.ServerResponse,
	errorBody: ErrorBodyFn,
	error: CiscoError,
	headers: Record<string, string> = {},
) {
	sendJson(res, error.httpStatus, errorBody(error), headers);
}

/**
 * The error a status fault answers with (5xx: CISCO_ERROR, else UNKNOWN_ERROR).
 * @param body parsed request body
 */
export function faultError(httpStatus: number, body: unknown): CiscoError {
	return {
		httpStatus,
		uuid: requestUuid(body),
		errorCode: httpStatus >= 500 ? CISCO_ERROR : UNKNOWN_ERROR,
		errorMessage: `${http.STATUS_CODES[httpStatus] || 'Error'}: the request could not be processed, try again later.`,
	};
}
