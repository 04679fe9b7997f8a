/**
 * The one rule for matching the field names a user types (Group By, Sum Fields, Line Count
 * Column, the Seat Rule's QUANTITY) with the names a file spells, CSV column or JSON attribute:
 * A–Z match a–z, every other character must be the same. ASCII on purpose: the vendors' names
 * are ASCII identifiers whose case drifts (BenefitID / BenefitId); the rule keeps a name's
 * length, so the JSON field scanner compares names in place without building strings; and
 * Unicode lower-casing is no case folding anyway (it makes the Kelvin sign a k).
 */
export function fieldNameKey(name: string): string {
	return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
