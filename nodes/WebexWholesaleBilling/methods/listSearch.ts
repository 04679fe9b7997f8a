import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { createWebexListClient, listReportsPage, reportType, type WebexReport } from '../transport';

/**
 * The partner's reports for the Report ID picker, one Webex page per call (the Link URL of
 * the next page is the pagination token). Webex cannot search, so the filter keeps the
 * reports whose name or ID contains it, whatever the case.
 */
export async function searchReports(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = await createWebexListClient(this);
	const page = await listReportsPage(client, paginationToken ? { pageUrl: paginationToken } : {});
	const wanted = filter?.trim().toLowerCase();
	const results = page.reports
		.map((report) => ({ name: reportName(report), value: report.id }))
		.filter(
			({ name, value }) =>
				!wanted || name.toLowerCase().includes(wanted) || value.toLowerCase().includes(wanted),
		);
	return { results, paginationToken: page.nextPageUrl };
}

/** e.g. "CUSTOMER 2026-10-01 → 2026-10-31 (COMPLETED)" */
function reportName(report: WebexReport): string {
	return `${reportType(report) ?? 'REPORT'} ${report.billingStartDate} → ${report.billingEndDate} (${report.status ?? 'UNKNOWN'})`;
}
