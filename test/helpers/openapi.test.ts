import * as path from 'path';
import {
	expectRequestsToConform,
	LoggedRequest,
	OpenApiRequestValidator,
	type OpenApiValidatorOptions,
	WEBEX_EXTRA_RULES,
	WEBEX_SPEC_PATH,
	webexSpecValidator,
} from './openapi';

const REPORT_ID =
	'Y2lzY29zcGFyazovL3VzL0JJTExJTkdfUkVQT1JULzViOGQ1MThhLThmMDAtNDUxYi1hNDA2LWVhZjQ5YjRhN2ZhOA';
const SUB_PARTNER_ID =
	'Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi81MmNmNTc2ZC02MGE4LTQwN2EtYjIyYy00NjdjNTE1OTE5MDg';
const AUTH = { authorization: 'Bearer test-token' };
const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' };

function createReport(
	body: unknown,
	headers: Record<string, string> = JSON_HEADERS,
): LoggedRequest {
	return { method: 'POST', path: '/wholesale/billing/reports', query: {}, headers, body };
}
function listReports(query: Record<string, string | string[]>): LoggedRequest {
	return { method: 'GET', path: '/wholesale/billing/reports', query, headers: AUTH };
}
function getReport(id = REPORT_ID): LoggedRequest {
	return { method: 'GET', path: `/wholesale/billing/reports/${id}`, query: {}, headers: AUTH };
}
function deleteReport(id = REPORT_ID): LoggedRequest {
	return { method: 'DELETE', path: `/wholesale/billing/reports/${id}`, query: {}, headers: AUTH };
}

const validBody = { billingStartDate: '2024-05-01', billingEndDate: '2024-05-31' };

/** A one-operation spec for behaviours the Webex spec does not exercise. */
function tinySpec(
	bodySchema: object,
	parameters: object[] = [],
	options?: OpenApiValidatorOptions,
): OpenApiRequestValidator {
	const operation = {
		parameters,
		requestBody: { content: { 'application/json': { schema: bodySchema } } },
		responses: { '200': { description: 'OK' } },
	};
	return OpenApiRequestValidator.fromDocument(
		{ openapi: '3.0.0', paths: { '/things': { post: operation } } },
		options,
	);
}

