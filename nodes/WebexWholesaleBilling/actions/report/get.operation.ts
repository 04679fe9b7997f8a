import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { createWebexClient, getReport, reportToJson } from '../../transport';
import { ParameterRules } from '../../../shared/n8n/parameters';
import { outputUrlOptions, readReportId, reportIdProperty } from './common';

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
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const includeDownloadUrl = new ParameterRules(this, itemIndex).flag(
		options.includeDownloadUrl,
		'Include Download URL',
		false,
	);
	const client = await createWebexClient(this, itemIndex);
	const report = await getReport(client, reportId);
	return [{ json: reportToJson(report, includeDownloadUrl) }];
}
