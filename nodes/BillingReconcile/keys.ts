import type { IDataObject } from 'n8n-workflow';

/** Reads one field of an item's JSON; compiled once per field, called once per row. */
export type FieldReader = (json: IDataObject) => unknown;

/**
 * A field name, or a dot path into nested JSON ("customer.id"). A key that contains the
 * dots literally wins over the path, so flat records with dotted column names (and the
 * roll-up records this node writes) still read as written. Only own properties count:
 * "constructor" is not a field of every item.
 */
export function fieldReader(name: string): FieldReader {
	if (!name.includes('.')) return (json) => ownValue(json, name);
	const path = name.split('.');
	return (json) => {
		const literal = ownValue(json, name);
		if (literal !== undefined) return literal;
		let value: unknown = json;
		for (const part of path) {
			if (typeof value !== 'object' || value === null) return undefined;
			value = ownValue(value as IDataObject, part);
		}
		return value;
	};
}

function ownValue(json: IDataObject, name: string): unknown {
	const value = json[name];
	// Inherited members (constructor, __proto__, toString) are objects or functions.
	if (
		(typeof value === 'object' || typeof value === 'function') &&
		!Object.prototype.hasOwnProperty.call(json, name)
	) {
		return undefined;
	}
	return value;
}

export interface KeyNormalisation {
	/** surrounding whitespace does not count */
	trim: boolean;
	/** "ACME" ≡ "acme" */
	caseInsensitive: boolean;
	/** "00123" ≡ "123"; a value of only zeros becomes "0" */
	ignoreLeadingZeros: boolean;
}

/** Why a record has no usable key; the node turns it into an error naming side, item and field. */
export class KeyValueError extends Error {
	constructor(
		readonly field: string,
		readonly problem: 'missing' | 'notScalar',
	) {
		super(
			problem === 'missing'
				? `has no field '${field}'`
				: `holds an object or list in '${field}', which cannot be a key`,
		);
	}
}

/**
 * Reads the join key of a record from its match fields, as one text part per field, and
 * hashes it; `parts` and `hash` hold the last key read (one builder per side and run).
 * It also tells whether a record has a given key, for the key table, which keeps no key of
 * its own.
 *
 * Numbers and text match on their text (123 ≡ "123", as when one side is CSV and the other
 * JSON), but 0, "", false and null are four different keys: booleans and null are written
 * as SOH + a tag, and text that itself starts with SOH gets a second one, so no text can
 * pass for them. Parts are compared field by field, so no separator can make two composite
 * keys alike ("a|b" + "c" vs "a" + "b|c"). Plain text is used as it is: no copy per row.
 */
export class KeyBuilder {
	readonly parts: string[];
	hash = 0;

	constructor(
		private readonly readers: FieldReader[],
		private readonly names: string[],
		private readonly normalisation: KeyNormalisation,
	) {
		this.parts = new Array<string>(readers.length).fill('');
	}

	/** Reads a record's key into parts and hash; throws KeyValueError when a match field is missing or not a scalar. */
	read(json: IDataObject): void {
		let hash = FNV_OFFSET;
		for (let index = 0; index < this.readers.length; index++) {
			const part = this.part(this.readers[index](json), index);
			this.parts[index] = part;
			for (let position = 0; position < part.length; position++) {
				hash = Math.imul(hash ^ part.charCodeAt(position), FNV_PRIME);
			}
			hash = Math.imul(hash ^ 0xffff, FNV_PRIME);
		}
		this.hash = hash;
	}

	/** Whether a record this builder has read before without error has the key `key` last read. */
	hasKey(json: IDataObject, key: KeyBuilder): boolean {
		for (let index = 0; index < this.readers.length; index++) {
			if (this.part(this.readers[index](json), index) !== key.parts[index]) return false;
		}
		return true;
	}

	private part(value: unknown, index: number): string {
		switch (typeof value) {
			case 'string': {
				const text = this.normalise(value);
				return text.charCodeAt(0) === SOH ? '\u0001' + text : text;
			}
			case 'number':
			case 'bigint':
				return this.normalise(String(value));
			case 'boolean':
				return value ? '\u0001b1' : '\u0001b0';
			case 'undefined':
				throw new KeyValueError(this.names[index], 'missing');
			default:
				if (value === null) return '\u0001n';
				throw new KeyValueError(this.names[index], 'notScalar');
		}
	}

	private normalise(text: string): string {
		const { trim, caseInsensitive, ignoreLeadingZeros } = this.normalisation;
		if (trim) text = text.trim();
		if (caseInsensitive) text = text.toLowerCase();
		if (ignoreLeadingZeros) text = withoutLeadingZeros(text);
		return text;
	}
}

const SOH = 1;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * The per-slot columns grow a chunk at a time as slots are used, so their memory follows the
 * keys seen rather than the most keys there could be, and growing copies nothing (a grown
 * array would leave its old copy behind as garbage). A chunk holds about as many slots as
 * the keys expected, from 16 to 65,536: a small reconciliation makes small chunks.
 */
const MIN_CHUNK_BITS = 4;
const MAX_CHUNK_BITS = 16;