describe('OpenApiRequestValidator with the Webex spec', () => {
	const validator = webexSpecValidator();
	const violationsOf = (request: LoggedRequest) => validator.validate(request);

	describe('conforming requests pass', () => {
		test('create with the required dates only', () => {
			expect(violationsOf(createReport(validBody))).toEqual([]);
		});

		test('create with every documented field', () => {
			const body = { ...validBody, type: 'USER', subPartnerOrgId: SUB_PARTNER_ID, internal: true };
			expect(violationsOf(createReport(body))).toEqual([]);
		});

		test('create with a charset in the JSON content type', () => {
			const headers = { ...AUTH, 'content-type': 'application/json; charset=utf-8' };
			expect(violationsOf(createReport(validBody, headers))).toEqual([]);
		});

		test('create whose body the sandbox logged as a raw JSON string', () => {
			expect(violationsOf(createReport(JSON.stringify(validBody)))).toEqual([]);
		});

		test('get a report by id', () => {
			expect(violationsOf(getReport())).toEqual([]);
		});

		test('list without filters', () => {
			expect(violationsOf(listReports({}))).toEqual([]);
		});

		test('list with every documented filter', () => {
			const query = {
				billingStartDate: '2024-05-01',
				billingEndDate: '2024-05-31',
				type: 'CUSTOMER',
				status: 'COMPLETED',
				sortBy: 'billingEndDate',
				max: '100',
				subPartnerOrgId: SUB_PARTNER_ID,
			};
			expect(violationsOf(listReports(query))).toEqual([]);
		});

		test('delete a report by id', () => {
			expect(violationsOf(deleteReport())).toEqual([]);
		});

		test('a repeated query parameter whose schema is an array (customers status)', () => {
			const request: LoggedRequest = {
				method: 'GET',
				path: '/wholesale/customers',
				query: { status: ['provisioned', 'provisioning'] },
				headers: AUTH,
			};
			expect(violationsOf(request)).toEqual([]);
		});
	});

	describe('path and method', () => {
		test('an unknown path is reported', () => {
			const request = { ...getReport(), path: '/wholesale/billing/report' };
			expect(violationsOf(request)).toEqual([
				'unknown path "/wholesale/billing/report": it matches no path template of the spec',
			]);
		});

		test('a method the path does not allow is reported with the allowed methods', () => {
			const request = { ...getReport(), method: 'PUT' };
			expect(violationsOf(request)).toEqual([
				'method PUT is not allowed for /wholesale/billing/reports/{id} (allowed: GET, DELETE)',
			]);
		});

		test('an empty {id} is reported', () => {
			expect(violationsOf(getReport(''))).toEqual(['path parameter "id" is empty']);
		});

		test('an {id} containing "/" is reported', () => {
			expect(violationsOf(getReport(`${REPORT_ID}/extra`))).toEqual([
				expect.stringMatching(
					/^path parameter "id" of \/wholesale\/billing\/reports\/\{id\} contains "\/"/,
				),
			]);
		});

		test('an {id} containing an encoded "/" is reported', () => {
			expect(violationsOf(deleteReport('abc%2Fdef'))).toEqual([
				expect.stringMatching(/^path parameter "id" contains "\/", "\?" or "#" once decoded/),
			]);
		});

		test('a query string inside the path is reported', () => {
			const request = { ...listReports({}), path: '/wholesale/billing/reports?max=10' };
			expect(violationsOf(request)).toEqual([
				expect.stringMatching(
					/contains a query string or fragment; query parameters belong in "query"/,
				),
			]);
		});
	});

	describe('query parameters', () => {
		test('an unknown parameter is reported by name', () => {
			expect(violationsOf(listReports({ limit: '10' }))).toEqual([
				expect.stringMatching(
					/^query parameter "limit" is not defined by the spec \(known: billingStartDate, /,
				),
			]);
		});

		test.each([
			['type', 'ACCOUNT', 'PARTNER, CUSTOMER, USER'],
			['status', 'DONE', 'IN_PROGRESS, COMPLETED, FAILED'],
			['sortBy', 'created', 'id, billingStartDate, billingEndDate, status'],
		])('a value outside the enum of "%s" is reported', (name, value, allowed) => {
			expect(violationsOf(listReports({ [name]: value }))).toEqual([
				`query parameter "${name}": "${value}" is not one of the allowed values ${allowed}`,
			]);
		});

		test('a non-integer "max" is reported', () => {
			expect(violationsOf(listReports({ max: '10.5' }))).toEqual([
				'query parameter "max" must be an integer, got "10.5"',
			]);
		});

		test('a repeated parameter whose schema is not an array is reported', () => {
			expect(violationsOf(listReports({ type: ['PARTNER', 'USER'] }))).toEqual([
				'query parameter "type" is repeated (["PARTNER","USER"]) but its schema is not an array',
			]);
		});

		test('a datetime instead of a date in "billingStartDate" is reported (extra rule)', () => {
			expect(violationsOf(listReports({ billingStartDate: '2024-05-01T00:00:00Z' }))).toEqual([
				expect.stringMatching(
					/^query parameter "billingStartDate": "2024-05-01T00:00:00Z" does not match the pattern \^\\d\{4\}-\\d\{2\}-\\d\{2\}\$ \(extra rule: spec descriptions/,
				),
			]);
		});
	});

	describe('request body', () => {
		test('a missing required field is reported', () => {
			expect(violationsOf(createReport({ billingStartDate: '2024-05-01' }))).toEqual([
				'body.billingEndDate: required field missing',
			]);
		});

		test('a string instead of a boolean for "internal" is reported', () => {
			expect(violationsOf(createReport({ ...validBody, internal: 'true' }))).toEqual([
				'body.internal: expected boolean, got string ("true")',
			]);
		});

		test('an undocumented property is reported', () => {
			expect(violationsOf(createReport({ ...validBody, reportType: 'PARTNER' }))).toEqual([
				'body.reportType: unknown property, the schema declares only billingStartDate, billingEndDate, type, subPartnerOrgId, internal',
			]);
		});

		test('a "type" outside PARTNER/CUSTOMER/USER is reported (extra rule from the spec notes)', () => {
			expect(violationsOf(createReport({ ...validBody, type: 'partner' }))).toEqual([
				expect.stringMatching(
					/^body\.type: "partner" is not one of the allowed values PARTNER, CUSTOMER, USER \(extra rule: spec notes/,
				),
			]);
		});

		test('a datetime instead of a date in "billingEndDate" is reported (extra rule)', () => {
			expect(
				violationsOf(createReport({ ...validBody, billingEndDate: '2024-05-31T23:59:59.000Z' })),
			).toEqual([
				expect.stringMatching(
					/^body\.billingEndDate: "2024-05-31T23:59:59.000Z" does not match the pattern/,
				),
			]);
		});

		test('a create without any body is reported with the fields it needs', () => {
			expect(violationsOf(createReport(undefined))).toEqual([
				'request body missing: POST /wholesale/billing/reports requires the body fields billingStartDate, billingEndDate',
			]);
		});

		test('a body that is not JSON is reported', () => {
			expect(violationsOf(createReport('billingStartDate=2024-05-01'))).toEqual([
				'request body is not JSON ("billingStartDate=2024-05-01")',
			]);
		});

		test('a body sent with GET is reported', () => {
			expect(violationsOf({ ...getReport(), body: { id: REPORT_ID } })).toEqual([
				'request body sent, but GET /wholesale/billing/reports/{id} takes no request body',
			]);
		});

		test('a body sent with DELETE is reported', () => {
			expect(violationsOf({ ...deleteReport(), body: '{}' })).toEqual([
				'request body sent, but DELETE /wholesale/billing/reports/{id} takes no request body',
			]);
		});

		test('a POST body without a content type is reported', () => {
			expect(violationsOf(createReport(validBody, AUTH))).toEqual([
				'content-type header missing: POST /wholesale/billing/reports takes application/json',
			]);
		});

		test('a POST body with a non-JSON content type is reported', () => {
			const headers = { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' };
			expect(violationsOf(createReport(validBody, headers))).toEqual([
				'content-type "application/x-www-form-urlencoded" is not accepted by POST /wholesale/billing/reports (takes application/json)',
			]);
		});

		test('several violations of one request are all reported', () => {
			const violations = violationsOf(
				createReport({ billingStartDate: '2024-05-01T00:00:00Z', internal: 1 }),
			);
			expect(violations).toEqual([
				'body.billingEndDate: required field missing',
				'body.internal: expected boolean, got integer (1)',
				expect.stringMatching(/^body\.billingStartDate: .* does not match the pattern/),
			]);
		});
	});
});

describe('extra rules', () => {
	test('the spec alone has no enum for the create "type": the rule comes from WEBEX_EXTRA_RULES', () => {
		const specOnly = OpenApiRequestValidator.fromFile(WEBEX_SPEC_PATH);
		expect(specOnly.validate(createReport({ ...validBody, type: 'partner' }))).toEqual([]);
	});

	test('the Webex rules are the create "type" enum and the YYYY-MM-DD dates in body and query', () => {
		expect(WEBEX_EXTRA_RULES.map((r) => `${r.method} ${r.in} ${r.name}`)).toEqual([
			'POST body type',
			'POST body billingStartDate',
			'GET query billingStartDate',
			'POST body billingEndDate',
			'GET query billingEndDate',
		]);
	});

	test('a rule for a field the spec does not declare is refused when the validator is built', () => {
		const build = () =>
			OpenApiRequestValidator.fromFile(WEBEX_SPEC_PATH, {
				extraRules: [
					{
						path: '/wholesale/billing/reports',
						method: 'POST',
						in: 'body',
						name: 'reportType',
						enum: ['X'],
						source: 'test',
					},
				],
			});
		expect(build).toThrow('no operation of /wholesale/billing/reports declares body "reportType"');
	});
});

describe('generic schema behaviour (small inline specs)', () => {
	const request = (
		body: unknown,
		query: Record<string, string | string[]> = {},
	): LoggedRequest => ({
		method: 'POST',
		path: '/things',
		query,
		headers: { 'content-type': 'application/json' },
		body,
	});

	test('a missing required query parameter is reported', () => {
		const validator = tinySpec({ type: 'object' }, [
			{ name: 'tenant', in: 'query', required: true, schema: { type: 'string' } },
		]);
		expect(validator.validate(request({}))).toEqual([
			'query parameter "tenant" is required but missing',
		]);
	});

	test('$refs into components are followed, and nested objects and arrays are checked', () => {
		const validator = OpenApiRequestValidator.fromDocument({
			openapi: '3.0.0',
			components: {
				schemas: {
					Line: {
						type: 'object',
						required: ['sku'],
						properties: { sku: { type: 'string' }, qty: { type: 'number' } },
					},
				},
			},
			paths: {
				'/things': {
					post: {
						requestBody: {
							content: {
								'application/json': {
									schema: {
										type: 'object',
										properties: {
											lines: { type: 'array', items: { $ref: '#/components/schemas/Line' } },
										},
									},
								},
							},
						},
					},
				},
			},
		});
		expect(
			validator.validate(request({ lines: [{ sku: 'A', qty: 1.5 }, { qty: 'two' }] })),
		).toEqual([
			'body.lines[1].sku: required field missing',
			'body.lines[1].qty: expected number, got string ("two")',
		]);
	});

	test('additionalProperties: false reports unknown properties even when the option is off', () => {
		const validator = tinySpec(
			{ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
			[],
			{ reportUnknownBodyProperties: false },
		);
		expect(validator.validate(request({ a: 'x', b: 'y' }))).toEqual([
			'body.b: unknown property (the schema sets additionalProperties: false)',
		]);
	});

	test('reportUnknownBodyProperties: false accepts undocumented properties when the schema is silent', () => {
		const validator = tinySpec({ type: 'object', properties: { a: { type: 'string' } } }, [], {
			reportUnknownBodyProperties: false,
		});
		expect(validator.validate(request({ a: 'x', b: 'y' }))).toEqual([]);
	});

	test('properties declared by allOf parts are known and validated', () => {
		const validator = tinySpec({
			allOf: [
				{ type: 'object', properties: { a: { type: 'string' } } },
				{ type: 'object', properties: { b: { type: 'integer' } } },
			],
		});
		expect(validator.validate(request({ a: 'x', b: 'y', c: true }))).toEqual([
			'body.b: expected integer, got string ("y")',
			'body.c: unknown property, the schema declares only a, b',
		]);
	});
});

describe('loading the spec', () => {
	test("the Webex spec is read from the repository's own specs folder", () => {
		const repoRoot = path.resolve(__dirname, '../..');
		expect(WEBEX_SPEC_PATH).toBe(path.join(repoRoot, 'specs', 'webex-wholesale.openapi.json'));
	});

	test('a missing spec file fails with a message naming the path', () => {
		const missing = path.resolve(__dirname, 'no-such-spec.openapi.json');
		expect(() => OpenApiRequestValidator.fromFile(missing)).toThrow(
			`OpenAPI spec not found at ${missing}`,
		);
	});

	test('a document that is not OpenAPI 3 is refused', () => {
		expect(() => OpenApiRequestValidator.fromDocument({ swagger: '2.0', paths: {} })).toThrow(
			'Not an OpenAPI 3 document',
		);
	});
});

describe('expectRequestsToConform', () => {
	const validator = webexSpecValidator();

	test('passes for no requests', () => {
		expect(() => expectRequestsToConform(validator, [])).not.toThrow();
	});

	test('passes for a conforming create, get, list and delete', () => {
		const requests = [
			createReport(validBody),
			getReport(),
			listReports({ max: '10' }),
			deleteReport(),
		];
		expect(() => expectRequestsToConform(validator, requests)).not.toThrow();
	});

	test('throws one error listing every violation with its method and path', () => {
		const requests = [
			createReport(validBody),
			listReports({ max: 'ten', order: 'asc' }),
			{ ...getReport(), body: {} },
		];
		let thrown: unknown;
		try {
			expectRequestsToConform(validator, requests);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(Error);
		expect((thrown as Error).message.split('\n')).toEqual([
			'Requests do not conform to the OpenAPI spec (3 violations):',
			'  #1 GET /wholesale/billing/reports: query parameter "max" must be an integer, got "ten"',
			expect.stringMatching(
				/^ {2}#1 GET \/wholesale\/billing\/reports: query parameter "order" is not defined by the spec/,
			),
			`  #2 GET /wholesale/billing/reports/${REPORT_ID}: request body sent, but GET /wholesale/billing/reports/{id} takes no request body`,
		]);
	});

	test('skips the sandbox download and token entries, which the spec does not describe', () => {
		const requests: LoggedRequest[] = [
			{
				kind: 'token',
				method: 'POST',
				path: '/access_token',
				query: {},
				headers: {},
				body: 'grant_type=refresh_token',
			},
			{
				kind: 'download',
				method: 'GET',
				path: '/a366de9b/WHOLESALE/report.csv',
				query: { Expires: '1' },
				headers: {},
			},
			{ ...getReport(), kind: 'api' },
		];
		expect(() => expectRequestsToConform(validator, requests)).not.toThrow();
	});
});
