/**
 * The pack's credentials as a user would fill them in for the sandbox: every base URL and
 * token URL pointing at it, its client ids, secrets and accounts. One place, so a credential
 * field added later reaches every spec, the fault matrix, the audits and the demo alike.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { Sandbox } from '../../sandbox';

/** The Webex access-token credential (`webexWholesaleApi`). */
export function webexCredential(sandbox: Sandbox): ICredentialDataDecryptedObject {
	return { accessToken: sandbox.webex.accessToken, baseUrl: sandbox.webex.baseUrl };
}

/** The Microsoft credential with the client-credentials grant; needs the sandbox's Graph part. */
export function microsoftCredential(sandbox: Sandbox): ICredentialDataDecryptedObject {
	const graph = sandbox.graph;
	if (!graph) throw new Error('The sandbox runs no Graph part: start it with `graph` options');
	return {
		grantType: 'clientCredentials',
		tenantId: graph.tenantId,
		clientId: graph.clientId,
		clientSecret: graph.clientSecret,
		graphBaseUrl: graph.baseUrl,
		partnerCenterBaseUrl: graph.partnerCenterBaseUrl,
		loginBaseUrl: graph.loginBaseUrl,
	};
}

/** The Cisco credential with the password grant. */
export function ciscoCredential(sandbox: Sandbox): ICredentialDataDecryptedObject {
	const { cisco } = sandbox;
	return {
		grantType: 'password',
		tokenUrl: cisco.tokenUrl,
		clientId: cisco.clientId,
		clientSecret: cisco.clientSecret,
		username: cisco.username,
		password: cisco.password,
		baseUrl: cisco.baseUrl,
		billingAddressId: String(cisco.billingAddressId),
	};
}
