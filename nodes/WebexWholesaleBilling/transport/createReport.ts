import { NodeApiError, type IDataObject } from 'n8n-workflow';

import {
	REPORTS_PATH,
	getReport,
	listReports,
	reportPath,
	reportType,
	waitForReport,
	webexApiRequest,
} from './index';
import type { WebexClient, WebexReport } from './index';

/** What the user asks Webex to generate. */
export interface ReportRequest {
	billingStartDate: string;
	billingEndDate: string;
	type: string;
	subPartnerOrgId?: string;
	internal?: boolean;
}

/** What to do when Webex already holds a report for the same period, type and sub-partner. */
export type IfReportExists = 'error' | 'reuse' | 'recreate';

/**
 * Asks Webex for a report. With `reuse`, Webex's duplicate refusal (409) gives the report it
 * already has, re-read unless the caller waits for it anyway; with `recreate`, the existing
 * report is deleted first.
 */
export async function createReport(
	client: WebexClient,
	request: ReportRequest,
	{
		ifExists,
		timeoutMinutes,
		willWait,
	}: { ifExists: IfReportExists; timeoutMinutes: number; willWait: boolean },
): Promise<WebexReport> {
	const body: IDataObject = {
		billingStartDate: request.billingStartDate,
		billingEndDate: request.billingEndDate,
		type: request.type,
	};
	if (request.subPartnerOrgId) body.subPartnerOrgId = request.subPartnerOrgId;
	if (request.internal !== undefined) body.internal = request.internal;

	if (ifExists === 'recreate') await deleteExisting(client, request, timeoutMinutes);
	try {
		return (await webexApiRequest<WebexReport>(client, { method: 'POST', url: REPORTS_PATH, body }))
			.body;
	} catch (error) {
		const existing =
			ifExists === 'reuse' && isConflict(error) ? await findExisting(client, request) : undefined;
		if (!existing) throw error;
		client.context.addExecutionHints({
			message: `Reused the existing ${request.type} report ${existing.id} for ${request.billingStartDate} to ${request.billingEndDate}`,
			location: 'outputPane',
		});
		return willWait ? existing : await getReport(client, existing.id);
	}
}

function isConflict(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '409';
}

/** The report Webex holds for exactly this period, type and sub-partner (list filters match exactly). */
async function findExisting(
	client: WebexClient,
	request: ReportRequest,
): Promise<WebexReport | undefined> {
	const filters: IDataObject = {
		billingStartDate: request.billingStartDate,
		billingEndDate: request.billingEndDate,
		type: request.type,
	};
	if (request.subPartnerOrgId) filters.subPartnerOrgId = request.subPartnerOrgId;
	const reports = await listReports(client, filters);
	return reports.find(
		(report) =>
			report.billingStartDate === request.billingStartDate &&
			report.billingEndDate === request.billingEndDate &&
			reportType(report) === request.type,
	);
}

/**
 * Deletes the report that would block a new one. Webex refuses to delete a report that is
 * still generating, so wait for it first; a FAILED report cannot be deleted at all, and
 * Webex's refusal says so.
 */
async function deleteExisting(
	client: WebexClient,
	request: ReportRequest,
	timeoutMinutes: number,
): Promise<void> {
	const existing = await findExisting(client, request);
	if (!existing) return;
	if (existing.status !== 'COMPLETED' && existing.status !== 'FAILED') {
		await waitForReport(client, existing.id, timeoutMinutes).catch((error: unknown) => {
			if (!(error instanceof NodeApiError)) throw error;
		});
	}
	await webexApiRequest(client, { method: 'DELETE', url: reportPath(existing.id) });
	client.context.addExecutionHints({
		message: `Deleted the existing ${request.type} report ${existing.id} before creating a new one`,
		location: 'outputPane',
	});
}
