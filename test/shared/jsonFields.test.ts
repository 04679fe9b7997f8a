import fc from 'fast-check';

import { fieldNameKey } from '../../nodes/shared/readers/fieldNames';
import { JsonFieldScanner, JsonValueKind } from '../../nodes/shared/readers/jsonFields';

/** What the scanner must agree with: JSON.parse, then the last key that is equal ignoring ASCII case. */
function referenceFields(text: string, names: string[]): unknown[] | null {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return null;
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
	// The generated objects have unique, non-numeric keys, so Object.keys is the text's order.
	const keysInOrder = Object.keys(parsed);
	return names.map((name) => {
		const matching = keysInOrder.filter((key) => fieldNameKey(key) === fieldNameKey(name));
		return matching.length
			? (parsed as Record<string, unknown>)[matching[matching.length - 1]]
			: undefined;
	});
}

function scannedFields(text: string, names: string[]): unknown[] | null {
	const scanner = new JsonFieldScanner(names);
	if (!scanner.read(text)) return null;
	return names.map((_, field) => scanner.value(field));
}

const NAMES = ['CustomerId', 'Total', 'tags'];
const fieldName = fc.constantFrom(
	'CustomerId',
	'customerid',
	'CUSTOMERID',
	'Total',
	'total',
	'Tags',
	'other',
	'Customer\u0130d',
	'T\u00f6tal',
);
const jsonObject = fc.dictionary(fieldName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

describe('JsonFieldScanner', () => {
	it('reads the wanted fields of any JSON object exactly as JSON.parse does', () => {
		fc.assert(
			fc.property(jsonObject, fc.constantFrom(0, 1, 2), (object, indent) => {
				const text = JSON.stringify(
					object,
					null,
					indent === 2 ? '  ' : indent === 1 ? ' ' : undefined,
				).replace(/\n\s*/g, ' ');
				expect(scannedFields(text, NAMES)).toEqual(referenceFields(text, NAMES));
			}),
			{ numRuns: 2000 },
		);
	});

	it('never accepts a line that JSON.parse refuses, and agrees with it on every line it accepts', () => {
		const mutated = fc
			.tuple(
				jsonObject,
				fc.nat(),
				fc.constantFrom(
					'',
					'"',
					'\\',
					',',
					'}',
					'{',
					':',
					'\u0001',
					'\t',
					'x',
					'1',
					'-',
					'.',
					'e',
					' ',
					'nul',
					'\\u12',
				),
				fc.nat(3),
			)
			.map(([object, position, insert, removeCount]) => {
				const text = JSON.stringify(object);
				const at = position % (text.length + 1);
				return text.slice(0, at) + insert + text.slice(at + removeCount);
			});
		fc.assert(
			fc.property(mutated, (text) => {
				const scanned = scannedFields(text, NAMES);
				if (scanned !== null) expect(scanned).toEqual(referenceFields(text, NAMES));
			}),
			{ numRuns: 5000 },
		);
	});

	it('reads a line in place inside a larger text', () => {
		const text = '{"Total":1}\n{"CustomerId":"c-1","Total":12.5}\n{"Total":3}';
		const scanner = new JsonFieldScanner(['CustomerId', 'Total']);
		const start = text.indexOf('\n') + 1;
		const end = text.indexOf('\n', start);
		expect(scanner.read(text, start, end)).toBe(true);
		expect([scanner.value(0), scanner.raw(1)]).toEqual(['c-1', '12.5']);
	});

	it('refuses a line that ends inside a string, even when the next line would close it', () => {
		const text = '{"CustomerId":"c-1\n"}';
		expect(new JsonFieldScanner(['CustomerId']).read(text, 0, text.indexOf('\n'))).toBe(false);
	});

	it('accepts a line ending in a carriage return (CRLF files)', () => {
		expect(scannedFields('{"Total":2}\r', ['Total'])).toEqual([2]);
	});

	it('searches a text for control characters unless told it holds none', () => {
		const text = '{"Total":1}\n{"Total":"a\u0001b"}';
		const scanner = new JsonFieldScanner(['Total']);
		const second = text.indexOf('\n') + 1;
		expect(scanner.read(text, 0, second - 1, true)).toBe(true);
		expect(scanner.read(text, second, text.length)).toBe(false);
	});

	it('leaves a line with a tab between tokens to JSON.parse', () => {
		expect(scannedFields('{"Total":\t2}', ['Total'])).toBeNull();
	});

	it('tells plain strings, escaped strings, numbers, literals and structures apart', () => {
		const scanner = new JsonFieldScanner(['a', 'b', 'c', 'd', 'e', 'f']);
		expect(scanner.read('{"a":"x","b":"\\"q\\"","c":-1.5e3,"d":null,"e":[1,{"x":2}]}')).toBe(true);
		expect(scanner.kinds).toEqual([
			JsonValueKind.PlainString,
			JsonValueKind.EscapedString,
			JsonValueKind.Number,
			JsonValueKind.Literal,
			JsonValueKind.Structure,
			JsonValueKind.Missing,
		]);
		expect([scanner.value(1), scanner.raw(2), scanner.value(4)]).toEqual([
			'"q"',
			'-1.5e3',
			[1, { x: 2 }],
		]);
	});

	it('takes the last of two keys that differ only in case, as JSON.parse takes the last duplicate', () => {
		expect(scannedFields('{"Total":1,"total":2,"Total":3}', ['TOTAL'])).toEqual([3]);
	});

	it('remembers how the data spells each field', () => {
		const scanner = new JsonFieldScanner(['benefitid']);
		scanner.read('{"BenefitID":"b-1"}');
		scanner.read('{"BenefitId":"b-2"}');
		expect([scanner.spellings[0], scanner.value(0)]).toEqual(['BenefitID', 'b-2']);
	});
});
