/**
 * Run by memory.test.ts in a process of its own, so that its resident memory is the node's:
 * downloads one usage ZIP in Aggregate mode and prints the rows read and by how much resident
 * memory grew while it did, sampled every few milliseconds.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { loadPack } from '../harness';

interface Options {
	credential: ICredentialDataDecryptedObject;
	/** a small invoice's usage URL, downloaded first: the node's code and n8n's HTTP client are loaded, as in a running n8n */
	warmUp: string;
	usageUrl: string;
}

async function main() {
	const options = JSON.parse(process.argv[2]) as Options;
	// The package alone, as the benchmarks load it: the workflow is the Cisco node, started directly.
	const pack = await loadPack({ baseNodes: false });
	const download = async (usageUrl: string) => {
		const result = await pack.runWorkflow({
			workflow: {
				nodes: [
					{
						name: 'Download',
						type: pack.nodeType('ciscoXaasBilling'),
						typeVersion: 1,
						parameters: {
							resource: 'usage',
							operation: 'download',
							usageUrl,
							outputMode: 'aggregate',
							groupBy: 'Subscription ID',
							sumFields: 'Extended Amount',
							includeHeader: 'none',
						},
					},
				],
				connections: {},
			},
			startNode: 'Download',
			credentials: { ciscoXaasBillingApi: options.credential },
		}).done;
		const error = result.error();
		if (error) throw new Error(error.message);
		return result.json('Download');
	};
	await download(options.warmUp);
	global.gc?.();
	const before = process.memoryUsage().rss;
	let peak = before;
	const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
	const json = await download(options.usageUrl);
	clearInterval(sample);
	const rows = json.reduce((sum, group) => sum + Number(group.rowCount), 0);
	console.log(
		JSON.stringify({
			rows,
			growthMiB: (Math.max(peak, process.memoryUsage().rss) - before) / 2 ** 20,
		}),
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
