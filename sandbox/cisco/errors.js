// @ts-check
'use strict';

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

const http = require('http');
const { sendJson } = require('../server');

const VALIDATION_ERROR = 'VALIDATION_ERROR';
const BILL_TO_ERROR = 'BILL_TO_ERROR';
const BIZ_RULE_FAIL_ERROR = 'BIZ_RULE_FAIL_ERROR';
const CISCO_ERROR = 'CISCO_ERROR';
const UNKNOWN_ERROR = 'UNKNOWN_ERROR';

/**
 * @typedef {{ httpStatus: number, uuid: string | null, errorCode: string, errorMessage: string }} CiscoError
 * @typedef {(error: CiscoError) => unknown} ErrorBodyFn
 */

/** @type {ErrorBodyFn} */
function defaultErrorBody(error) {
	return { uuid: error.uuid, status: 'ERROR', errorCode: error.errorCode, errorMessage: error.errorMessage };
}

/**
 * The request's uuid as the error echoes it.
 * @param {unknown} body parsed request body
 */
function requestUuid(body) {
	const uuid = body !== null && typeof body === 'object' ? /** @type {Record<string, unknown>} */ (body).uuid : undefined;
	return typeof uuid === 'string' ? uuid : null;
}

/**
 * @param {import('http').ServerResponse} res
 * @param {ErrorBodyFn} errorBody
 * @param {CiscoError} error
 * @param {Record<string, string>} [headers]
 */
function sendCiscoError(res, errorBody, error, headers = {}) {
	sendJson(res, error.httpStatus, errorBody(error), headers);
}

/**
 * The error a status fault answers with (5xx: CISCO_ERROR, else UNKNOWN_ERROR).
 * @param {number} httpStatus
 * @param {unknown} body parsed request body
 * @returns {CiscoError}
 */
function faultError(httpStatus, body) {
	return {
		httpStatus,
		uuid: requestUuid(body),
		errorCode: httpStatus >= 500 ? CISCO_ERROR : UNKNOWN_ERROR,
		errorMessage: `${http.STATUS_CODES[httpStatus] || 'Error'}: the request could not be processed, try again later.`,
	};
}

module.exports = {
	VALIDATION_ERROR,
	BILL_TO_ERROR,
	BIZ_RULE_FAIL_ERROR,
	UNKNOWN_ERROR,
	defaultErrorBody,
	requestUuid,
	sendCiscoError,
	faultError,
};
