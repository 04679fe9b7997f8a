/**
 * Small deterministic PRNG helpers for the sandbox data generator.
 * Never use Math.random in the sandbox: same seed => same data, byte for byte.
 */

// Module-level aliases: inside a vm context (jest) every global lookup such as `Math` goes
// through an interceptor and is many times slower; the hot paths below run millions of times.
const { imul, floor } = Math;

/**
 * 32-bit FNV-1a hash of the given parts (joined with a separator), finished with
 * a murmur3-style avalanche so that nearby inputs give unrelated seeds.
 * @returns unsigned 32-bit integer
 */
export function hash32(...parts: (string | number)[]): number {
	let h = 0x811c9dc5;
	const s = parts.join('\u0001');
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = imul(h, 0x01000193);
	}
	h ^= h >>> 16;
	h = imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/**
 * mulberry32: tiny, fast, good enough for test data.
 * @returns uint32 generator
 */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) | 0;
		let t = imul(a ^ (a >>> 15), 1 | a);
		t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return (t ^ (t >>> 14)) >>> 0;
	};
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** @param n uint32 */
export function hex8(n: number) {
	return HEX[(n >>> 24) & 255] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
}

export class Rng {
	nextU32: () => number;

	constructor(...seedParts: (string | number)[]) {
		this.nextU32 = mulberry32(hash32(...seedParts));
	}

	/** @returns float in [0, 1) */
	next(): number {
		return this.nextU32() / 4294967296;
	}

	/**
	 * @param min inclusive
	 * @param max inclusive
	 */
	int(min: number, max: number) {
		return min + floor(this.next() * (max - min + 1));
	}

	/** @param p probability of true */
	chance(p: number) {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[floor(this.next() * items.length)];
	}

	/** Pick an index by weights. */
	weighted(weights: readonly number[]) {
		let total = 0;
		for (const w of weights) total += w;
		let x = this.next() * total;
		for (let i = 0; i < weights.length; i++) {
			x -= weights[i];
			if (x < 0) return i;
		}
		return weights.length - 1;
	}

	/** A version-4-shaped UUID made from the stream (deterministic). */
	uuid() {
		const a = this.nextU32();
		const b = this.nextU32();
		const c = this.nextU32();
		const d = this.nextU32();
		const bh = hex8(b);
		const ch = hex8(((c & 0x3fffffff) | 0x80000000) >>> 0);
		return `${hex8(a)}-${bh.slice(0, 4)}-4${bh.slice(5, 8)}-${ch.slice(0, 4)}-${ch.slice(4, 8)}${hex8(d)}`;
	}
}
