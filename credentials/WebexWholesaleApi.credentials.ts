import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Lists one report: proves the base URL, the token and its read scope in one call. */
export const webexCredentialTest: ICredentialTestRequest = {
	request: {
		baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
		url: '/wholesale/billing/reports',
		qs: { max: 1 },
	},
	// n8n would show only the status text ("Unauthorized").
	rules: [
		{
			type: 'responseCode',
			properties: {
				value: 401,
				message:
					'Webex refused the access token (401): it is wrong or has expired. Tokens copied from developer.webex.com last 12 hours; a service app token lasts longer.',
			},
		},
	],
};

/** Both Webex credentials' Base URL. */
export const webexBaseUrlProperty: INodeProperties = {
	displayName: 'Base URL',
	name: 'baseUrl',
	type: 'string',
	default: 'https://webexapis.com/v1',
	description: 'Webex API base URL. Change it only for a test environment or the local sandbox.',
};

export class WebexWholesaleApi implements ICredentialType {
	name = 'webexWholesaleApi';

	displayName = 'Webex Wholesale API';

	icon: Icon = { light: 'file:icons/webex.svg', dark: 'file:icons/webex.dark.svg' };

	documentationUrl = 'https://developer.webex.com/docs/api/v1/wholesale-billing-reports';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Token of a partner full administrator with the spark-admin:wholesale_billing_reports_read and _write scopes, for example a service app token. Personal tokens from developer.webex.com expire after 12 hours.',
		},
		webexBaseUrlProperty,
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test = webexCredentialTest;
}
