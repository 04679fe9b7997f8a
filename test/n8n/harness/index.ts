/**
 * The real n8n server as a test harness (see README.md here): install a pinned release,
 * install the pack into a user folder as a community package, start n8n, drive it over its
 * REST API as the editor does.
 *
 *     const installation = await installN8n('2.40.7');
 *     const userFolder = temporaryUserFolder('regular');
 *     await installPack(userFolder, tarball);
 *     const n8n = await startN8n({ installation, userFolder });
 *     const { client } = await setupInstance(n8n, installation, { credentials, workflows });
 *     const execution = await client.waitForExecution(await client.runManually(id, 'Trigger'));
 */
export { cacheRoot, installN8n } from './install';
export type { N8nInstallation } from './install';
export { N8N_VERSIONS, testedVersions } from './versions';
export type { N8nVersion, N8nVersionName } from './versions';
export { installPack, packTarball, REPO_DIR } from './pack';
export { freePort, n8nEnvironment, runN8nCommand, startN8n, temporaryUserFolder } from './server';
export type { N8nProcess, StartN8nOptions } from './server';
export { N8nRestClient, N8nRestError } from './rest';
export type { Execution, ExecutionStatus, ExecutionSummary, N8nUser, StoredWorkflow } from './rest';
export { startQueueMode } from './queue';
export type { QueueModeInstance, StartQueueModeOptions } from './queue';
export { ensureQueueServices, startPostgres, startRedis } from './services';
export type { PostgresService, RedisService, Service } from './services';
export { OWNER, setupInstance } from './setup';
export type { Instance, InstanceSetup } from './setup';
export { startHttpsStandIn } from './https-stand-in';
export type { HttpsStandIn } from './https-stand-in';
export { selfSignedCertificate } from './certificate';