function chunkBitsFor(expectedSlots: number): number {
	let bits = MIN_CHUNK_BITS;
	while (bits < MAX_CHUNK_BITS && 1 << bits < expectedSlots) bits++;
	return bits;
}

/**
 * One integer per slot; a slot never written reads as `empty`. Slots 0, 1, 2… written with
 * their own number, in order, take no memory until another value comes: a side's first item
 * per key is its own index while its keys are new and none repeats, so A's column of a
 * million distinct keys costs nothing instead of 4 MB.
 */
export class SlotColumn {
	private readonly chunks: Int32Array[] = [];
	private readonly bits: number;
	private readonly mask: number;
	/** slots below this hold their own number, while no chunk is made */
	private ownNumbers = 0;

	constructor(
		private readonly empty: number,
		expectedSlots = Infinity,
	) {
		this.bits = chunkBitsFor(expectedSlots);
		this.mask = (1 << this.bits) - 1;
	}

	get(slot: number): number {
		if (slot < this.ownNumbers) return slot;
		const chunk = this.chunks[slot >>> this.bits];
		return chunk === undefined ? this.empty : chunk[slot & this.mask];
	}

	set(slot: number, value: number): void {
		if (this.chunks.length === 0) {
			if (slot === this.ownNumbers && value === slot) {
				this.ownNumbers++;
				return;
			}
			const count = this.ownNumbers;
			this.ownNumbers = 0;
			for (let written = 0; written < count; written++) this.store(written, written);
		}
		this.store(slot, value);
	}

	private store(slot: number, value: number): void {
		const index = slot >>> this.bits;
		let chunk = this.chunks[index];
		if (chunk === undefined) {
			chunk = new Int32Array(this.mask + 1);
			if (this.empty !== 0) chunk.fill(this.empty);
			this.chunks[index] = chunk;
		}
		chunk[slot & this.mask] = value;
	}
}

/** What the key table asks its owner, who reads a slot's key again from the slot's first record. */
export interface SlotKeys {
	/** whether the slot holds the key the builder last read */
	hasKey(slot: number, key: KeyBuilder): boolean;
	/** the hash of the slot's key, for a table that grows */
	hashOf(slot: number): number;
}

/**
 * Gives every distinct key a slot number, 0, 1, 2… in order of first sight. An open-
 * addressing hash table sized for the keys expected and doubled when more arrive. A bucket
 * holds its slot and the high bits of the slot's hash, those the bucket's position does not
 * give: a probe whose bits match is compared with the key read again from the slot's first
 * record (the records are in memory anyway; keeping every key's parts took 16 MB for a
 * million keys of two fields, a column of full hashes 4 MB). Growing reads every slot's hash
 * again. A lookup of a text key compared as it is allocates nothing. For a million keys this
 * is several times faster than a Map of joined key strings.
 */
export class KeyTable {
	private buckets: Int32Array;
	/** the bucket bits of a hash; a bucket's entry is its slot + 1 under this mask, hash bits above it */
	private mask: number;
	size = 0;

	constructor(
		expectedKeys: number,
		private readonly slotKeys: SlotKeys,
	) {
		let bucketCount = 16;
		// At most half full: linear probing stays short.
		while (bucketCount < expectedKeys * 2) bucketCount *= 2;
		this.buckets = new Int32Array(bucketCount);
		this.mask = bucketCount - 1;
	}

	/**
	 * The slot of the key the builder last read; a new slot when the key is new, whose first
	 * record the owner keeps before the next lookup.
	 */
	slotOf(key: KeyBuilder): number {
		// Grown here, not right after adding a slot: then every slot's first record is kept.
		if (this.size * 2 > this.buckets.length) this.grow();
		const { hash } = key;
		const high = hash & ~this.mask;
		let bucket = hash & this.mask;
		let entry = this.buckets[bucket];
		for (let probes = 1; entry !== 0; probes++) {
			const slot = (entry & this.mask) - 1;
			if ((entry & ~this.mask) === high && this.slotKeys.hasKey(slot, key)) return slot;
			// Only a table that failed to grow is ever full.
			if (probes > this.mask) throw new Error('The key table is full');
			bucket = (bucket + 1) & this.mask;
			entry = this.buckets[bucket];
		}
		const slot = this.size++;
		this.buckets[bucket] = high | (slot + 1);
		return slot;
	}

	/** Twice the buckets, every slot placed again by its key's hash. */
	private grow(): void {
		const buckets = new Int32Array(this.buckets.length * 2);
		const mask = buckets.length - 1;
		for (let slot = 0; slot < this.size; slot++) {
			const hash = this.slotKeys.hashOf(slot);
			let bucket = hash & mask;
			while (buckets[bucket] !== 0) bucket = (bucket + 1) & mask;
			buckets[bucket] = (hash & ~mask) | (slot + 1);
		}
		this.buckets = buckets;
		this.mask = mask;
	}
}

/** "00123" → "123", "000" → "0", "0A7" → "A7": every leading zero but a lone last one. */
export function withoutLeadingZeros(text: string): string {
	let start = 0;
	while (start < text.length - 1 && text.charCodeAt(start) === 48 /* 0 */) start++;
	return start === 0 ? text : text.slice(start);
}
