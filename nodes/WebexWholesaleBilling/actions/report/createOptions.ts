import type { INodeProperties } from 'n8n-workflow';

import type { ParameterRules } from '../../../shared/n8n/parameters';
import {
	choicesOf,
	optionsCollection,
	waitForCompletionOption,
} from '../../../shared/n8n/properties';
import { includeDownloadUrlOption, readIncludeDownloadUrl, timeoutMinutesOption } from './common';

const ifExistsOptions = [
	{
		name: 'Error',
		value: 'error',
		description: 'Fail, as Webex refuses a second report for the same period and type',
	},
	{
		name: 'Reuse',
		value: 'reuse',
		description:
			'Use the existing report: safe to run again, creates a report only once per period',
	},
	{
		name: 'Recreate',
		value: 'recreate',
		description: 'Delete the existing report (after it finishes) and create a new one',
	},
] as const;

/** Create's Options: an existing report, waiting for the new one, and what to include. */
export const createOptions: INodeProperties = optionsCollection(
	'What to do about an existing report, whether to wait for the new one, and what to include',
	[
		{
			displayName: 'If a Report Exists',
			name: 'ifExists',
			type: 'options',
			options: [...ifExistsOptions],
			default: 'error',
			description:
				'What to do when a report for the same period, type and sub-partner already exists',
		},
		includeDownloadUrlOption,
		{
			displayName: 'Include Internal Orgs',
			name: 'internal',
			type: 'boolean',
			default: false,
			description: "Whether to include the partner's internal organisations in the report",
		},
		{
			displayName: 'Sub-Partner Org ID',
			name: 'subPartnerOrgId',
			type: 'string',
			default: '',
			description: 'Create the report for this sub-partner organisation instead of your own',
		},
		timeoutMinutesOption,
		waitForCompletionOption(
			false,
			'Whether to wait until Webex has generated the report and output it with status COMPLETED. Otherwise the node outputs the new report ID at once.',
		),
	],
);

/** Create's Options, checked before any request. */
export function readCreateOptions(rules: ParameterRules) {
	const given = rules.collection('options');
	return {
		ifExists: rules.oneOf(
			given.ifExists ?? 'error',
			'If a Report Exists',
			choicesOf(ifExistsOptions),
		),
		includeDownloadUrl: readIncludeDownloadUrl(rules, given),
		// Unset: not sent, so that Webex's own default applies.
		internal:
			given.internal === undefined
				? undefined
				: rules.flag(given.internal, 'Include Internal Orgs', false),
		timeoutMinutes: rules.timeoutMinutes(given.timeoutMinutes, 60),
		waitForCompletion: rules.flag(given.waitForCompletion, 'Wait for Completion', false),
		subPartnerOrgId: rules.text(given.subPartnerOrgId, 'Sub-Partner Org ID').trim() || undefined,
	};
}
