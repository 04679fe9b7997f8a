/**
 * n8n's internal REST API (/rest), as its editor uses it: the owner's login cookie, then
 * credentials, workflows, manual runs and executions. Works with n8n 1.x and 2.x.
 */
import { parse as parseFlatted } from 'flatted';

import type { IDataObject, IRunExecutionData } from 'n8n-workflow';

import type { WorkflowJson } from '../../harness';

export interface N8nUser {
	email: string;
	firstName: string;
	lastName: string;
	/** n8n wants 8+ characters with a number and a capital letter */
	password: string;
}

export interface StoredWorkflow extends WorkflowJson {
	id: string;
	versionId: string;
	active: boolean;
	staticData?: IDataObject | null;
}

export type ExecutionStatus =
	| 'new'
	| 'running'
	| 'success'
	| 'error'
	| 'canceled'
	| 'crashed'
	| 'waiting'
	| 'unknown';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: ExecutionStatus;
	startedAt: string | null;
	stoppedAt: string | null;
}

export interface Execution extends ExecutionSummary {
	/** the run: resultData.runData by node name, resultData.error, lastNodeExecuted */
	data: IRunExecutionData;
}

const FINISHED: ExecutionStatus[] = ['success', 'error', 'canceled', 'crashed'];

/** An execution as n8n stores it: the run data serialized with flatted. */
type StoredExecution = ExecutionSummary & { data: string };

function parseExecution(execution: StoredExecution): Execution {
	return {
		...execution,
		id: String(execution.id),
		workflowId: String(execution.workflowId),
		data: parseFlatted(execution.data) as IRunExecutionData,
	};
}

export class N8nRestError extends Error {
	constructor(
		readonly status: number,
		readonly method: string,
		readonly path: string,
		readonly body: string,
	) {
		super(`${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
	}
}

export class N8nRestClient {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	/**
	 * Calls /rest`path` with the login cookie; resolves with the answer's `data`. While n8n
	 * answers 503 "Database is not ready" (its database ping timed out: SQLite on a busy
	 * machine), the request has not been handled and is sent again, for up to a minute.
	 */
	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const deadline = Date.now() + 60_000;
		for (;;) {
			try {
				return await this.requestOnce<T>(method, path, body);
			} catch (error) {
				const databaseNotReady =
					error instanceof N8nRestError &&
					error.status === 503 &&
					error.body.includes('Database is not ready');
				if (!databaseNotReady || Date.now() > deadline) throw error;
				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
		}
	}

	private async requestOnce<T>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.baseUrl}/rest${path}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {}),
				// The login cookie is bound to the browser id it was issued with.
				'browser-id': 'n8n-test-harness',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new N8nRestError(response.status, method, path, text);
		const cookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
		if (cookie) this.cookie = cookie.split(';')[0];
		return (text ? (JSON.parse(text) as { data: T }).data : undefined) as T;
	}

	/** Creates the instance owner (a fresh instance has none) and keeps the login. */
	async setupOwner(owner: N8nUser): Promise<void> {
		await this.request('POST', '/owner/setup', owner);
	}

	async login({ email, password }: N8nUser): Promise<void> {
		await this.request('POST', '/login', { emailOrLdapLoginId: email, password });
	}

	async createCredential(credential: {
		name: string;
		type: string;
		data: IDataObject;
	}): Promise<{ id: string; name: string; type: string }> {
		return await this.request('POST', '/credentials', credential);
	}

	async getWorkflow(id: string): Promise<StoredWorkflow> {
		return await this.request('GET', `/workflows/${id}`);
	}

	/** Saves changes to a workflow (nodes, settings…) as the editor does, against its current version. */
	async updateWorkflow(id: string, changes: Partial<WorkflowJson>): Promise<StoredWorkflow> {
		const { versionId } = await this.getWorkflow(id);
		return await this.request('PATCH', `/workflows/${id}`, { ...changes, versionId });
	}

	/** Publishes (activates) the workflow's current version: its triggers start running it. */
	async activateWorkflow(id: string): Promise<StoredWorkflow> {
		const { versionId } = await this.getWorkflow(id);
		return await this.request('POST', `/workflows/${id}/activate`, { versionId });
	}

	async deactivateWorkflow(id: string): Promise<StoredWorkflow> {
		const { versionId } = await this.getWorkflow(id);
		return await this.request('POST', `/workflows/${id}/deactivate`, { versionId });
	}

	/**
	 * Runs the saved workflow from `triggerName` as the editor's Execute button does (a manual
	 * execution); resolves with the execution id. n8n 2.x reads the workflow from its
	 * database, 1.x from the `workflowData` the editor sends.
	 */
	async runManually(workflowId: string, triggerName: string): Promise<string> {
		const workflowData = await this.getWorkflow(workflowId);
		const answer = await this.request<{ executionId?: string; waitingForWebhook?: boolean }>(
			'POST',
			`/workflows/${workflowId}/run`,
			{
				workflowData,
				triggerToStartFrom: { name: triggerName },
			},
		);
		if (!answer?.executionId)
			throw new Error(
				`n8n started no execution of ${workflowId} from "${triggerName}": ${JSON.stringify(answer)}`,
			);
		return String(answer.executionId);
	}

	/** The execution as it is now: while it runs, or just after, its data may be incomplete (see waitForExecution). */
	async getExecution(id: string): Promise<Execution> {
		return parseExecution(await this.request<StoredExecution>('GET', `/executions/${id}`));
	}

	/** Polls until the execution has ended (success, error, canceled, crashed). */
	async waitForExecution(id: string, timeoutMs = 120_000): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await this.request<StoredExecution>('GET', `/executions/${id}`);
			// n8n 1.x can answer a finished status before it has stored the run's data: wait for both.
			if (FINISHED.includes(execution.status) && execution.data) {
				const parsed = parseExecution(execution);
				if (parsed.data?.resultData) return parsed;
			}
			if (Date.now() > deadline)
				throw new Error(`execution ${id} still ${execution.status} after ${timeoutMs / 1000} s`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/** Executions, newest first, optionally of one workflow. */
	async listExecutions(filter: { workflowId?: string } = {}): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: '100' });
		const { results } = await this.request<{ results: ExecutionSummary[] }>(
			'GET',
			`/executions?${query.toString()}`,
		);
		return results.map((execution) => ({
			...execution,
			id: String(execution.id),
			workflowId: String(execution.workflowId),
		}));
	}

	/** Waits until `count` executions of the workflow match `filter` (e.g. mode 'trigger'), then resolves with them, oldest first. */
	async waitForExecutions(
		workflowId: string,
		count: number,
		accept: (execution: ExecutionSummary) => boolean,
		timeoutMs = 180_000,
	): Promise<ExecutionSummary[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const matching = (await this.listExecutions({ workflowId })).filter(accept).reverse();
			if (
				matching.length >= count &&
				matching.slice(0, count).every((execution) => FINISHED.includes(execution.status))
			)
				return matching.slice(0, count);
			if (Date.now() > deadline) {
				throw new Error(
					`${matching.length} of ${count} executions of ${workflowId} after ${timeoutMs / 1000} s: ${JSON.stringify(matching)}`,
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}
