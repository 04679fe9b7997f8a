import type { INodeProperties } from 'n8n-workflow';

import { optionsCollection } from '../shared/n8n/properties';

const TOLERANCE_HINT =
	'A value within either tolerance matches: |B − A| ≤ Absolute Tolerance, or |B − A| ÷ |A| × 100 ≤ Relative Tolerance (%)';

/** Tolerances and number formats apply to fields compared as numbers. */
const NUMBERS_ONLY = { show: { compareAs: ['auto', 'number'] } };

export const DEFAULT_REPORT_TITLE = 'Billing reconciliation';
export const DEFAULT_SUMMARY_MAX_ROWS = 50;

/** One side of a field pair, as Match, Compare and Display Fields list them. */
function sideField(side: 'A' | 'B', placeholder: string, description: string): INodeProperties {
	return {
		displayName: `${side} Field`,
		name: `field${side}`,
		type: 'string',
		default: '',
		placeholder,
		description,
		requiresDataPath: 'single',
	};
}

/** Match, Compare and Display Fields: rows of an A and a B field name, with settings per row. */
function fieldPairs(
	displayName: string,
	name: string,
	placeholder: string,
	description: string,
	values: INodeProperties[],
): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		placeholder,
		typeOptions: { multipleValues: true },
		default: {},
		description,
		options: [{ displayName: 'Values', name: 'values', values }],
	};
}

const B_LIKE_A = 'Field name in input B; leave empty when B names it like A';

