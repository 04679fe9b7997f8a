// Declarations for the report CSV writer (csv.js), for TypeScript tests.
import type { Readable } from 'stream';
import type { ReportParams } from './data';
export interface CsvOptions {
	seed?: number;
	userReportRows?: number;
	csvBom?: boolean;
}
export function csvField(value: string): string;
export function csvLine(fields: readonly string[]): string;
export function createCsvStream(params: ReportParams, opts?: CsvOptions & { start?: number; end?: number }): Readable;
export function csvByteLength(params: ReportParams, opts?: CsvOptions): number;
/** The whole CSV as a string (small reports only). */
export function csvText(params: ReportParams, opts?: CsvOptions): string;
