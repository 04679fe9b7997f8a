/**
 * What every fuzzed reader must hold to: for any input it ends in a result or in its own
 * error class — never another exception — within a time limit, and memory stays bounded over
 * the whole run. Inputs tried are counted per reader for the README's Reliability section.
 *
 * fast-check prints the seed and the smallest failing input when a property fails; set
 * FUZZ_SEED to replay a run, FUZZ_RUNS_FACTOR (say 20) for a deeper run on demand.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { reliabilityOutput } from '../helpers/reliability';

/** What ended one input: a result, or the reader's own error (a refusal). */
export type Outcome = 'result' | 'refused';

export interface FuzzReport {
	reader: string;
	/** the reader's own error class; none when it answers null or false instead */
	ownError?: string;
	inputs: number;
	refused: number;
	/** the slowest single input, ms */
	slowestMs: number;
	/** resident memory growth over the run, MiB */
	rssGrowthMiB: number;
}

/** Per-input limit: a reader that takes longer on a few KiB of input is stuck, not slow. */
export const INPUT_TIME_LIMIT_MS = 2000;
/** Growth of resident memory allowed over one reader's run. */
export const RSS_GROWTH_LIMIT_MIB = 256;

export const fuzzParameters = (runs: number): fc.Parameters<unknown> => {
	const numRuns = Math.round(runs * Number(process.env.FUZZ_RUNS_FACTOR ?? 1));
	return process.env.FUZZ_SEED ? { numRuns, seed: Number(process.env.FUZZ_SEED) } : { numRuns };
};

/**
 * One reader's fuzz run: counts inputs, times each, checks what ended it, and reports the
 * figures when the test file is done.
 */
export function fuzzReader(reader: string, ownError?: string) {
	const report: FuzzReport = {
		reader,
		ownError,
		inputs: 0,
		refused: 0,
		slowestMs: 0,
		rssGrowthMiB: 0,
	};
	let rssAtStart = 0;
	beforeAll(() => {
		rssAtStart = process.memoryUsage().rss;
	});
	afterAll(() => {
		reliabilityOutput(`fuzz-${reader}`, report);
	});

	const record = (started: number, outcome: Outcome) => {
		report.inputs++;
		if (outcome === 'refused') report.refused++;
		report.slowestMs = Math.max(report.slowestMs, Date.now() - started);
	};

	return {
		report,
		/**
		 * Runs one input through `read`: resolves with the outcome when it ends in a result or
		 * in one of `ownErrors`; fails on any other exception or when it takes longer than the
		 * limit (an async reader is cut off; a synchronous one is timed after it returned).
		 */
		async outcome(
			read: () => unknown,
			ownErrors: Array<new (...args: never[]) => Error>,
		): Promise<Outcome> {
			const started = Date.now();
			let timer: NodeJS.Timeout | undefined;
			const limit = new Promise<never>((_, reject) => {
				timer = setTimeout(
					() =>
						reject(new Error(`${reader} took longer than ${INPUT_TIME_LIMIT_MS} ms on one input`)),
					INPUT_TIME_LIMIT_MS,
				);
			});
			try {
				await Promise.race([Promise.resolve().then(read), limit]);
				record(started, 'result');
				return 'result';
			} catch (error) {
				if (!ownErrors.some((errorClass) => error instanceof errorClass)) throw error;
				record(started, 'refused');
				return 'refused';
			} finally {
				clearTimeout(timer);
				expect(Date.now() - started).toBeLessThan(INPUT_TIME_LIMIT_MS);
			}
		},
		/** The run's memory growth so far, checked against the limit. */
		expectBoundedMemory(): void {
			report.rssGrowthMiB = Math.max(
				report.rssGrowthMiB,
				Math.round((process.memoryUsage().rss - rssAtStart) / 1024 / 1024),
			);
			expect(report.rssGrowthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
		},
	};
}

/** Splits bytes into chunks at the given cut points, as a network delivers them. */
export function chunked(bytes: Uint8Array, cuts: number[]): Buffer[] {
	const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
	const chunks: Buffer[] = [];
	let from = 0;
	for (const point of [...points, bytes.length]) {
		if (point > from) chunks.push(Buffer.from(bytes.subarray(from, point)));
		from = Math.max(from, point);
	}
	return chunks;
}

/** A byte-level change to a valid file: a byte replaced, removed or inserted. */
export interface Mutation {
	at: number;
	kind: 'replace' | 'delete' | 'insert';
	byte: number;
}

export const mutationArbitrary = fc.record({
	at: fc.nat(),
	kind: fc.constantFrom<Mutation['kind']>('replace', 'delete', 'insert'),
	// Bytes a format cares about most, then any byte.
	byte: fc.oneof(
		fc.constantFrom(0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0x7b, 0x7d, 0x5c, 0x00, 0x1f, 0x8b, 0x50, 0x4b),
		fc.integer({ min: 0, max: 255 }),
	),
});

export function mutate(bytes: Uint8Array, mutations: Mutation[]): Buffer {
	const result = [...bytes];
	for (const { at, kind, byte } of mutations) {
		const position = at % (result.length + 1);
		if (kind === 'insert') result.splice(position, 0, byte);
		else if (result.length === 0) continue;
		else if (kind === 'delete') result.splice(position % result.length, 1);
		else result[position % result.length] = byte;
	}
	return Buffer.from(result);
}

/** V8's gc(), to measure the memory a reader keeps alive rather than garbage not yet collected. */
function collector(): () => void {
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc') as () => void;
}

/**
 * Measures the most memory kept alive (heap and buffers, after a collection) while a reader
 * works, above what was alive before: what a streaming reader must keep flat however large
 * its input. The reader's input calls `sample` as it is read (timers would not fire while an
 * in-memory stream keeps the event loop busy).
 */
export function liveMemoryMeter(): { sample(): void; growthMiB(): number } {
	const gc = collector();
	const live = () => {
		gc();
		const { heapUsed, external } = process.memoryUsage();
		return heapUsed + external;
	};
	const start = live();
	let peak = start;
	const sample = () => void (peak = Math.max(peak, live()));
	return {
		sample,
		growthMiB() {
			sample();
			return Math.round((peak - start) / 1024 / 1024);
		},
	};
}

/**
 * A lazily generated file of `count` lines: nothing of it exists before it is read.
 * `onProgress` is called every 20,000 lines.
 */
export function generatedLines(
	count: number,
	line: (index: number) => string,
	header = '',
	onProgress?: () => void,
): Readable {
	let index = 0;
	return new Readable({
		read() {
			if (index === 0 && header) this.push(header);
			if (index > 0 && index % 20_000 === 0) onProgress?.();
			let batch = '';
			for (let end = Math.min(count, index + 2000); index < end; index++) batch += line(index);
			if (batch) this.push(batch);
			if (index >= count) this.push(null);
		},
	});
}
