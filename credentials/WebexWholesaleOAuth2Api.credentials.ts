import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { webexBaseUrlProperty, webexCredentialTest } from './WebexWholesaleApi.credentials';

const SCOPES = [
	'spark-admin:wholesale_billing_reports_read',
	'spark-admin:wholesale_billing_reports_write',
];

export class WebexWholesaleOAuth2Api implements ICredentialType {
	name = 'webexWholesaleOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Webex Wholesale OAuth2 API';

	icon: Icon = { light: 'file:icons/webex.svg', dark: 'file:icons/webex.dark.svg' };

	documentationUrl = 'https://developer.webex.com/docs/integrations';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://webexapis.com/v1/authorize',
			required: true,
			description:
				'Webex authorize endpoint. Change it only for a test environment or the local sandbox.',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://webexapis.com/v1/access_token',
			required: true,
			description:
				'Webex token endpoint. Change it only for a test environment or the local sandbox.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: SCOPES.join(' '),
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		webexBaseUrlProperty,
	];

	test = webexCredentialTest;
}