/** The parameters of Billing Reconcile (the node class holds the rest of its description). */
export const properties: INodeProperties[] = [
	{
		...fieldPairs(
			'Match Fields',
			'matchFields',
			'Add Match Field',
			'The fields that identify a row; several make a composite key. Items of A and B with the same key are compared.',
			[
				sideField(
					'A',
					'e.g. customerId',
					'Field name in input A; a dot path such as customer.ID reads nested JSON',
				),
				sideField('B', 'e.g. CUSTOMER_EXTERNAL_ID', B_LIKE_A),
			],
		),
		// A new node starts with one key row to fill in.
		default: { values: [{ fieldA: '', fieldB: '' }] },
	},
	fieldPairs(
		'Compare Fields',
		'compareFields',
		'Add Compare Field',
		'Fields compared for each matched key: amounts and quantities as exact decimals with tolerances ("1,234.50", "1e3" and 1234.5 read alike), codes and names as text, dates by calendar day',
		[
			sideField('A', 'e.g. amount', 'Field name in input A; outputs and totals use this name'),
			{
				displayName: 'Absolute Tolerance',
				name: 'absoluteTolerance',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Largest |B − A| that still counts as a match, in the field’s own unit (0: exact)',
				hint: TOLERANCE_HINT,
				displayOptions: NUMBERS_ONLY,
			},
			sideField('B', 'e.g. TOTAL', B_LIKE_A),
			{
				displayName: 'Compare As',
				name: 'compareAs',
				type: 'options',
				default: 'auto',
				description: 'How the two values are compared',
				options: [
					{
						name: 'Auto',
						value: 'auto',
						description:
							'As numbers (with the tolerances) when both read as numbers, otherwise as text: "USD" matches "USD", false matches false, 12.5 differs from "N/A"',
					},
					{
						name: 'Date',
						value: 'date',
						description:
							'The same calendar day matches, whatever the spelling: 2026-11-01, 2026-11-01T00:00:00Z, 2026-11-01 08:30. The day is the one written (a time zone offset does not move it); anything else is a difference.',
					},
					{
						name: 'Number',
						value: 'number',
						description:
							'As exact decimals with the tolerances; a value that is not a number (e.g. N/A in a money column) is a difference',
					},
					{
						name: 'Text',
						value: 'text',
						description:
							'Exactly as written (numbers as their shortest text, true/false as words), after Trim Keys and Case-Insensitive Keys when those are on; "" is a value',
					},
				],
			},
			{
				displayName: 'Currency Code',
				name: 'currencyCode',
				type: 'string',
				default: '',
				placeholder: 'e.g. USD',
				description:
					'Three-letter code (ISO 4217) of the currency this field is in, shown with its amounts in the HTML report (e.g. $1,234.50). Empty: a plain number, unless Currency Field gives a code.',
				displayOptions: NUMBERS_ONLY,
			},
			{
				displayName: 'Currency Field',
				name: 'currencyField',
				type: 'string',
				default: '',
				placeholder: 'e.g. CurrencyCode',
				description:
					'Field holding each row’s currency code, read from A’s record, else from B’s; it wins over Currency Code for rows that have a code. With Sum Rows per Key, the first row’s.',
				displayOptions: NUMBERS_ONLY,
				requiresDataPath: 'single',
			},
			{
				displayName: 'Decimals in Report',
				name: 'decimals',
				type: 'options',
				default: 'auto',
				description:
					'How many decimals the HTML report shows for this field (the CSV and the items keep exact values). From the Data: the currency’s (2 for USD, more when a difference would read as 0.00), else the most any value has, at most 6.',
				displayOptions: NUMBERS_ONLY,
				options: [
					{ name: '0', value: '0' },
					{ name: '1', value: '1' },
					{ name: '2', value: '2' },
					{ name: '3', value: '3' },
					{ name: '4', value: '4' },
					{ name: '5', value: '5' },
					{ name: '6', value: '6' },
					{ name: 'From the Data', value: 'auto' },
				],
			},
			{
				displayName: 'Relative Tolerance (%)',
				name: 'relativeTolerancePercent',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Largest |B − A| as a percentage of |A| that still counts as a match (0: off). Never applies when A is 0.',
				hint: TOLERANCE_HINT,
				displayOptions: NUMBERS_ONLY,
			},
		],
	),
	{
		displayName: 'Sum A Rows per Key',
		name: 'aggregateA',
		type: 'boolean',
		default: false,
		description:
			'Whether to roll up the A items that share a key before comparing: compare fields summed exactly, with a rowCount (e.g. daily usage lines against a monthly invoice line)',
	},
	{
		displayName: 'Sum B Rows per Key',
		name: 'aggregateB',
		type: 'boolean',
		default: false,
		description:
			'Whether to roll up the B items that share a key before comparing: compare fields summed exactly, with a rowCount',
	},
	optionsCollection(
		'How keys are compared, what to do with repeated keys, and what the summary shows',
		[
			{
				displayName: 'Case-Insensitive Keys',
				name: 'caseInsensitive',
				type: 'boolean',
				default: false,
				description:
					'Whether "ACME-01" and "acme-01" are the same key (and, for fields compared as text, the same text)',
			},
			fieldPairs(
				'Display Fields',
				'displayFields',
				'Add Display Field',
				'Fields shown beside the key in the HTML report and the CSV, e.g. the customer’s name: A’s value, or B’s when A has none',
				[
					sideField(
						'A',
						'e.g. CustomerName',
						'Field name in input A; the column is named after it',
					),
					sideField(
						'B',
						'e.g. Customer Name',
						'Field name in input B, read for rows A does not have; leave empty when B names it like A',
					),
				],
			),
			{
				displayName: 'Ignore Leading Zeros in Keys',
				name: 'ignoreLeadingZeros',
				type: 'boolean',
				default: false,
				description: 'Whether "00123" and "123" are the same key (a key of only zeros stays "0")',
			},
			{
				displayName: 'Include Matched Rows',
				name: 'includeMatched',
				type: 'boolean',
				default: true,
				description:
					'Whether to output an item per matched key. Each takes about 250 bytes of memory (250 MB per million keys): turn off for large datasets when only the discrepancies matter. Matched keys still count in the summary.',
			},
			{
				displayName: 'Name of Input A',
				name: 'nameA',
				type: 'string',
				default: 'A',
				placeholder: 'e.g. Webex',
				description:
					'What the HTML report and the CSV call input A: "Only in Webex", "amount Webex"',
			},
			{
				displayName: 'Name of Input B',
				name: 'nameB',
				type: 'string',
				default: 'B',
				placeholder: 'e.g. our billing',
				description:
					'What the HTML report and the CSV call input B: "Only in our billing", "amount our billing"',
			},
			{
				displayName: 'Number Locale',
				name: 'reportLocale',
				type: 'string',
				default: 'en-US',
				placeholder: 'e.g. de-DE',
				description:
					'How the HTML report writes numbers: en-US gives 1,234.50 and $1,234.50, de-DE 1.234,50 and 1.234,50 $',
			},
			{
				displayName: 'On Duplicate Keys',
				name: 'onDuplicateKeys',
				type: 'options',
				default: 'error',
				description:
					'What to do when a key occurs more than once in one input (without Sum Rows per Key for it)',
				options: [
					{
						name: 'Aggregate',
						value: 'aggregate',
						description:
							'Roll up the rows of a repeated key: compare fields summed exactly, with a rowCount',
					},
					{
						name: 'Error',
						value: 'error',
						description: 'Stop, naming the input and the first repeated keys',
					},
					{
						name: 'Keep First',
						value: 'first',
						description:
							'Compare the first row of each key and ignore the later ones (they still count in the totals)',
					},
				],
			},
			{
				displayName: 'Report Title',
				name: 'reportTitle',
				type: 'string',
				default: DEFAULT_REPORT_TITLE,
				description: 'Heading of the summary’s HTML report',
			},
			{
				displayName: 'Summary Max Rows',
				name: 'summaryMaxRows',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_SUMMARY_MAX_ROWS,
				description:
					'How many of the largest discrepancies the summary lists; the CSV always has every one',
			},
			{
				displayName: 'Trim Keys',
				name: 'trim',
				type: 'boolean',
				default: false,
				description:
					'Whether to ignore spaces around key values (" C-1 " and "C-1" are the same key) and around values of fields compared as text',
			},
		],
	),
];
