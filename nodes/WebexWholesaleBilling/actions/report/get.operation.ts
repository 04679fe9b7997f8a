import {
	updateDisplayOptions,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { createWebexClient, getReport, reportToJson } from '../../transport';
import { outputUrlOptions, readIncludeDownloadUrl, readReportId, reportIdProperty } from './common';

const properties: INodeProperties[] = [reportIdProperty(['get']), outputUrlOptions()];

export const description = updateDisplayOptions(
	{ show: { resource: ['report'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const reportId = readReportId(this, itemIndex);
	const rules = new ParameterRules(this, itemIndex);
	const includeDownloadUrl = readIncludeDownloadUrl(rules, rules.collection('options'));
	const client = await createWebexClient(this, itemIndex);
	const report = await getReport(client, reportId);
	return [{ json: reportToJson(report, includeDownloadUrl) }];
}
