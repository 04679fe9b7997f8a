import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { loadPack, type ExecuteNodeOptions, type InputItem, type LoadedPackage, type NodeResult } from '../harness';

export interface ReconcileRun extends NodeResult {
	matched: IDataObject[];
	different: IDataObject[];
	onlyInA: IDataObject[];
	onlyInB: IDataObject[];
	/** the one Summary item */
	summary: INodeExecutionData;
}

export interface ReconcileContext {
	pack: LoadedPackage;
	/** Runs the Billing Reconcile node through the engine with A and B as its two inputs. */
	run: (
		parameters: IDataObject,
		inputs: { a: InputItem[]; b: InputItem[] },
		options?: Partial<Omit<ExecuteNodeOptions, 'pack' | 'nodeType' | 'parameters' | 'inputs'>>,
	) => Promise<ReconcileRun>;
}

/** Match and compare fields as the editor stores them: `{ values: [{ fieldA, fieldB, … }] }`. */
export const pairs = (...values: INodeParameters[]) => ({ values });

/** One pack per test file. */
export function useReconcile(): ReconcileContext {
	const context = {} as ReconcileContext;
	beforeAll(async () => {
		context.pack = await loadPack();
	});
	context.run = async (parameters, { a, b }, options = {}) => {
		const result = await context.pack.executeNode({
			nodeType: 'billingReconcile',
			parameters: parameters as never,
			inputs: [a, b],
			...options,
		});
		const [matched = [], different = [], onlyInA = [], onlyInB = [], summary = []] = result.outputs;
		return {
			...result,
			matched: matched.map((item) => item.json),
			different: different.map((item) => item.json),
			onlyInA: onlyInA.map((item) => item.json),
			onlyInB: onlyInB.map((item) => item.json),
			summary: summary[0],
		};
	};
	return context;
}
