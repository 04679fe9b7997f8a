import { timeoutMinutesProperty } from '../../../shared/n8n/parameters';

export const timeoutMinutesOption = timeoutMinutesProperty(
	10,
	'How long the requests may take, retries of rate limits and server errors included',
);
