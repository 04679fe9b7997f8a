import { absDecimal, formatDecimal, type DecimalValue } from '../shared/numbers/decimal';

/** The most decimals the report shows when it chooses them from the data. */
export const MAX_REPORT_DECIMALS = 6;

export const DEFAULT_REPORT_LOCALE = 'en-US';

/** An ISO 4217 currency code (three letters, any case) as upper case, or null when the value is not one. */
export function currencyCode(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const code = value.trim();
	return /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : null;
}

/** Whether Intl knows the locale (e.g. en-US, de-DE, fr-CH). */
export function isKnownLocale(locale: string): boolean {
	try {
		return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0;
	} catch {
		return false;
	}
}

/**
 * How many decimals it takes for a non-zero value not to read as zero: the position of its
 * first significant decimal digit (0.004 → 3; 12.5 → 0). Zero needs none.
 */
export function decimalsToShow(value: DecimalValue): number {
	const { units, scale } = absDecimal(value);
	if (units === 0n || scale <= 0) return 0;
	return Math.max(0, scale - units.toString().length + 1);
}

/**
 * Numbers for people, in one locale: grouped thousands, a fixed number of decimals, and a
 * currency when one is given. Values are formatted from their exact decimal text (Intl reads
 * a decimal string exactly), so no float rounding shows. One instance per report: it keeps
 * the Intl formatters it made.
 */
export class ReportNumbers {
	private readonly formatters = new Map<string, Intl.NumberFormat>();

	constructor(readonly locale: string) {}

	/**
	 * An amount with `decimals` decimals (rounded half away from zero), in `currency` when it
	 * is given; `signed` puts + before a positive value (for differences).
	 */
	amount(value: DecimalValue, decimals: number, currency: string | null, signed = false): string {
		const formatter = this.formatter(`${decimals} ${currency} ${signed}`, () => {
			const options: Intl.NumberFormatOptions = {
				minimumFractionDigits: decimals,
				maximumFractionDigits: decimals,
				signDisplay: signed ? 'exceptZero' : 'auto',
			};
			if (currency !== null) {
				options.style = 'currency';
				options.currency = currency;
			}
			return options;
		});
		return formatter.format(exact(value));
	}

	/** A count of rows: 1,234. */
	count(value: number): string {
		return this.formatter('count', () => ({ maximumFractionDigits: 0 })).format(value);
	}

	/** A percentage with its sign: one decimal from 1 % up, two significant digits below (0.05 %). */
	percent(value: DecimalValue): string {
		const small = absDecimal(value).units < 10n ** BigInt(value.scale);
		const formatter = small
			? this.formatter('small %', () => ({
					style: 'unit',
					unit: 'percent',
					maximumSignificantDigits: 2,
					signDisplay: 'exceptZero',
				}))
			: this.formatter('%', () => ({
					style: 'unit',
					unit: 'percent',
					minimumFractionDigits: 1,
					maximumFractionDigits: 1,
					signDisplay: 'exceptZero',
				}));
		return formatter.format(exact(value));
	}

	/** How many decimals a currency is written with (USD 2, JPY 0, BHD 3). */
	currencyDecimals(currency: string): number {
		return (
			this.formatter(currency, () => ({ style: 'currency', currency })).resolvedOptions()
				.maximumFractionDigits ?? 2
		);
	}

	private formatter(key: string, options: () => Intl.NumberFormatOptions): Intl.NumberFormat {
		let formatter = this.formatters.get(key);
		if (formatter === undefined) {
			formatter = new Intl.NumberFormat(this.locale, options());
			this.formatters.set(key, formatter);
		}
		return formatter;
	}
}

/** Intl reads a decimal string exactly (ES2023 Intl.NumberFormat v3; Node 20 has it, TypeScript's es2022 lib does not say so). */
const exact = (value: DecimalValue) => formatDecimal(value) as unknown as number;
