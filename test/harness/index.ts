/**
 * Engine-level test harness: load a community package the way n8n does, run workflows
 * through n8n-core's WorkflowExecute with real credential handling and binary data.
 *
 *     const pack = await loadPack();                       // this repo's dist
 *     const { json } = await pack.executeNode({
 *       nodeType: 'webexWholesaleBilling',
 *       parameters: { resource: 'report', operation: 'getAll' },
 *       credentials: { webexWholesaleApi: { accessToken: 't', baseUrl: sandbox.url } },
 *     });
 */
export { PACK_DIR, PackageLoadError, loadPack, loadPackage } from './package-loader';
export type { LoadPackageOptions, LoadedPackage } from './package-loader';

export { TRIGGER_NODE_NAME, executeNode, runWorkflow } from './run-workflow';
export type {
	ExecuteNodeOptions,
	InputItem,
	NodeResult,
	RunWorkflowOptions,
	WorkflowExecution,
	WorkflowJson,
	WorkflowNodeJson,
	WorkflowResult,
} from './run-workflow';

export { CredentialStore, HarnessCredentialsHelper } from './credentials';
export type { CredentialEvent, CredentialEventKind, CredentialsInput } from './credentials';

export { testCredential } from './credential-test';
export { searchList } from './list-search';
export type { SearchListOptions } from './list-search';
export type { CredentialTestResult, TestCredentialOptions } from './credential-test';

export { DEFAULT_BASE_NODES, HarnessCredentialTypes, HarnessNodeTypes } from './registry';

export { binaryDataService, ensureN8nEnvironment } from './environment';
export type { BinaryDataMode } from './environment';
