import type { IDataObject } from 'n8n-workflow';

import { TIMEOUT_MINUTES, timeoutMinutesProperty, type ParameterRules } from '../../../shared/parameters';
import { deadlineFromMinutes } from '../../../shared/retry';

/** Partner Center answers at once: the timeout only bounds retries and Retry-After waits. */
const DEFAULT_TIMEOUT_MINUTES = 5;

export const timeoutMinutesOption = timeoutMinutesProperty(
	DEFAULT_TIMEOUT_MINUTES,
	'How long the Partner Center calls may take, token, retries and Retry-After waits included',
);

/** The deadline of the Timeout (Minutes) option in `options`. */
export function invoiceDeadline(rules: ParameterRules, options: IDataObject): number {
	return deadlineFromMinutes(rules.number(options.timeoutMinutes, 'Timeout (Minutes)', { ...TIMEOUT_MINUTES, fallback: DEFAULT_TIMEOUT_MINUTES }));
}
