import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { returnAllAndLimitProperties } from '../../../shared/n8n/properties';
import { createWebexClient, listReports, reportToJson } from '../../transport';
import { outputUrlOptions, readIncludeDownloadUrl } from './common';
import { readReportFilters, reportFilters } from './reportFilters';

const properties: INodeProperties[] = [
	...returnAllAndLimitProperties,
	reportFilters,
	outputUrlOptions(
		'Whether to output tempDownloadURL where the list has one. The list usually leaves it out: use Get for a fresh signed URL.',
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['getAll'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const limit = rules.limit();
	const filters = readReportFilters(rules);
	const includeDownloadUrl = readIncludeDownloadUrl(rules, rules.collection('options'));
	const client = await createWebexClient(this, itemIndex);
	const reports = await listReports(client, filters, limit);
	return reports.map((report) => ({ json: reportToJson(report, includeDownloadUrl) }));
}
