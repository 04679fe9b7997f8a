/**
 * Makes a fresh n8n instance usable as a user would: the owner account, the credentials
 * (created over REST, so n8n encrypts them itself), and workflows imported with their ids
 * kept, each node's credential pointing at the one just created for its type.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import type { WorkflowJson } from '../../harness';
import type { N8nInstallation } from './install';
import { N8nRestClient, type N8nUser } from './rest';
import { runN8nCommand, type N8nProcess } from './server';

export const OWNER: N8nUser = {
	email: 'billing-owner@example.com',
	firstName: 'Billing',
	lastName: 'Owner',
	password: 'Reconcile-2026',
};

export interface InstanceSetup {
	/** credential data by credential type: one credential of each */
	credentials: Record<string, IDataObject>;
	/** workflows to import, as exported files (ids kept; `credentials` ids are filled in here) */
	workflows: WorkflowJson[];
	owner?: N8nUser;
}

export interface Instance {
	/** logged in as the owner */
	client: N8nRestClient;
	/** the credential created for each type */
	credentials: Record<string, { id: string; name: string }>;
	/** workflow ids, in the order given */
	workflowIds: string[];
}

/**
 * Sets up the owner and logs in, creates the credentials, and imports the workflows with
 * `n8n import:workflow --separate`, which keeps their ids (an error workflow is referenced
 * by id) — run on the same user folder while the instance is up.
 */
export async function setupInstance(
	n8n: N8nProcess,
	installation: N8nInstallation,
	setup: InstanceSetup,
	env: Record<string, string> = {},
): Promise<Instance> {
	const owner = setup.owner ?? OWNER;
	const client = new N8nRestClient(n8n.url);
	await client.setupOwner(owner);
	await client.login(owner);

	const names = credentialNames(setup.workflows);
	const credentials: Instance['credentials'] = {};
	for (const [type, data] of Object.entries(setup.credentials)) {
		const { id, name } = await client.createCredential({
			name: names.get(type) ?? type,
			type,
			data,
		});
		credentials[type] = { id: String(id), name };
	}

	const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-import-'));
	try {
		setup.workflows.forEach((workflow, index) => {
			const linked = withCredentials(workflow, credentials);
			fs.writeFileSync(
				path.join(importDir, `${String(index).padStart(2, '0')}-${workflow.id}.json`),
				JSON.stringify(linked, null, 2),
			);
		});
		await runN8nCommand(
			installation,
			n8n.userFolder,
			['import:workflow', '--separate', `--input=${importDir}`],
			env,
		);
	} finally {
		fs.rmSync(importDir, { recursive: true, force: true });
	}
	const workflowIds = setup.workflows.map((workflow) => String(workflow.id));
	for (const id of workflowIds) await client.getWorkflow(id);
	return { client, credentials, workflowIds };
}

/** The name each credential type has in the workflows' nodes (what a user sees there). */
function credentialNames(workflows: WorkflowJson[]): Map<string, string> {
	const names = new Map<string, string>();
	for (const node of workflows.flatMap((workflow) => workflow.nodes)) {
		for (const [type, reference] of Object.entries(node.credentials ?? {}))
			if (reference.name && !names.has(type)) names.set(type, reference.name);
	}
	return names;
}

/** The workflow with each node's credential reference set to the credential created for its type. */
function withCredentials(
	workflow: WorkflowJson,
	credentials: Instance['credentials'],
): WorkflowJson {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => {
			if (!node.credentials) return node;
			const linked = Object.fromEntries(
				Object.entries(node.credentials).map(([type, reference]) => {
					const credential = credentials[type];
					if (!credential)
						throw new Error(
							`Workflow "${workflow.name}", node "${node.name}" needs a ${type} credential: none was given`,
						);
					return [type, { ...reference, id: credential.id, name: credential.name }];
				}),
			);
			return { ...node, credentials: linked };
		}),
	};
}
