import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { optionsCollection, waitForCompletionOption } from '../../../shared/n8n/properties';
import { csvFormat, readCsvOutput } from '../../../shared/output/csvOutput';
import { outputModeProperties, readOutputSettings } from '../../../shared/output/modes';
import { createWebexClient, downloadReportFile, readyReport, reportType } from '../../transport';
import { readReportId, reportIdProperty, timeoutMinutesOption } from './common';
import { readSeatSumIndex, reportItems, seatRuleProperty } from './seatRule';

const REPORT_CSV = csvFormat(
	'CUSTOMER_ORG_ID, SKU',
	'QUANTITY',
	'The CSV exactly as Webex sent it; the item also says its rowCount',
);

const properties: INodeProperties[] = [
	reportIdProperty(['download']),
	...outputModeProperties(REPORT_CSV),
	seatRuleProperty,
	optionsCollection('Whether and how long to wait for a report that is still being generated', [
		timeoutMinutesOption,
		waitForCompletionOption(
			true,
			'Whether to wait while the report is still being generated. Off: fail at once if it is not ready.',
		),
	]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['download'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const settings = readOutputSettings(this, itemIndex, REPORT_CSV);
	const seatSumIndex = readSeatSumIndex(this, itemIndex, settings);
	const rules = new ParameterRules(this, itemIndex);
	const given = rules.collection('options');
	const options = {
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
		waitForCompletion: rules.flag(given.waitForCompletion, 'Wait for Completion', true),
	};
	const client = await createWebexClient(this, itemIndex, options.timeoutMinutes);

	const { result: output, report } = await downloadReportFile(
		client,
		await readyReport(client, reportId, options),
		async (body, current) => {
			const fileName = `webex-${(reportType(current) ?? 'report').toLowerCase()}-${current.billingStartDate}-${current.billingEndDate}.csv`;
			return await readCsvOutput(this, body, settings, { fileName, mimeType: 'text/csv' });
		},
	);
	this.addExecutionHints({
		message: `Read ${output.rowCount} rows from Webex report ${reportId}`,
		location: 'outputPane',
	});
	return reportItems(output, report, settings.binaryPropertyName, seatSumIndex);
}
