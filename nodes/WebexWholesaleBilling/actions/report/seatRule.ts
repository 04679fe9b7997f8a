import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { daysInclusive, parseIsoDate } from '../../../shared/numbers/dates';
import { ceilDivide } from '../../../shared/numbers/decimal';
import { groupToJson } from '../../../shared/output/aggregate';
import type { Output, OutputSettings } from '../../../shared/output/modes';
import { fieldNameKey } from '../../../shared/readers/fieldNames';
import { reportType, type WebexReport } from '../../transport';

/** Download's Seat Rule: billable seats from prorated QUANTITY, in the Aggregate output. */
export const seatRuleProperty: INodeProperties = {
	displayName: 'Seat Rule',
	name: 'seatRule',
	type: 'options',
	displayOptions: {
		show: { resource: ['report'], operation: ['download'], outputMode: ['aggregate'] },
	},
	options: [
		{ name: 'None', value: 'none', description: 'Only the summed QUANTITY (user-days)' },
		{
			name: 'Ceil per Day',
			value: 'ceilPerDay',
			description:
				"Add seats = ceil(group's summed QUANTITY ÷ days in the report period, both dates counted)",
		},
	],
	default: 'none',
	description: 'How to turn prorated QUANTITY (one per user-day) into billable seats',
	hint: 'QUANTITY must be one of the Sum Fields for Ceil per Day',
};

/**
 * The Seat Rule, checked against the Sum Fields: which sum the seats are counted from, -1 for
 * no seats.
 */
export function readSeatSumIndex(
	context: IExecuteFunctions,
	itemIndex: number,
	settings: OutputSettings,
): number {
	if (settings.mode !== 'aggregate') return -1;
	const rules = new ParameterRules(context, itemIndex);
	const rule = rules.oneOf(context.getNodeParameter('seatRule', itemIndex, 'none'), 'Seat Rule', [
		['none', 'None'],
		['ceilPerDay', 'Ceil per Day'],
	]);
	if (rule === 'none') return -1;
	const quantityIndex = settings.sumFields.findIndex((field) => fieldNameKey(field) === 'quantity');
	if (quantityIndex < 0) {
		throw rules.refuse(
			'Seat Rule',
			"Ceil per Day needs QUANTITY among the 'Sum Fields'",
			settings.sumFields.join(', '),
		);
	}
	return quantityIndex;
}

/** The report's output as items; aggregate groups get their seats when seatSumIndex says so. */
export function reportItems(
	output: Output,
	report: WebexReport,
	binaryPropertyName: string,
	seatSumIndex: number,
): INodeExecutionData[] {
	if (output.mode === 'records') return output.records.map((row) => ({ json: row }));
	if (output.mode === 'file') {
		const json: IDataObject = {
			reportId: report.id,
			billingStartDate: report.billingStartDate,
			billingEndDate: report.billingEndDate,
			type: reportType(report),
			rowCount: output.rowCount,
		};
		return [{ json, binary: { [binaryPropertyName]: output.binary } }];
	}
	const start = parseIsoDate(report.billingStartDate);
	const end = parseIsoDate(report.billingEndDate);
	const days = start && end ? daysInclusive(start, end) : 0;
	return output.groups.map((group) => {
		const json = groupToJson(group, output.sumFieldNames);
		if (seatSumIndex >= 0 && days > 0)
			json.seats = ceilDivide(group.sums[seatSumIndex].value, days);
		return { json };
	});
}
