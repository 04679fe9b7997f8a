/**
 * The failures the transport tells apart, each without the request (URL, headers, token)
 * that errors from n8n's request helpers carry, and whether another attempt may help.
 */

const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_STREAM_PREMATURE_CLOSE',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
	// @azure/core-rest-pipeline: the request got no answer (its message holds the socket error)
	'REQUEST_SEND_ERROR',
]);

export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'ExecutionCancelledError';
	}
}

/** Thrown when the deadline leaves no room for another attempt or wait. */
export class DeadlineExceededError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DeadlineExceededError';
	}
}

/** A request that got no HTTP answer. */
export class ConnectionError extends Error {
	constructor(
		message: string,
		readonly code?: string,
		/** whether the failure it stands for is worth another attempt (a dropped connection) */
		readonly transient = false,
	) {
		super(message);
		this.name = 'ConnectionError';
	}

	/**
	 * Keeps whether the original failure was transient: its message is replaced, and an answer
	 * cut mid-body is recognised by that message alone (axios: "stream has been aborted").
	 */
	static from(error: unknown): Error {
		if (error instanceof ExecutionCancelledError || error instanceof ConnectionError) return error;
		return new ConnectionError(
			describeNetworkError(error),
			networkErrorCode(error),
			isTransientNetworkError(error),
		);
	}
}

/**
 * Marks a TokenRequestError whichever copy of this module made it: the credential that throws
 * it and the node that finds it again may each have loaded their own.
 */
const TOKEN_REQUEST_ERROR = Symbol.for('n8n-nodes-billing-reconciliation.TokenRequestError');

/**
 * A credential's token endpoint did not issue a token: a preAuthentication threw it, or n8n's
 * own OAuth2 client failed to get one. n8n wraps it on the way out of its request helper; the
 * transport finds it again so the user sees what the token endpoint said rather than a
 * connection failure, and a token endpoint that is only busy (429, 5xx) is asked again.
 */
export class TokenRequestError extends Error {
	readonly [TOKEN_REQUEST_ERROR] = true;

	constructor(
		message: string,
		/** the token endpoint was busy or failing (429, 5xx): worth another attempt */
		readonly transient = false,
	) {
		super(message);
		this.name = 'TokenRequestError';
	}

	static find(error: unknown): TokenRequestError | undefined {
		for (let current = error, depth = 0; current && depth < 5; depth++) {
			const candidate = current as TokenRequestError;
			if (candidate[TOKEN_REQUEST_ERROR] === true)
				return new TokenRequestError(candidate.message, candidate.transient === true);
			current = (current as { cause?: unknown }).cause;
		}
		return undefined;
	}

	/**
	 * The failure of n8n's OAuth2 client to get a token ("Failed to acquire OAuth2 access
	 * token: …", its cause holding the token endpoint's status), without the request it
	 * carries (the client secret is in it).
	 */
	static fromOAuth2(error: unknown): TokenRequestError | undefined {
		let status: number | undefined;
		let failure: string | undefined;
		for (let current = error, depth = 0; current && depth < 5; depth++) {
			const {
				message,
				status: ownStatus,
				response,
				cause,
			} = current as {
				message?: unknown;
				status?: unknown;
				response?: { status?: unknown };
				cause?: unknown;
			};
			if (
				failure === undefined &&
				typeof message === 'string' &&
				message.startsWith(OAUTH2_TOKEN_FAILURE)
			)
				failure = message;
			const found =
				typeof response?.status === 'number'
					? response.status
					: typeof ownStatus === 'number'
						? ownStatus
						: undefined;
			if (failure !== undefined && found !== undefined) status = found;
			current = cause;
		}
		if (failure === undefined) return undefined;
		if (status === undefined) {
			// No answer (a dropped connection, retried as one), or the endpoint's own refusal,
			// which n8n's message quotes (invalid_client and the like: no secret in it).
			return isTransientNetworkError(error)
				? undefined
				: new TokenRequestError(`${failure}. Check the credential.`);
		}
		const busy = status === 429 || status >= 500;
		return new TokenRequestError(
			`The token endpoint did not issue an access token: it answered HTTP ${status}${busy ? ' (busy or failing)' : '; check the credential'}`,
			busy,
		);
	}
}

/** How n8n-core starts the message of a client-credentials token fetch that failed. */
const OAUTH2_TOKEN_FAILURE = 'Failed to acquire OAuth2 access token';

function networkErrorCode(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 4; depth++) {
		const { code, cause } = current as { code?: unknown; cause?: unknown };
		if (typeof code === 'string') return code;
		current = cause;
	}
	return undefined;
}

/** A request or stream stopped by an abort signal (axios: CanceledError; Node: AbortError). */
export function isAbort(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 4; depth++) {
		const { name, code, cause } = current as { name?: unknown; code?: unknown; cause?: unknown };
		if (
			name === 'AbortError' ||
			name === 'CanceledError' ||
			code === 'ERR_CANCELED' ||
			code === 'ABORT_ERR'
		)
			return true;
		current = cause;
	}
	return false;
}

export function isTransientNetworkError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	if (error instanceof ConnectionError || error instanceof TokenRequestError)
		return error.transient;
	const { code, message, cause } = error as { code?: string; message?: string; cause?: unknown };
	if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
	if (
		typeof message === 'string' &&
		/socket hang up|aborted|premature close|terminated/i.test(message)
	) {
		return true;
	}
	return cause !== undefined && cause !== error && isTransientNetworkError(cause);
}

/**
 * Plain words for network error codes. The raw codes stay out of messages: n8n replaces any
 * message that mentions one with its own generic text, which would hide what was retried.
 */
const NETWORK_ERROR_WORDS: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	EPIPE: 'the connection broke',
	EAI_AGAIN: 'the host name could not be looked up for now',
	ERR_STREAM_PREMATURE_CLOSE: 'the transfer ended early',
	ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection timed out',
	UND_ERR_SOCKET: 'the connection broke',
	ECONNREFUSED: 'the server refused the connection',
	ENOTFOUND: 'the host name was not found',
	ERR_CANCELED: 'the request was cancelled',
};

export function describeNetworkError(error: unknown): string {
	const code = networkErrorCode(error);
	const { message } = (error ?? {}) as { message?: string };
	const words =
		(code && NETWORK_ERROR_WORDS[code]) ??
		(typeof message === 'string' && /aborted|premature close|socket hang up/i.test(message)
			? 'the transfer ended early'
			: 'there was no answer');
	return `The connection failed: ${words}`;
}
