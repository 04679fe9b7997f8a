/**
 * Figures for the README's Reliability section. The suites hand theirs over here; they are
 * written only when RELIABILITY_OUT names a folder (`npm run reliability` sets it), one JSON
 * file per suite, which scripts/reliability.ts gathers into reliability.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function reliabilityOutput(name: string, figures: unknown): void {
	const folder = process.env.RELIABILITY_OUT;
	if (!folder) return;
	mkdirSync(folder, { recursive: true });
	writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(figures, null, '\t')}\n`);
}
