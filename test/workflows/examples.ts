/**
 * The example workflows and the fixed values their runs use, without anything that starts or
 * intercepts (the environment is in kit.ts): tests that only read the files import this.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { WorkflowJson } from '../harness';

export const WORKFLOWS_DIR = path.join(__dirname, '..', '..', 'workflows');
export const N8N_BASE_URL = 'http://localhost:5678';

export const EXAMPLES = {
	webex: 'webex-monthly-reconciliation.json',
	microsoft: 'microsoft-invoice-reconciliation.json',
	cisco: 'cisco-invoice-usage-check.json',
	alerts: 'billing-failure-alerts.json',
} as const;

/** The n8n-nodes-base nodes the examples use (besides Manual Trigger, No Op and Set). */
export const BASE_NODES = [
	'n8n-nodes-base.scheduleTrigger',
	'n8n-nodes-base.errorTrigger',
	'n8n-nodes-base.httpRequest',
	'n8n-nodes-base.extractFromFile',
	'n8n-nodes-base.filter',
	'n8n-nodes-base.limit',
	'n8n-nodes-base.merge',
	'n8n-nodes-base.removeDuplicates',
	'n8n-nodes-base.if',
	'n8n-nodes-base.emailSend',
	'n8n-nodes-base.slack',
	'n8n-nodes-base.stickyNote',
];

export function readWorkflow(file: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as WorkflowJson;
}

/** The newest Microsoft invoice of the sandbox: its total differs from its line items by 25.00. */
export const MICROSOFT_INVOICE = 'G000000004';
/** The invoice before it, the newest while MICROSOFT_INVOICE is not issued yet. */
export const MICROSOFT_PREVIOUS_INVOICE = 'G000000003';

export function lastMonth(now = new Date()): string {
	return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
		.toISOString()
		.slice(0, 7);
}
