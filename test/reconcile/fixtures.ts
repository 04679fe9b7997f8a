import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { parseDecimal } from '../../nodes/shared/numbers/decimal';
import type { CompareField, FieldPair } from '../../nodes/BillingReconcile/compare';
import type { ReconcileSpec } from '../../nodes/BillingReconcile/join';
import { fieldReader } from '../../nodes/BillingReconcile/keys';
import type { FieldFormat, SummarySettings } from '../../nodes/BillingReconcile/summary';
import type { CompareKind } from '../../nodes/BillingReconcile/values';

/** The join's own inputs, built as the node builds them from its parameters (no engine). */
export const pair = (fieldA: string, fieldB = fieldA): FieldPair => ({
	fieldA,
	fieldB,
	readA: fieldReader(fieldA),
	readB: fieldReader(fieldB),
});

export const compared = (
	fieldA: string,
	compareAs: CompareKind = 'auto',
	{
		fieldB = fieldA,
		absolute = '0',
		relative = '0',
	}: { fieldB?: string; absolute?: string; relative?: string } = {},
): CompareField => ({
	...pair(fieldA, fieldB),
	compareAs,
	absoluteTolerance: parseDecimal(absolute)!,
	relativeTolerancePercent: parseDecimal(relative)!,
});

export const items = (...records: IDataObject[]): INodeExecutionData[] =>
	records.map((json) => ({ json }));

/** Match by id, compare amount, output every row, refuse duplicate keys. */
export const reconcileSpec = (overrides: Partial<ReconcileSpec> = {}): ReconcileSpec => ({
	matchFields: [pair('id')],
	compareFields: [compared('amount')],
	keptFields: [],
	aggregateA: false,
	aggregateB: false,
	normalisation: { trim: false, caseInsensitive: false, ignoreLeadingZeros: false },
	onDuplicateKeys: 'error',
	includeMatched: true,
	...overrides,
});

export const plainFormat: FieldFormat = { decimals: null, currencyCode: null, currencyField: null };

/** The summary of `spec`'s fields: sides A and B, plain numbers, en-US, a fixed time. */
export const summarySettings = (
	spec: ReconcileSpec,
	overrides: Partial<SummarySettings> = {},
): SummarySettings => ({
	title: 'October',
	maxRows: 50,
	generatedAt: '2026-11-03T06:00:00.000Z',
	matchFields: spec.matchFields,
	compareFields: spec.compareFields,
	displayFields: [],
	nameA: 'A',
	nameB: 'B',
	formats: spec.compareFields.map(() => plainFormat),
	locale: 'en-US',
	...overrides,
});
