import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const DELEGATED_SCOPE = 'https://graph.microsoft.com/PartnerBilling.Read.All offline_access';

export class MicrosoftPartnerBillingOAuth2Api implements ICredentialType {
	name = 'microsoftPartnerBillingOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Microsoft Partner Billing OAuth2 API';

	icon: Icon = { light: 'file:icons/microsoft.svg', dark: 'file:icons/microsoft.dark.svg' };

	documentationUrl =
		'https://learn.microsoft.com/en-us/partner-center/developer/billed-and-unbilled-daily-rated-usage-reconciliation-v2';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{
					name: 'Client Credentials (App-Only)',
					value: 'clientCredentials',
					description:
						'An app registration in the partner tenant with the PartnerBilling.Read.All application permission',
				},
				{
					name: 'Authorization Code (Delegated)',
					value: 'authorizationCode',
					description:
						'Sign in as a partner-tenant user; the app needs the PartnerBilling.Read.All delegated permission',
				},
			],
			default: 'clientCredentials',
		},
		{
			displayName: 'Tenant ID',
			name: 'tenantId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '00000000-0000-0000-0000-000000000000',
			description:
				'The partner (CSP) tenant ID or its primary domain. Partner billing data lives only in the partner tenant.',
		},
		{
			displayName:
				"Test checks Microsoft Graph only. n8n tests this credential with one request and one token, Graph's; Partner Center (the Invoice resource) takes a token of its own, which the node asks for at its first run and whose refusal it explains.",
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Graph Base URL',
			name: 'graphBaseUrl',
			type: 'string',
			default: 'https://graph.microsoft.com/v1.0',
			description:
				'Change it only for the local sandbox. Partner billing exports exist in the global cloud only.',
		},
		{
			displayName: 'Partner Center Base URL',
			name: 'partnerCenterBaseUrl',
			type: 'string',
			default: 'https://api.partnercenter.microsoft.com/v1',
			description:
				'Partner Center REST API, for the Invoice resource. The node asks for its token itself, from this app registration. Change it only for the local sandbox.',
		},
		{
			displayName: 'Login Base URL',
			name: 'loginBaseUrl',
			type: 'string',
			default: 'https://login.microsoftonline.com',
			description: 'Microsoft identity platform host. Change it only for the local sandbox.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{$self["loginBaseUrl"].replace(/\\/+$/, "")}}/{{$self["tenantId"]}}/oauth2/v2.0/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{$self["loginBaseUrl"].replace(/\\/+$/, "")}}/{{$self["tenantId"]}}/oauth2/v2.0/token',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: `={{$self["grantType"] === "authorizationCode" ? "${DELEGATED_SCOPE}" : "${GRAPH_DEFAULT_SCOPE}"}}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'prompt=consent',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	// Reads the partner billing entity: needs a token for the tenant with PartnerBilling.Read.All.
	// [unconfirmed] that Graph serves this read; PowerShell's Get-MgReportPartnerBilling calls it.
	// Graph only: n8n tests an OAuth2 credential with this one request and n8n's one token (the
	// Graph one), and never calls a node's test function for an OAuth2 type; Partner Center
	// takes only a token of its own. The messages name Graph so that nobody reads them as both.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.graphBaseUrl.replace(/\\/+$/, "")}}',
			url: '/reports/partners/billing',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Microsoft Graph refused the token (401): check the Tenant ID (the partner tenant) and that the client secret has not expired. Partner Center is not part of this test: the first Invoice run checks it.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Microsoft Graph: the app may not read partner billing (403). Grant it PartnerBilling.Read.All (application, or delegated for the authorization-code grant) with admin consent. Partner Center is not part of this test: the first Invoice run checks it.',
				},
			},
		],
	};
}
