import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	JsonObject,
} from 'n8n-workflow';

import { sendWithRetry, type HttpResponse } from './http';
import { DEFAULT_CALL_BUDGET_MS, deadlineFromMinutes, type RetryPolicy } from './retry';

/** What the kit needs to know of a vendor's API; everything else a transport keeps to itself. */
export interface VendorApi {
	/** the vendor as messages name it: "Webex", "Microsoft Graph" */
	name: string;
	/** who keeps the access token, in the refusal to follow a link to another host; `name` unless said */
	tokenHolder?: string;
	/** the credential field that holds the API's base URL (`baseUrl` unless said), and the URL when it is empty */
	baseUrlField?: string;
	defaultBaseUrl: string;
	/** what to do about an error answer, by HTTP status; 500 stands for every server error */
	statusHints: Readonly<Record<number, string>>;
}

/** Where calls run: an execution, or the editor filling a list (listSearch). */
export type VendorContext = IExecuteFunctions | ILoadOptionsFunctions;

/** One item's calls to a vendor API: who calls, with which credential, within which budget. */
export interface VendorClient<Context extends VendorContext = IExecuteFunctions> {
	context: Context;
	itemIndex: number;
	api: VendorApi;
	credentialType: string;
	/** without a trailing slash; the access token goes to its origin only */
	baseUrl: string;
	policy: RetryPolicy;
	/**
	 * A token the transport asked for itself, sent as the bearer in place of the credential's
	 * authentication: n8n's OAuth2 keeps one token per credential, and an API that takes only
	 * its own (Partner Center) cannot use it.
	 */
	bearerToken?: string;
}

/**
 * A client with the item's credential. `timeoutMinutes` is the operation's Timeout (Minutes)
 * option; without one, a plain call's budget applies.
 */
export async function createVendorClient(
	context: IExecuteFunctions,
	itemIndex: number,
	{
		api,
		credentialType,
		timeoutMinutes,
	}: { api: VendorApi; credentialType: string; timeoutMinutes?: number },
): Promise<{ client: VendorClient; credentials: ICredentialDataDecryptedObject }> {
	const credentials = await context.getCredentials(credentialType, itemIndex);
	const deadline =
		timeoutMinutes === undefined
			? Date.now() + DEFAULT_CALL_BUDGET_MS
			: deadlineFromMinutes(timeoutMinutes);
	const policy = { deadline, signal: context.getExecutionCancelSignal() };
	return {
		client: {
			context,
			itemIndex,
			api,
			credentialType,
			baseUrl: baseUrlOf(api, credentials),
			policy,
		},
		credentials,
	};
}

/** A client for the editor's lists: no input item, no execution to cancel, a plain call's budget. */
export async function createVendorListClient(
	context: ILoadOptionsFunctions,
	{ api, credentialType }: { api: VendorApi; credentialType: string },
): Promise<VendorClient<ILoadOptionsFunctions>> {
	const credentials = await context.getCredentials(credentialType);
	const policy = { deadline: Date.now() + DEFAULT_CALL_BUDGET_MS };
	return {
		context,
		itemIndex: 0,
		api,
		credentialType,
		baseUrl: baseUrlOf(api, credentials),
		policy,
	};
}

function baseUrlOf(api: VendorApi, credentials: ICredentialDataDecryptedObject): string {
	return String(credentials[api.baseUrlField ?? 'baseUrl'] || api.defaultBaseUrl).replace(
		/\/+$/,
		'',
	);
}

/**
 * Calls the vendor's API with the client's credential, retrying what is transient. `url` is
 * a path under the base URL or a link the vendor gave (a next page, an operation): a link to
 * another host is refused, never followed, so the token stays with the vendor. Returns the
 * final answer whatever its status, for the transport to read or turn into a vendorApiError.
 */
export async function vendorRequest<Body>(
	client: VendorClient<VendorContext>,
	request: IHttpRequestOptions,
	{ jsonBody }: { jsonBody: boolean },
): Promise<HttpResponse<Body>> {
	const url = /^https?:\/\//i.test(request.url) ? request.url : `${client.baseUrl}${request.url}`;
	if (new URL(url).origin !== new URL(client.baseUrl).origin) {
		throw new NodeOperationError(
			client.context.getNode(),
			`${client.api.name} returned a link to another host (${new URL(url).host}); it was not followed so that the access token stays with ${client.api.tokenHolder ?? client.api.name}`,
			{ itemIndex: client.itemIndex },
		);
	}
	if (client.bearerToken === undefined) {
		return await sendWithRetry<Body>(
			client.context,
			{ ...request, url },
			{ credentialType: client.credentialType, policy: client.policy, jsonBody },
		);
	}
	const headers = { ...request.headers, authorization: `Bearer ${client.bearerToken}` };
	return await sendWithRetry<Body>(
		client.context,
		{ ...request, url, headers },
		{ policy: client.policy, jsonBody },
	);
}

export interface VendorErrorParts {
	/** the vendor's own words */
	message: string;
	/** more of the vendor's words, before the hint */
	details?: string[];
	/** what to do when the vendor's error code says more than the HTTP status */
	hint?: string;
	/** what to quote to the vendor's support: a tracking ID, request IDs */
	reference: string;
	/** the answer as n8n keeps it with the error; never with a signed link */
	body: JsonObject;
}

/** A vendor's error answer as a NodeApiError: its words, what to do, what to quote. */
export function vendorApiError(
	client: VendorClient<VendorContext>,
	statusCode: number,
	{ message, details = [], hint, reference, body }: VendorErrorParts,
): NodeApiError {
	const hints = client.api.statusHints;
	const statusHint = hints[statusCode] ?? (statusCode >= 500 ? hints[500] : undefined);
	return new NodeApiError(client.context.getNode(), body, {
		message,
		description: [...details, hint ?? statusHint, reference].filter(Boolean).join(' '),
		httpCode: String(statusCode),
		itemIndex: client.itemIndex,
	});
}

/** A header's value as text, a repeated one's values joined (as Node joins most headers). */
export function headerText(value: unknown): string | undefined {
	if (Array.isArray(value)) return value.join(', ');
	return value === undefined || value === null ? undefined : String(value);
}
