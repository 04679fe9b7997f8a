/**
 * Runs workflows through n8n-core's WorkflowExecute — a manual execution started from the
 * workflow's trigger, with real execution lifecycle hooks, the real credentials path and
 * n8n's BinaryDataService — and gives tests readable access to what came out.
 */
import { randomUUID } from 'node:crypto';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	ExecutionStatus,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IPinData,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { UserError, Workflow, deepCopy } from 'n8n-workflow';

import { CredentialStore, HarnessCredentialsHelper, type CredentialsInput } from './credentials';
import { binaryDataService, ensureN8nEnvironment, type BinaryDataMode } from './environment';
import type { LoadedPackage } from './package-loader';
import type { HarnessNodeTypes } from './registry';

/** A node as it appears in workflow JSON exported from n8n (id and position optional here). */
export type WorkflowNodeJson = Pick<INode, 'name' | 'type' | 'typeVersion' | 'parameters'> &
	Partial<Omit<INode, 'name' | 'type' | 'typeVersion' | 'parameters'>>;

/** Items as tests write them: full INodeExecutionData, or just the JSON. */
export type InputItem = INodeExecutionData | IDataObject;

/** Workflow JSON as exported by n8n (Download / copy from the canvas). */
export interface WorkflowJson {
	/**
	 * The saved workflow's ID. n8n keeps deduplication data per workflow ID, so runs with the
	 * same ID share it; without one, every run is a workflow of its own.
	 */
	id?: string;
	name?: string;
	nodes: WorkflowNodeJson[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	staticData?: IDataObject | null;
	pinData?: Record<string, InputItem[]>;
}

export interface RunWorkflowOptions {
	pack: LoadedPackage;
	workflow: WorkflowJson;
	/**
	 * Credential data by credential type (or by the credential id the workflow's nodes
	 * reference). Nodes that declare a credential type present here and reference none get
	 * it attached, as when a user picks the credential after importing a workflow.
	 * Pass a CredentialStore to share refreshed tokens across runs.
	 */
	credentials?: CredentialsInput;
	/** n8n-nodes-base nodes the workflow uses besides manualTrigger, noOp and set. */
	extraNodes?: string[];
	/** Pinned output per node name, over the workflow's own pinData. */
	pinData?: Record<string, InputItem[]>;
	/** Workflow static data to start from (e.g. `staticData` of a previous result). */
	staticData?: IDataObject;
	/** Workflow timezone (settings.timezone); n8n's default otherwise. */
	timezone?: string;
	/** Binary data mode for this run; default 'filesystem'. */
	binaryDataMode?: BinaryDataMode;
	/** Cancels the execution when aborted. */
	signal?: AbortSignal;
	/** Cancels the execution after this many milliseconds. */
	abortAfterMs?: number;
	/** After a cancel, nodes get this long to stop before `done` rejects. Default 5000. */
	stopWithinMs?: number;
	/** Node to start from; default: the workflow's trigger (n8n's getStartNode). */
	startNode?: string;
	/** Execution mode; default 'manual' (a test run from the editor). */
	mode?: WorkflowExecuteMode;
}

export interface WorkflowResult {
	readonly run: IRun;
	readonly status: ExecutionStatus;
	readonly executionId: string;
	/** Node names in the order they finished. */
	readonly executedNodes: readonly string[];
	/** The credential store after the run (refreshed tokens, events). */
	readonly credentials: CredentialStore;
	/** Workflow static data after the run — feed it to the next run's `staticData`. */
	readonly staticData: IDataObject;
	/** Whether n8n ran the node (has run data for it). */
	ran(nodeName: string): boolean;
	/** Items on one output of a node (json + binary + pairedItem); default the last run. */
	outputs(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** Every output of a node, for nodes with several (IF, error output, Reconcile). */
	allOutputs(nodeName: string, runIndex?: number): INodeExecutionData[][];
	/** Just the JSON of `outputs(...)`. */
	json(nodeName: string, outputIndex?: number): IDataObject[];
	/** The node's error, or without a name the execution's error. */
	error(nodeName?: string): ExecutionError | undefined;
	/** Reads an item's binary through the BinaryDataService, whatever the storage mode. */
	binary(item: INodeExecutionData, propertyName?: string): Promise<Buffer>;
}

export interface WorkflowExecution extends PromiseLike<WorkflowResult> {
	readonly executionId: string;
	/** Settles when the execution has finished (or stopped after a cancel). */
	readonly done: Promise<WorkflowResult>;
	/** Cancels the execution like the Stop button: nodes see getExecutionCancelSignal() abort. */
	cancel(): void;
	/** Resolves when the node starts executing (rejects if the run ends before it does). */
	nodeStarted(nodeName: string): Promise<void>;
}

const LOCAL_BASE = 'http://localhost:5678';

function toItems(items: InputItem[]): INodeExecutionData[] {
	return items.map((item) =>
		typeof item.json === 'object' && item.json !== null && !Array.isArray(item.json)
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);
}

function toPinData(pinData: Record<string, InputItem[]> | undefined): IPinData {
	const result: IPinData = {};
	for (const [nodeName, items] of Object.entries(pinData ?? {})) result[nodeName] = toItems(items);
	return result;
}

/** Gives nodes the credentials of the store that their type declares and they do not reference yet. */
function attachCredentials(nodes: INode[], nodeTypes: HarnessNodeTypes, store: CredentialStore) {
	for (const node of nodes) {
		const description = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
		for (const { name } of description.credentials ?? []) {
			if (node.credentials?.[name] || !store.has(name)) continue;
			node.credentials = { ...node.credentials, [name]: { id: name, name } };
		}
	}
}

export function additionalDataFor(
	executionId: string,
	workflowId: string,
	hooks: ExecutionLifecycleHooks,
	credentialsHelper: HarnessCredentialsHelper,
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async () => {
		throw new UserError(`${what} is not available in the test harness`);
	};
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		userId: 'harness-user',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${LOCAL_BASE}/rest`,
		instanceBaseUrl: `${LOCAL_BASE}/`,
		formBaseUrl: `${LOCAL_BASE}/form`,
		formWaitingBaseUrl: `${LOCAL_BASE}/form-waiting`,
		formTestBaseUrl: `${LOCAL_BASE}/form-test`,
		webhookBaseUrl: `${LOCAL_BASE}/webhook`,
		webhookWaitingBaseUrl: `${LOCAL_BASE}/webhook-waiting`,
		webhookTestBaseUrl: `${LOCAL_BASE}/webhook-test`,
		mcpBaseUrl: `${LOCAL_BASE}/mcp`,
		mcpTestBaseUrl: `${LOCAL_BASE}/mcp-test`,
		// Node parameters come from the node itself (the editor sets this for the open node).
		currentNodeParameters: undefined,
		variables: {},
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unsupported('The task runner (Code node)'),
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		sendDataToUI: () => {},
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

function lastRun<T>(runs: T[] | undefined, runIndex?: number): T | undefined {
	if (!runs?.length) return undefined;
	return runs[runIndex ?? runs.length - 1];
}

function buildResult(
	run: IRun,
	executionId: string,
	executedNodes: string[],
	store: CredentialStore,
	workflow: Workflow,
): WorkflowResult {
	const { runData } = run.data.resultData;
	const describeMissing = (nodeName: string) => {
		const runError = run.data.resultData.error;
		return (
			`Node "${nodeName}" did not run (status ${run.status}; ran: ${Object.keys(runData).join(', ') || 'none'})` +
			(runError ? `; execution error: ${runError.message}` : '')
		);
	};
	const taskOf = (nodeName: string, runIndex?: number) => {
		const task = lastRun(runData[nodeName], runIndex);
		if (!task) throw new UserError(describeMissing(nodeName));
		return task;
	};
	const staticData = deepCopy(workflow.staticData) as IDataObject;
	delete staticData.__dataChanged;

	const result: WorkflowResult = {
		run,
		status: run.status,
		executionId,
		executedNodes,
		credentials: store,
		staticData,
		ran: (nodeName) => (runData[nodeName]?.length ?? 0) > 0,
		allOutputs: (nodeName, runIndex) =>
			(taskOf(nodeName, runIndex).data?.main ?? []).map((items) => items ?? []),
		outputs: (nodeName, outputIndex = 0, runIndex) => {
			const task = taskOf(nodeName, runIndex);
			const outputs = task.data?.main ?? [];
			if (task.error && outputs.length === 0) {
				throw new UserError(`Node "${nodeName}" failed and has no output: ${task.error.message}`);
			}
			return outputs[outputIndex] ?? [];
		},
		json: (nodeName, outputIndex = 0) => result.outputs(nodeName, outputIndex).map((i) => i.json),
		error: (nodeName) =>
			nodeName === undefined ? run.data.resultData.error : lastRun(runData[nodeName])?.error,
		binary: async (item, propertyName = 'data') => {
			const binaryData = item.binary?.[propertyName];
			if (!binaryData) {
				throw new UserError(
					`Item has no binary "${propertyName}" (it has: ${Object.keys(item.binary ?? {}).join(', ') || 'none'})`,
				);
			}
			return await binaryDataService().getAsBuffer(binaryData);
		},
	};
	return result;
}

/**
 * Runs a workflow as a manual execution. The returned handle is awaitable (the result) and
 * can cancel the run.
 *
 *     const result = await pack.runWorkflow({ workflow, credentials });
 *     expect(result.json('Download')).toHaveLength(3);
 */
export function runWorkflow(options: RunWorkflowOptions): WorkflowExecution {
	const executionId = randomUUID();
	const startWaiters = new Map<
		string,
		Array<{ resolve: () => void; reject: (e: Error) => void }>
	>();
	const started = new Set<string>();
	const finished = new Set<string>();
	let cancelRequested = false;
	let cancelExecution: (() => void) | undefined;
	let settled = false;
	let stopTimer: NodeJS.Timeout | undefined;
	let abortTimer: NodeJS.Timeout | undefined;

	let resolveDone!: (result: WorkflowResult) => void;
	let rejectDone!: (error: Error) => void;
	const done = new Promise<WorkflowResult>((resolve, reject) => {
		resolveDone = resolve;
		rejectDone = reject;
	});

	const cancel = () => {
		if (settled || cancelRequested) return;
		cancelRequested = true;
		cancelExecution?.();
		const stopWithinMs = options.stopWithinMs ?? 5000;
		stopTimer = setTimeout(() => {
			const stillRunning = [...started].filter((name) => !finished.has(name));
			finish(
				new UserError(
					`The execution did not stop within ${stopWithinMs} ms of being cancelled; still running: ${stillRunning.join(', ') || 'unknown'}. A node is ignoring this.getExecutionCancelSignal().`,
				),
				true,
			);
		}, stopWithinMs);
	};

	const onAbort = () => cancel();
	// `failed` rather than instanceof: an error from jest's sandbox realm is no `Error` here.
	const finish = (outcome: WorkflowResult | Error, failed = false) => {
		if (settled) return;
		settled = true;
		clearTimeout(stopTimer);
		clearTimeout(abortTimer);
		options.signal?.removeEventListener('abort', onAbort);
		for (const [nodeName, waiters] of startWaiters) {
			for (const waiter of waiters) {
				waiter.reject(new UserError(`The execution ended before node "${nodeName}" started`));
			}
		}
		startWaiters.clear();
		if (failed) rejectDone(outcome as Error);
		else resolveDone(outcome as WorkflowResult);
	};

	if (options.signal?.aborted) cancel();
	else options.signal?.addEventListener('abort', onAbort, { once: true });
	if (options.abortAfterMs !== undefined) abortTimer = setTimeout(cancel, options.abortAfterMs);

	const execute = async () => {
		await ensureN8nEnvironment(options.binaryDataMode ?? 'filesystem');
		const { pack, workflow: json } = options;
		const nodeTypes = pack.nodeTypes.withNodes(options.extraNodes);
		const store = CredentialStore.from(options.credentials);

		const nodes = json.nodes.map((node, index): INode => {
			const copy = deepCopy(node);
			return {
				...copy,
				id: copy.id ?? `node-${index}`,
				position: copy.position ?? [index * 220, 0],
			};
		});
		attachCredentials(nodes, nodeTypes, store);

		const workflowId = json.id ?? `harness-${randomUUID()}`;
		const settings: IWorkflowSettings = {
			executionOrder: 'v1',
			...json.settings,
			...(options.timezone ? { timezone: options.timezone } : {}),
		};
		const pinData = { ...toPinData(json.pinData), ...toPinData(options.pinData) };
		const workflow = new Workflow({
			id: workflowId,
			name: json.name ?? 'Harness workflow',
			nodes,
			connections: deepCopy(json.connections),
			active: false,
			nodeTypes,
			staticData: deepCopy(options.staticData ?? json.staticData ?? {}),
			settings,
		});

		const mode = options.mode ?? 'manual';
		const now = new Date();
		const workflowData: IWorkflowBase = {
			id: workflowId,
			name: workflow.name ?? '',
			active: false,
			isArchived: false,
			activeVersionId: null,
			createdAt: now,
			updatedAt: now,
			nodes,
			connections: json.connections,
			settings,
			pinData,
		};
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		const executedNodes: string[] = [];
		hooks.addHandler('nodeExecuteBefore', (nodeName) => {
			started.add(nodeName);
			for (const waiter of startWaiters.get(nodeName) ?? []) waiter.resolve();
			startWaiters.delete(nodeName);
		});
		hooks.addHandler('nodeExecuteAfter', (nodeName) => {
			finished.add(nodeName);
			executedNodes.push(nodeName);
		});
		// What n8n persists: on cancel this fires at once with status 'canceled' (the engine's
		// own promise settles later, once the running node has stopped, and may say 'error').
		let reportedRun: IRun | undefined;
		hooks.addHandler('workflowExecuteAfter', (run) => {
			reportedRun ??= run;
		});

		const credentialsHelper = new HarnessCredentialsHelper(pack.credentialTypes, store);
		const additionalData = additionalDataFor(executionId, workflowId, hooks, credentialsHelper);

		const startNode = options.startNode ? workflow.getNode(options.startNode) : undefined;
		if (options.startNode && !startNode) {
			throw new UserError(`startNode "${options.startNode}" is not a node of the workflow`);
		}
		const workflowExecute = new WorkflowExecute(additionalData, mode);
		const execution = workflowExecute.run({ workflow, startNode: startNode ?? undefined, pinData });
		cancelExecution = () => execution.cancel();
		if (cancelRequested) execution.cancel();
		const run = await execution;
		return buildResult(reportedRun ?? run, executionId, executedNodes, store, workflow);
	};

	execute().then(
		(result) => finish(result),
		(error: Error) => finish(error, true),
	);

	return {
		executionId,
		done,
		cancel,
		nodeStarted: async (nodeName) => {
			if (started.has(nodeName)) return;
			if (settled) throw new UserError(`The execution ended before node "${nodeName}" started`);
			await new Promise<void>((resolve, reject) => {
				const waiters = startWaiters.get(nodeName) ?? [];
				waiters.push({ resolve, reject });
				startWaiters.set(nodeName, waiters);
			});
		},
		then: (onFulfilled, onRejected) => done.then(onFulfilled, onRejected),
	};
}

export interface ExecuteNodeOptions extends Omit<
	RunWorkflowOptions,
	'workflow' | 'pinData' | 'startNode'
> {
	/** Node type: short name of the package's node ('webexWholesaleBilling') or full name. */
	nodeType: string;
	parameters?: INodeParameters;
	/** Default: the type's defaultVersion, else its latest version (what the editor picks). */
	typeVersion?: number;
	/** Default: the type's default name. */
	nodeName?: string;
	/** Items the node receives; default one empty item, as after a manual trigger. */
	inputItems?: InputItem[];
	/**
	 * Items per input, for nodes with several (Merge, Compare Datasets, Billing Reconcile):
	 * input i is fed by a node "Input <i+1>" whose output is pinned to inputs[i]. Replaces
	 * inputItems.
	 */
	inputs?: InputItem[][];
	/**
	 * The workflow's ID; default a new one per call. Runs with the same ID are runs of the same
	 * saved workflow: they share what the node remembers in n8n's deduplication store.
	 */
	workflowId?: string;
	/** Node settings as in the editor's Settings tab. */
	onError?: INode['onError'];
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
}

export interface NodeResult {
	/** Items of the node's first output. */
	readonly items: INodeExecutionData[];
	/** Just the JSON of `items`. */
	readonly json: IDataObject[];
	/** Every output (e.g. [success, error] with onError 'continueErrorOutput'). */
	readonly outputs: INodeExecutionData[][];
	/** The node's error, when it failed (with onError 'stopWorkflow'). */
	readonly error: ExecutionError | undefined;
	readonly nodeName: string;
	/** The whole run: credentials, staticData, binary(...), run data. */
	readonly result: WorkflowResult;
}

export const TRIGGER_NODE_NAME = 'Manual Trigger';

/**
 * Runs one node the common way: a manual trigger whose output is pinned to `inputItems`
 * (n8n honours pinData instead of running the trigger), connected to the node under test.
 */
export async function executeNode(options: ExecuteNodeOptions): Promise<NodeResult> {
	const {
		pack,
		nodeType,
		parameters = {},
		inputItems = [{ json: {} }],
		inputs,
		workflowId,
		...rest
	} = options;
	const type = pack.nodeType(nodeType);
	const nodeTypes = pack.nodeTypes.withNodes(options.extraNodes);
	const description = nodeTypes.getByNameAndVersion(type).description;
	const versions = Array.isArray(description.version) ? description.version : [description.version];
	const typeVersion = options.typeVersion ?? description.defaultVersion ?? Math.max(...versions);
	const nodeName = options.nodeName ?? description.defaults.name ?? description.displayName;

	const node: WorkflowNodeJson = {
		name: nodeName,
		type,
		typeVersion,
		parameters,
		...(options.onError ? { onError: options.onError } : {}),
		...(options.alwaysOutputData ? { alwaysOutputData: true } : {}),
		...(options.executeOnce ? { executeOnce: true } : {}),
		...(options.retryOnFail
			? {
					retryOnFail: true,
					maxTries: options.maxTries,
					waitBetweenTries: options.waitBetweenTries,
				}
			: {}),
	};
	const trigger: WorkflowNodeJson = {
		name: TRIGGER_NODE_NAME,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		parameters: {},
	};
	const workflow: WorkflowJson = inputs
		? { ...multiInputWorkflow(trigger, node, inputs), id: workflowId }
		: {
				id: workflowId,
				name: `Execute ${nodeName}`,
				nodes: [trigger, node],
				connections: {
					[TRIGGER_NODE_NAME]: { main: [[{ node: nodeName, type: 'main', index: 0 }]] },
				},
				pinData: { [TRIGGER_NODE_NAME]: inputItems },
			};

	const result = await runWorkflow({ ...rest, pack, workflow });
	const ran = result.ran(nodeName);
	const runError = result.error();
	if (!ran && runError) {
		throw new UserError(`Node "${nodeName}" did not run: ${runError.message}`, { cause: runError });
	}
	const outputs = ran ? result.allOutputs(nodeName) : [];
	const items = outputs[0] ?? [];
	return {
		items,
		json: items.map((item) => item.json),
		outputs,
		error: result.error(nodeName),
		nodeName,
		result,
	};
}

/** Trigger → one pinned No Op per input → input i of the node. */
function multiInputWorkflow(
	trigger: WorkflowNodeJson,
	node: WorkflowNodeJson,
	inputs: InputItem[][],
): WorkflowJson {
	const sources = inputs.map((_, index) => `Input ${index + 1}`);
	const connections: IConnections = {
		[TRIGGER_NODE_NAME]: {
			main: [sources.map((name) => ({ node: name, type: 'main' as const, index: 0 }))],
		},
	};
	sources.forEach(
		(name, index) => (connections[name] = { main: [[{ node: node.name, type: 'main', index }]] }),
	);
	return {
		name: `Execute ${node.name}`,
		nodes: [
			trigger,
			...sources.map((name, index) => ({
				name,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				parameters: {},
				position: [220, index * 200] as [number, number],
			})),
			{ ...node, position: [440, 0] },
		],
		connections,
		pinData: Object.fromEntries(sources.map((name, index) => [name, inputs[index]])),
	};
}
