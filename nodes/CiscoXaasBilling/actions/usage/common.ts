import { timeoutMinutesProperty } from '../../../shared/parameters';

export const timeoutMinutesOption = timeoutMinutesProperty(
	10,
	'How long the requests may take, retries of rate limits and server errors included',
);
