import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { ParameterRules } from '../../../shared/n8n/parameters';
import { csvFormat, readCsvOutput } from '../../../shared/output/csvOutput';
import {
	outputModeProperties,
	outputRecords,
	readOutputSettings,
} from '../../../shared/output/modes';
import { createCiscoClient } from '../../transport';
import { checkLineCount, downloadUsageZip } from '../../transport/usageZip';
import {
	downloadOptions,
	invoiceHeaderProperty,
	readDownloadOptions,
	readInvoiceHeader,
	readUsageUrl,
	usageUrlProperty,
} from './downloadParameters';

const displayOptions = { show: { resource: ['usage'], operation: ['download'] } };

const USAGE_CSV = csvFormat(
	'Subscription ID',
	'Extended Amount',
	'The Consolidated Usage CSV exactly as Cisco sent it; the item also says its rowCount',
);

const properties: INodeProperties[] = [
	usageUrlProperty,
	...outputModeProperties(USAGE_CSV),
	invoiceHeaderProperty,
	downloadOptions,
];

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const rules = new ParameterRules(this, itemIndex);
	const usageUrl = readUsageUrl(this, rules, itemIndex);
	const settings = readOutputSettings(this, itemIndex, USAGE_CSV);
	const includeHeader = readInvoiceHeader(rules, this.getNodeParameter('includeHeader', itemIndex));
	const options = readDownloadOptions(rules);

	const item = this.getInputData()[itemIndex]?.json ?? {};
	const invoiceNumber =
		typeof item.invoiceNumber === 'string' || typeof item.invoiceNumber === 'number'
			? String(item.invoiceNumber)
			: undefined;
	const what = invoiceNumber ? `the usage ZIP of invoice ${invoiceNumber}` : 'the usage ZIP';
	const expiresAt = typeof item.expiresAt === 'string' ? item.expiresAt : undefined;
	const client = await createCiscoClient(this, itemIndex, options.timeoutMinutes);
	const usageZip = await downloadUsageZip(
		client,
		{ usageUrl, what, expiresAt },
		{
			authorizedFileHosts: options.authorizedFileHosts,
			maxBytes: options.maxZipMb * 1024 * 1024,
			layout: options,
			readUsage: async (content, { fileName, delimiter }) =>
				await readCsvOutput(
					this,
					content,
					settings,
					{ fileName, mimeType: 'text/csv' },
					{ delimiter },
				),
		},
	);
	const output = usageZip.usage;
	checkLineCount(usageZip, output.rowCount, options.lineCountColumn, what);
	this.addExecutionHints({
		message: `Read ${output.rowCount} usage lines from ${what}`,
		location: 'outputPane',
	});

	const { header } = usageZip;
	if (output.mode === 'file') {
		const json: IDataObject = {
			invoiceNumber: invoiceNumber ?? null,
			fileName: usageZip.usageFileName,
			rowCount: output.rowCount,
		};
		if (includeHeader !== 'none') json.invoiceHeader = header;
		return [{ json, binary: { [settings.binaryPropertyName]: output.binary } }];
	}
	const items = outputRecords(output).map((record) => ({
		json: includeHeader === 'merge' ? { ...header, ...record } : record,
	}));
	return includeHeader === 'separate' ? [{ json: { invoiceHeader: header } }, ...items] : items;
}
