import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executePerItem } from '../../shared/n8n/router';
import * as report from './report';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executePerItem(this, { report: report.operations });
}
