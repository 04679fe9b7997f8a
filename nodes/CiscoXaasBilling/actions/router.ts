import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../../shared/n8n/router';
import * as usage from './usage';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executePerItem(this, { usage: usage.operations });
}
