import type { INodeProperties } from 'n8n-workflow';

const TOLERANCE_HINT = 'A value within either tolerance matches: |B − A| ≤ Absolute Tolerance, or |B − A| ÷ |A| × 100 ≤ Relative Tolerance (%)';

export const DEFAULT_REPORT_TITLE = 'Billing reconciliation';
export const DEFAULT_SUMMARY_MAX_ROWS = 50;

/** An A field and the B field it is matched with, as Match Fields and Compare Fields list them. */
function fieldPair(placeholderA: string, descriptionA: string, placeholderB: string): INodeProperties[] {
	const field = (side: 'A' | 'B', placeholder: string, description: string): INodeProperties => ({
		displayName: `${side} Field`,
		name: `field${side}`,
		type: 'string',
		default: '',
		placeholder,
		description,
		requiresDataPath: 'single',
	});
	return [field('A', placeholderA, descriptionA), field('B', placeholderB, 'Field name in input B; leave empty when B names it like A')];
}

/** The parameters of Billing Reconcile (the node class holds the rest of its description). */
export const properties: INodeProperties[] = [
	{
		displayName: 'Match Fields',
		name: 'matchFields',
		type: 'fixedCollection',
		placeholder: 'Add Match Field',
		typeOptions: { multipleValues: true },
		default: { values: [{ fieldA: '', fieldB: '' }] },
		description:
			'The fields that identify a row; several make a composite key. Items of A and B with the same key are compared.',
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					...fieldPair('e.g. customerId', 'Field name in input A; a dot path such as customer.ID reads nested JSON', 'e.g. CUSTOMER_EXTERNAL_ID'),
				],
			},
		],
	},
	{
		displayName: 'Compare Fields',
		name: 'compareFields',
		type: 'fixedCollection',
		placeholder: 'Add Compare Field',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Numeric fields compared for each matched key. Numbers and numeric text ("1,234.50", "1e3") are compared as exact decimals; a value that is not a number is reported as a difference.',
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					...fieldPair('e.g. amount', 'Field name in input A; outputs and totals use this name', 'e.g. TOTAL'),
					{
						displayName: 'Absolute Tolerance',
						name: 'absoluteTolerance',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description: 'Largest |B − A| that still counts as a match, in the field’s own unit (0: exact)',
						hint: TOLERANCE_HINT,
					},
					{
						displayName: 'Relative Tolerance (%)',
						name: 'relativeTolerancePercent',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description: 'Largest |B − A| as a percentage of |A| that still counts as a match (0: off). Never applies when A is 0.',
						hint: TOLERANCE_HINT,
					},
				],
			},
		],
	},
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
		description: 'Whether to roll up the B items that share a key before comparing: compare fields summed exactly, with a rowCount',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'How keys are compared, what to do with repeated keys, and what the summary shows',
		options: [
			{
				displayName: 'Case-Insensitive Keys',
				name: 'caseInsensitive',
				type: 'boolean',
				default: false,
				description: 'Whether "ACME-01" and "acme-01" are the same key',
			},
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
					'Whether to output an item per matched key. Turn off for large datasets when only the discrepancies matter: matched keys still count in the summary.',
			},
			{
				displayName: 'On Duplicate Keys',
				name: 'onDuplicateKeys',
				type: 'options',
				default: 'error',
				description: 'What to do when a key occurs more than once in one input (without Sum Rows per Key for it)',
				options: [
					{
						name: 'Aggregate',
						value: 'aggregate',
						description: 'Roll up the rows of a repeated key: compare fields summed exactly, with a rowCount',
					},
					{
						name: 'Error',
						value: 'error',
						description: 'Stop, naming the input and the first repeated keys',
					},
					{
						name: 'Keep First',
						value: 'first',
						description: 'Compare the first row of each key and ignore the later ones (they still count in the totals)',
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
				description: 'How many of the largest discrepancies the summary lists; the CSV always has every one',
			},
			{
				displayName: 'Trim Keys',
				name: 'trim',
				type: 'boolean',
				default: false,
				description: 'Whether to ignore spaces around key values (" C-1 " and "C-1" are the same key)',
			},
		],
	},
];
