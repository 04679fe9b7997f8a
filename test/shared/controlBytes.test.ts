import fc from 'fast-check';

import { isFreeOfControlBytes } from '../../nodes/shared/readers/controlBytes';

/** The definition: no byte below 0x20 but the line feed. */
const referenceFree = (bytes: Uint8Array) => bytes.every((byte) => byte >= 0x20 || byte === 0x0a);

describe('isFreeOfControlBytes', () => {
	it('finds every control byte but the line feed, at every position of a block and of the padded last block', () => {
		for (const length of [1, 15, 16, 17, 47]) {
			for (let position = 0; position < length; position++) {
				for (let byte = 0; byte < 256; byte++) {
					const bytes = Buffer.alloc(length, 'a');
					bytes[position] = byte;
					if (isFreeOfControlBytes(bytes) !== referenceFree(bytes)) {
						throw new Error(
							`byte 0x${byte.toString(16)} at ${position} of ${length}: expected ${referenceFree(bytes)}`,
						);
					}
				}
			}
		}
	});

	it('calls text of letters, line feeds and UTF-8 characters free', () => {
		expect(isFreeOfControlBytes(Buffer.from('{"Name":"Zoë 東京 😀"}\n{"a":1}\n'))).toBe(true);
		expect(isFreeOfControlBytes(Buffer.alloc(0))).toBe(true);
	});

	it('finds a control byte beyond the first 64 KiB, and in a view that starts at an odd offset', () => {
		const bytes = Buffer.alloc(200_000, 'x');
		expect(isFreeOfControlBytes(bytes)).toBe(true);
		bytes[150_001] = 0x09;
		expect(isFreeOfControlBytes(bytes)).toBe(false);
		expect(isFreeOfControlBytes(bytes.subarray(3, 150_001))).toBe(true);
		expect(isFreeOfControlBytes(bytes.subarray(3, 150_002))).toBe(false);
	});

	it('is not fooled by what an earlier, longer call left in its memory', () => {
		const withTab = Buffer.alloc(100, 'x');
		withTab[40] = 0x09;
		expect(isFreeOfControlBytes(withTab)).toBe(false);
		expect(isFreeOfControlBytes(withTab.subarray(0, 20))).toBe(true);
	});

	it('agrees with the definition on any bytes', () => {
		const bytes = fc
			.uint8Array({ maxLength: 300 })
			.map((array) => array.map((byte) => (byte % 3 === 0 ? byte % 34 : byte)));
		fc.assert(
			fc.property(bytes, (array) => isFreeOfControlBytes(array) === referenceFree(array)),
			{ numRuns: 2000 },
		);
	});

	it('answers "not known to be free" where WebAssembly is missing, so the caller searches the text', () => {
		const realm = globalThis as { WebAssembly?: unknown };
		const saved = realm.WebAssembly;
		try {
			realm.WebAssembly = undefined;
			jest.isolateModules(() => {
				type ControlBytes = typeof import('../../nodes/shared/readers/controlBytes');
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				const fresh = require('../../nodes/shared/readers/controlBytes') as ControlBytes;
				expect(fresh.isFreeOfControlBytes(Buffer.from('{"a":1}\n'))).toBe(false);
			});
		} finally {
			realm.WebAssembly = saved;
		}
	});
});
