import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import {
	loadPack,
	type ExecuteNodeOptions,
	type InputItem,
	type LoadedPackage,
	type NodeResult,
} from '../harness';

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

const ENTITIES: Record<string, string> = {
	'&amp;': '&',
	'&lt;': '<',
	'&gt;': '>',
	'&quot;': '"',
	'&#39;': "'",
	'&nbsp;': ' ',
};
const textOf = (html: string) =>
	html
		.replace(/<[^>]+>/g, '')
		.replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity])
		.trim();

/**
 * The data tables of the summary's HTML (totals, discrepancies) as rows of cell texts, as a
 * reader sees them. A discrepancy's bar reads `bar:<filled pixels>/<pixels>`.
 */
export function htmlTables(html: string): string[][][] {
	const withBars = html.replace(
		/<table role="presentation" [^>]*width="(\d+)"><tr>(.*?)<\/tr><\/table>/g,
		(_, width: string, cells: string) => {
			const filled = [...cells.matchAll(/<td width="(\d+)"[^>]*bgcolor="#cf222e"/g)].reduce(
				(sum, [, cellWidth]) => sum + Number(cellWidth),
				0,
			);
			return `bar:${filled}/${width}`;
		},
	);
	return [...withBars.matchAll(/<table cellpadding="5"[^>]*>(.*?)<\/table>/g)].map(([, table]) =>
		[...table.matchAll(/<tr>(.*?)<\/tr>/g)].map(([, row]) =>
			[...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map(([, cell]) => textOf(cell)),
		),
	);
}

/** The summary's HTML as the text a reader sees, one line per block or table row. */
export function htmlText(html: string): string {
	return textOf(html.replace(/<\/(?:tr|p|h2|h3|div)>/g, '\n').replace(/<\/t[hd]>/g, ' | ')).replace(
		/[ \t]*\n[ \t]*/g,
		'\n',
	);
}
