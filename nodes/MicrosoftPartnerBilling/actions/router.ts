import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../../shared/n8n/router';
import * as exportResource from './export';
import * as invoiceResource from './invoice';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executePerItem(this, {
		export: exportResource.operations,
		invoice: invoiceResource.operations,
	});
}
