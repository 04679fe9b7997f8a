import type { INodeProperties } from 'n8n-workflow';

export const timeoutMinutesOption: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 0.05, maxValue: 1440, numberPrecision: 2 },
	default: 10,
	description: 'How long the requests may take, retries of rate limits and server errors included',
};
