import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { TokenRequestError } from '../nodes/shared/transport/errors';

/** Cisco's time format for the request envelope: `YYYY-MM-DDTHH:MM:SS.000Z`. */
const CISCO_NOW = "{{ $now.toUTC().toFormat(\"yyyy-MM-dd'T'HH:mm:ss'.000Z'\") }}";
const CISCO_YESTERDAY =
	"{{ $now.toUTC().minus({ days: 1 }).toFormat(\"yyyy-MM-dd'T'HH:mm:ss'.000Z'\") }}";

export class CiscoXaasBillingApi implements ICredentialType {
	name = 'ciscoXaasBillingApi';

	displayName = 'Cisco XaaS Billing API';

	icon: Icon = { light: 'file:icons/cisco.svg', dark: 'file:icons/cisco.dark.svg' };

	documentationUrl = 'https://apiconsole.cisco.com/';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Password (Resource Owner)',
					value: 'password',
					description:
						"The app's client ID and secret with the CCO user name and password of the partner's Cisco account",
				},
				{
					name: 'Client Credentials',
					value: 'clientCredentials',
					description: "The app's client ID and secret only (Cisco's newer API platform)",
				},
			],
			default: 'password',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: 'https://cloudsso.cisco.com/as/token.oauth2',
			required: true,
			description:
				"Where the access token is requested. Cisco's newer platform uses https://id.cisco.com/oauth2/default/v1/token with Client Credentials.",
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			description: "Of the app registered for the CiscoXaaSBilling API on Cisco's API portal",
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			description:
				"The partner's CCO ID. Requests name it as their creator unless the node's Created By option says otherwise.",
			displayOptions: { show: { grantType: ['password'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { grantType: ['password'] } },
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://apx.cisco.com/ccw/api/v1.0',
			required: true,
			description:
				'Production: https://apx.cisco.com/ccw/api/v1.0. Partner test environment (POE): https://apx-poe.cisco.com/ccw/api/v1.0.',
		},
		{
			displayName: 'Billing Address ID (BID)',
			name: 'billingAddressId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '100234567',
			description:
				"The partner's bill-to ID that Cisco invoices. The node uses it unless a node parameter names another.",
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/** Fetches a token; n8n stores it in the expirable field and calls this again after a 401. */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const form: Record<string, string> = {
			grant_type: credentials.grantType === 'clientCredentials' ? 'client_credentials' : 'password',
			client_id: String(credentials.clientId ?? ''),
			client_secret: String(credentials.clientSecret ?? ''),
		};
		if (form.grant_type === 'password') {
			form.username = String(credentials.username ?? '');
			form.password = String(credentials.password ?? '');
		}
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url: String(credentials.tokenUrl),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: new URLSearchParams(form).toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: true,
		})) as { statusCode: number; body: IDataObject | string };
		const body = typeof response.body === 'object' && response.body !== null ? response.body : {};
		if (response.statusCode !== 200 || typeof body.access_token !== 'string') {
			// The token endpoint's own words (OAuth error and description), never the request.
			const reason =
				[body.error, body.error_description].filter(Boolean).join(': ') ||
				`HTTP ${response.statusCode}`;
			// Busy or failing (429, 5xx): the request is worth repeating, the credential is not at fault.
			if (response.statusCode === 429 || response.statusCode >= 500) {
				throw new TokenRequestError(
					`Cisco's token endpoint did not issue an access token: it is busy or failing (${reason})`,
					true,
				);
			}
			throw new TokenRequestError(
				`Cisco did not issue an access token (${reason}). Check the client ID and secret${form.grant_type === 'password' ? ', user name and password' : ''} and the token URL.`,
			);
		}
		return { accessToken: body.access_token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	/**
	 * Asks for the usage links of the last day: proves the token, the API URL and that the BID
	 * belongs to the account (Cisco answers BILL_TO_ERROR otherwise) without fetching any data.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/usage',
			body: {
				uuid: 'n8n-credential-test',
				createdBy: '={{ $credentials.username || "n8n" }}',
				createdDateTime: `=${CISCO_NOW}`,
				billingAddressId:
					'={{ /^\\d+$/.test($credentials.billingAddressId) ? Number($credentials.billingAddressId) : $credentials.billingAddressId }}',
				beginDate: `=${CISCO_YESTERDAY}`,
				endDate: `=${CISCO_NOW}`,
				pageNumber: 1,
				invoiceList: [],
			},
		},
	};
}
