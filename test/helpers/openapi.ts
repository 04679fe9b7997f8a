/**
 * Validates the HTTP requests that the sandbox logs against an OpenAPI 3 document.
 *
 * The Webex node's tests use it to make sure that every request the node sends matches
 * Cisco's official spec (`specs/webex-wholesale.openapi.json` in this repository). This is a small validator written for that job. It covers the parts of
 * OpenAPI 3.0 that the spec uses: path templates, operations, parameters (`$ref`s included),
 * request bodies, and the schema keywords type, enum, required, properties,
 * additionalProperties, items, $ref, allOf, oneOf, anyOf, nullable, pattern, minLength,
 * maxLength, minimum and maximum. It is not a general OpenAPI validator.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One request as the sandbox logs it. Extra fields such as `vendor` are ignored. */
export interface LoggedRequest {
	method: string;
	/** Path relative to the API base, without the query string, e.g. `/wholesale/billing/reports/Y2l...`. */
	path: string;
	query: Record<string, string | string[]>;
	/** Header names in lower case. */
	headers: Record<string, string>;
	/** Parsed JSON, a raw string, or undefined when no body was sent. */
	body?: unknown;
	/**
	 * The sandbox's `kind`. `expectRequestsToConform` checks only `api` requests (and requests
	 * without a kind); `download` and `token` requests go to other hosts that the spec does not describe.
	 */
	kind?: string;
}

/**
 * A rule the spec states only in prose (in a description or in the spec notes) and not in
 * its JSON schemas. The rule adds to the schema checks and never replaces them.
 */
export interface ExtraRule {
	/** Path template exactly as the spec spells it, e.g. `/wholesale/billing/reports`. */
	path: string;
	/** Limits the rule to one method. Without it, the rule applies to every operation of the path that declares the target. */
	method?: string;
	/** `query`: a query parameter. `body`: a property of the JSON request body. */
	in: 'query' | 'body';
	/** The query parameter name, or the body property (use dots for nested properties: `a.b`). */
	name: string;
	/** Allowed values. */
	enum?: ReadonlyArray<string | number | boolean>;
	/** Regular expression (source text) that string values must match. */
	pattern?: string;
	/** Where the rule comes from. It is quoted in violation messages. */
	source: string;
}

export interface OpenApiValidatorOptions {
	extraRules?: ExtraRule[];
	/**
	 * Reports body properties that the schema does not declare, even when the schema does not set
	 * `additionalProperties: false`. Cisco's schemas never set it, and the node must send only
	 * documented fields. Default: true. Schemas that set `additionalProperties` to `true` or to a
	 * schema always allow extra properties.
	 */
	reportUnknownBodyProperties?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Schema = JsonObject;

interface Parameter {
	name: string;
	in: string;
	required: boolean;
	schema: Schema;
}

interface Operation {
	method: string;
	template: string;
	parameters: Parameter[];
	requestBody?: { required: boolean; content: Record<string, Schema | undefined> };
}

interface PathEntry {
	template: string;
	/** Matches the path when every template parameter is one segment (which may be empty). */
	strict: RegExp;
	/** Matches the path when a template parameter spans several segments. Used to explain a `/` in a parameter. */
	loose: RegExp;
	paramNames: string[];
	literalLength: number;
	operations: Map<string, Operation>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const MAX_SCHEMA_DEPTH = 64;

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
	if (value === undefined) return 'undefined';
	const text = JSON.stringify(value);
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isJsonMediaType(mediaType: string): boolean {
	const base = mediaType.split(';')[0].trim().toLowerCase();
	return base === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(base);
}

export class OpenApiRequestValidator {
	private readonly paths: PathEntry[];
	private readonly extraRules: ExtraRule[];
	private readonly reportUnknownBodyProperties: boolean;

	private constructor(
		private readonly document: JsonObject,
		options: OpenApiValidatorOptions,
	) {
		if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
			throw new Error(`Not an OpenAPI 3 document (openapi: ${show(document.openapi)})`);
		}
		if (!isObject(document.paths)) throw new Error('OpenAPI document has no "paths" object');
		this.reportUnknownBodyProperties = options.reportUnknownBodyProperties ?? true;
		this.paths = Object.entries(document.paths).map(([template, item]) =>
			this.compilePath(template, item),
		);
		this.extraRules = options.extraRules ?? [];
		for (const rule of this.extraRules) this.checkExtraRule(rule);
	}

	/** Reads an OpenAPI 3 JSON file. Throws a clear error when the file is missing or is not JSON. */
	static fromFile(
		specPath: string,
		options: OpenApiValidatorOptions = {},
	): OpenApiRequestValidator {
		const absolute = path.resolve(specPath);
		if (!fs.existsSync(absolute)) {
			throw new Error(
				`OpenAPI spec not found at ${absolute}. The tests expect Cisco's spec in the repository's ` +
					`specs/ folder.`,
			);
		}
		let document: unknown;
		try {
			document = JSON.parse(fs.readFileSync(absolute, 'utf8'));
		} catch (error) {
			throw new Error(`OpenAPI spec at ${absolute} is not valid JSON: ${(error as Error).message}`);
		}
		if (!isObject(document)) throw new Error(`OpenAPI spec at ${absolute} is not a JSON object`);
		return new OpenApiRequestValidator(document, options);
	}

	/** Builds a validator from an OpenAPI 3 document that is already parsed. */
	static fromDocument(
		document: object,
		options: OpenApiValidatorOptions = {},
	): OpenApiRequestValidator {
		if (!isObject(document)) throw new Error('OpenAPI document must be a JSON object');
		return new OpenApiRequestValidator(document, options);
	}

	/** Returns one readable message for each violation. The list is empty when the request conforms. */
	validate(request: LoggedRequest): string[] {
		const violations: string[] = [];
		const method = String(request.method ?? '').toLowerCase();

		if (request.path.includes('?') || request.path.includes('#')) {
			violations.push(
				`path ${show(request.path)} contains a query string or fragment; query parameters belong in "query"`,
			);
			return violations;
		}

		const matched = this.matchPath(request.path, method, violations);
		if (!matched) return violations;
		const { entry, params } = matched;

		const operation = entry.operations.get(method);
		if (!operation) {
			const allowed = [...entry.operations.keys()].map((m) => m.toUpperCase()).join(', ');
			violations.push(
				`method ${method.toUpperCase()} is not allowed for ${entry.template} (allowed: ${allowed})`,
			);
			return violations;
		}

		this.checkPathParameters(operation, params, violations);
		this.checkQuery(operation, request.query ?? {}, violations);
		this.checkHeaderParameters(operation, request.headers ?? {}, violations);
		this.checkBody(operation, request, violations);
		this.applyExtraRules(operation, request, violations);
		return violations;
	}

	// ----- spec loading -------------------------------------------------------------------------

	private resolveRef(value: Json, seen: Set<string> = new Set()): Json {
		if (!isObject(value) || typeof value.$ref !== 'string') return value;
		const ref = value.$ref;
		if (seen.has(ref)) throw new Error(`Circular $ref ${ref}`);
		if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
		let target: Json = this.document;
		for (const raw of ref.slice(2).split('/')) {
			const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
			if (!isObject(target) || !(key in target)) throw new Error(`Unresolvable $ref ${ref}`);
			target = target[key];
		}
		seen.add(ref);
		return this.resolveRef(target, seen);
	}

	private compilePath(template: string, item: Json): PathEntry {
		const pathItem = this.resolveRef(item);
		if (!isObject(pathItem)) throw new Error(`Path item ${template} is not an object`);
		const paramNames: string[] = [];
		let strict = '^';
		let loose = '^';
		let literalLength = 0;
		for (const part of template.split(/(\{[^}]+\})/)) {
			const param = /^\{([^}]+)\}$/.exec(part);
			if (param) {
				paramNames.push(param[1]);
				strict += '([^/]*)';
				loose += '(.*)';
			} else {
				strict += escapeRegExp(part);
				loose += escapeRegExp(part);
				literalLength += part.length;
			}
		}
		const operations = new Map<string, Operation>();
		const shared = this.compileParameters(pathItem.parameters, `${template}`);
		for (const method of HTTP_METHODS) {
			const op = pathItem[method];
			if (!isObject(op)) continue;
			const own = this.compileParameters(op.parameters, `${method.toUpperCase()} ${template}`);
			// Operation parameters override path-level parameters with the same name and location.
			const parameters = [
				...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)),
				...own,
			];
			operations.set(method, {
				method,
				template,
				parameters,
				requestBody: this.compileRequestBody(op.requestBody, `${method.toUpperCase()} ${template}`),
			});
		}
		return {
			template,
			strict: new RegExp(`${strict}$`),
			loose: new RegExp(`${loose}$`),
			paramNames,
			literalLength,
			operations,
		};
	}

	private compileParameters(list: Json | undefined, where: string): Parameter[] {
		if (list === undefined) return [];
		if (!Array.isArray(list)) throw new Error(`parameters of ${where} is not an array`);
		return list.map((raw) => {
			const p = this.resolveRef(raw);
			if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') {
				throw new Error(`Malformed parameter in ${where}: ${show(raw)}`);
			}
			return {
				name: p.name,
				in: p.in,
				required: p.in === 'path' || p.required === true,
				schema: isObject(p.schema) ? p.schema : {},
			};
		});
	}

	private compileRequestBody(raw: Json | undefined, where: string): Operation['requestBody'] {
		if (raw === undefined) return undefined;
		const body = this.resolveRef(raw);
		if (!isObject(body) || !isObject(body.content))
			throw new Error(`Malformed requestBody in ${where}`);
		const content: Record<string, Schema | undefined> = {};
		for (const [mediaType, media] of Object.entries(body.content)) {
			content[mediaType] = isObject(media) && isObject(media.schema) ? media.schema : undefined;
		}
		return { required: body.required === true, content };
	}

	private checkExtraRule(rule: ExtraRule): void {
		const label = `extraRule ${rule.in} "${rule.name}" on ${rule.method ? `${rule.method.toUpperCase()} ` : ''}${rule.path}`;
		if (!rule.source) throw new Error(`${label} must say where it comes from (source)`);
		if (!rule.enum && rule.pattern === undefined)
			throw new Error(`${label} needs an enum or a pattern`);
		if (rule.pattern !== undefined) new RegExp(rule.pattern); // throws on a bad pattern
		const entry = this.paths.find((p) => p.template === rule.path);
		if (!entry) throw new Error(`${label}: the spec has no path ${rule.path}`);
		const operations = this.operationsForRule(entry, rule);
		if (operations.length === 0) {
			throw new Error(`${label}: no operation of ${rule.path} declares ${rule.in} "${rule.name}"`);
		}
	}

	private operationsForRule(entry: PathEntry, rule: ExtraRule): Operation[] {
		return [...entry.operations.values()].filter((op) => {
			if (rule.method && rule.method.toLowerCase() !== op.method) return false;
			if (rule.in === 'query')
				return op.parameters.some((p) => p.in === 'query' && p.name === rule.name);
			return Object.values(op.requestBody?.content ?? {}).some(
				(schema) => schema !== undefined && this.declaresProperty(schema, rule.name.split('.')),
			);
		});
	}

	private declaresProperty(schema: Schema, names: string[], depth = 0): boolean {
		if (names.length === 0) return true;
		if (depth > MAX_SCHEMA_DEPTH) return false;
		const resolved = this.resolveRef(schema);
		if (!isObject(resolved)) return false;
		for (const key of ['allOf', 'oneOf', 'anyOf']) {
			const list = resolved[key];
			if (
				Array.isArray(list) &&
				list.some((s) => isObject(s) && this.declaresProperty(s, names, depth + 1))
			) {
				return true;
			}
		}
		if (isObject(resolved.items) && this.declaresProperty(resolved.items, names, depth + 1))
			return true;
		const properties = resolved.properties;
		if (!isObject(properties) || !isObject(properties[names[0]])) return false;
		return this.declaresProperty(properties[names[0]] as Schema, names.slice(1), depth + 1);
	}

	// ----- path and method ----------------------------------------------------------------------

	private matchPath(
		requestPath: string,
		method: string,
		violations: string[],
	): { entry: PathEntry; params: Record<string, string> } | undefined {
		const bySpecificity = (a: PathEntry, b: PathEntry) =>
			a.paramNames.length - b.paramNames.length || b.literalLength - a.literalLength;
		const candidates = this.paths
			.map((entry) => ({ entry, match: entry.strict.exec(requestPath) }))
			.filter((c) => c.match !== null)
			.sort((a, b) => bySpecificity(a.entry, b.entry));
		if (candidates.length > 0) {
			// The most specific template wins (OpenAPI: concrete paths before templated ones), but a
			// less specific template that allows the method is preferred over a method violation.
			const chosen = candidates.find((c) => c.entry.operations.has(method)) ?? candidates[0];
			const params: Record<string, string> = {};
			chosen.entry.paramNames.forEach((name, i) => (params[name] = chosen.match![i + 1]));
			return { entry: chosen.entry, params };
		}
		const loose = this.paths
			.map((entry) => ({ entry, match: entry.loose.exec(requestPath) }))
			.filter((c) => c.match !== null && c.entry.paramNames.length > 0)
			.sort((a, b) => bySpecificity(a.entry, b.entry))[0];
		if (loose) {
			loose.entry.paramNames.forEach((name, i) => {
				const value = loose.match![i + 1];
				if (value.includes('/')) {
					violations.push(
						`path parameter "${name}" of ${loose.entry.template} contains "/" (${show(value)}); ` +
							`it must be a single path segment`,
					);
				}
			});
			return undefined;
		}
		violations.push(`unknown path ${show(requestPath)}: it matches no path template of the spec`);
		return undefined;
	}

	private checkPathParameters(
		operation: Operation,
		params: Record<string, string>,
		violations: string[],
	): void {
		for (const [name, raw] of Object.entries(params)) {
			const where = `path parameter "${name}"`;
			if (raw === '') {
				violations.push(`${where} is empty`);
				continue;
			}
			let value: string;
			try {
				value = decodeURIComponent(raw);
			} catch {
				violations.push(`${where} is not valid percent-encoding (${show(raw)})`);
				continue;
			}
			if (/[/?#]/.test(value)) {
				violations.push(
					`${where} contains "/", "?" or "#" once decoded (${show(value)}); it must be a plain id`,
				);
				continue;
			}
			const declared = operation.parameters.find((p) => p.in === 'path' && p.name === name);
			if (!declared) {
				violations.push(
					`${where} is not declared by ${operation.method.toUpperCase()} ${operation.template}`,
				);
				continue;
			}
			this.validateString(declared.schema, value, where, violations);
		}
	}

	// ----- query and headers --------------------------------------------------------------------

	private checkQuery(
		operation: Operation,
		query: Record<string, string | string[]>,
		violations: string[],
	): void {
		const declared = operation.parameters.filter((p) => p.in === 'query');
		for (const [name, raw] of Object.entries(query)) {
			const where = `query parameter "${name}"`;
			const parameter = declared.find((p) => p.name === name);
			if (!parameter) {
				const known = declared.map((p) => p.name).join(', ') || 'none';
				violations.push(`${where} is not defined by the spec (known: ${known})`);
				continue;
			}
			const values = Array.isArray(raw) ? raw : [raw];
			const schema = this.resolveRef(parameter.schema) as Schema;
			if (schema.type === 'array') {
				const items = isObject(schema.items) ? schema.items : {};
				values.forEach((v) => this.validateString(items, v, where, violations));
				continue;
			}
			if (values.length > 1) {
				violations.push(`${where} is repeated (${show(values)}) but its schema is not an array`);
				continue;
			}
			if (values.length === 1) this.validateString(schema, values[0], where, violations);
		}
		for (const parameter of declared) {
			if (parameter.required && !(parameter.name in query)) {
				violations.push(`query parameter "${parameter.name}" is required but missing`);
			}
		}
	}

	private checkHeaderParameters(
		operation: Operation,
		headers: Record<string, string>,
		violations: string[],
	): void {
		for (const parameter of operation.parameters.filter((p) => p.in === 'header')) {
			const value = headers[parameter.name.toLowerCase()];
			const where = `header "${parameter.name}"`;
			if (value === undefined) {
				if (parameter.required) violations.push(`${where} is required but missing`);
				continue;
			}
			this.validateString(parameter.schema, value, where, violations);
		}
	}

	/** Validates a value that travels as text (path, query, header) against a schema. */
	private validateString(
		schemaIn: Schema,
		text: string,
		where: string,
		violations: string[],
	): void {
		const schema = this.resolveRef(schemaIn) as Schema;
		let value: unknown = text;
		switch (schema.type) {
			case 'integer':
				if (!/^-?\d+$/.test(text)) {
					violations.push(`${where} must be an integer, got ${show(text)}`);
					return;
				}
				value = Number(text);
				break;
			case 'number':
				if (text.trim() === '' || !Number.isFinite(Number(text))) {
					violations.push(`${where} must be a number, got ${show(text)}`);
					return;
				}
				value = Number(text);
				break;
			case 'boolean':
				if (text !== 'true' && text !== 'false') {
					violations.push(`${where} must be true or false, got ${show(text)}`);
					return;
				}
				value = text === 'true';
				break;
		}
		this.validateValue(schema, value, where, violations);
	}

	// ----- body -----------------------------------------------------------------------------------

	private checkBody(operation: Operation, request: LoggedRequest, violations: string[]): void {
		const hasBody = request.body !== undefined && request.body !== '';
		const spec = operation.requestBody;
		const label = `${operation.method.toUpperCase()} ${operation.template}`;
		if (!spec) {
			if (hasBody) violations.push(`request body sent, but ${label} takes no request body`);
			return;
		}
		const mediaTypes = Object.keys(spec.content);
		const jsonType = mediaTypes.find(isJsonMediaType);
		if (!hasBody) {
			// Cisco's spec never sets requestBody.required; a missing body is still a violation
			// when the body schema lists required properties, because nothing can satisfy them.
			const schema = jsonType ? spec.content[jsonType] : undefined;
			const requiredFields = schema ? this.requiredProperties(schema) : [];
			if (spec.required) {
				violations.push(`request body is required by ${label} but was not sent`);
			} else if (requiredFields.length > 0) {
				violations.push(
					`request body missing: ${label} requires the body fields ${requiredFields.join(', ')}`,
				);
			}
			return;
		}
		const contentType = request.headers?.['content-type'];
		if (contentType === undefined) {
			violations.push(`content-type header missing: ${label} takes ${mediaTypes.join(' or ')}`);
		} else {
			const base = contentType.split(';')[0].trim().toLowerCase();
			const declared = mediaTypes.some((m) => m.toLowerCase() === base);
			if (!declared) {
				violations.push(
					`content-type ${show(contentType)} is not accepted by ${label} (takes ${mediaTypes.join(', ')})`,
				);
			} else if (!isJsonMediaType(base)) {
				violations.push(`content-type ${show(contentType)} is not JSON`);
			}
		}
		if (!jsonType) return;
		const schema = spec.content[jsonType];
		if (!schema) return;
		if (typeof request.body === 'string') {
			let parsed: unknown;
			try {
				parsed = JSON.parse(request.body);
			} catch {
				violations.push(`request body is not JSON (${show(request.body)})`);
				return;
			}
			this.validateValue(schema, parsed, 'body', violations);
			return;
		}
		this.validateValue(schema, request.body, 'body', violations);
	}

	private requiredProperties(schemaIn: Schema, depth = 0): string[] {
		if (depth > MAX_SCHEMA_DEPTH) return [];
		const schema = this.resolveRef(schemaIn) as Schema;
		const own = Array.isArray(schema.required) ? schema.required.map(String) : [];
		const inherited = Array.isArray(schema.allOf)
			? schema.allOf.flatMap((s) => (isObject(s) ? this.requiredProperties(s, depth + 1) : []))
			: [];
		return [...new Set([...own, ...inherited])];
	}

	// ----- schema validation ------------------------------------------------------------------

	/**
	 * Validates a value against a schema. `checkUnknown` is false for the parts of an allOf: a part
	 * sees only its own properties, and the enclosing schema reports the unknown ones.
	 */
	private validateValue(
		schemaIn: Schema,
		value: unknown,
		where: string,
		violations: string[],
		depth = 0,
		checkUnknown = true,
	): void {
		if (depth > MAX_SCHEMA_DEPTH) {
			violations.push(`${where}: schema nesting deeper than ${MAX_SCHEMA_DEPTH}, not validated`);
			return;
		}
		const schema = this.resolveRef(schemaIn) as Schema;

		if (Array.isArray(schema.allOf)) {
			for (const part of schema.allOf) {
				if (isObject(part)) this.validateValue(part, value, where, violations, depth + 1, false);
			}
		}
		for (const key of ['oneOf', 'anyOf'] as const) {
			const variants = schema[key];
			if (!Array.isArray(variants) || variants.length === 0) continue;
			const results = variants.map((variant) => {
				const found: string[] = [];
				if (isObject(variant)) this.validateValue(variant, value, where, found, depth + 1);
				return found;
			});
			const passing = results.filter((r) => r.length === 0).length;
			if (key === 'anyOf' && passing === 0) {
				violations.push(
					`${where}: matches none of the anyOf schemas (${results.map((r) => r[0]).join('; ')})`,
				);
			}
			if (key === 'oneOf' && passing !== 1) {
				violations.push(
					passing === 0
						? `${where}: matches none of the oneOf schemas (${results.map((r) => r[0]).join('; ')})`
						: `${where}: matches ${passing} of the oneOf schemas, exactly one is allowed`,
				);
			}
		}

		if (value === null) {
			if (schema.nullable === true || schema.type === undefined) return;
			violations.push(`${where}: expected ${String(schema.type)}, got null`);
			return;
		}

		const actual = typeOf(value);
		const expected = schema.type;
		if (typeof expected === 'string') {
			const ok = expected === actual || (expected === 'number' && actual === 'integer');
			if (!ok) {
				violations.push(`${where}: expected ${expected}, got ${actual} (${show(value)})`);
				return;
			}
		}

		if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
			violations.push(
				`${where}: ${show(value)} is not one of the allowed values ${schema.enum.map(String).join(', ')}`,
			);
		}

		if (typeof value === 'string') {
			if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
				violations.push(`${where}: ${show(value)} does not match the pattern ${schema.pattern}`);
			}
			if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
				violations.push(`${where}: ${show(value)} is shorter than minLength ${schema.minLength}`);
			}
			if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
				violations.push(`${where}: ${show(value)} is longer than maxLength ${schema.maxLength}`);
			}
		}

		if (typeof value === 'number') {
			if (typeof schema.minimum === 'number' && value < schema.minimum) {
				violations.push(`${where}: ${value} is below the minimum ${schema.minimum}`);
			}
			if (typeof schema.maximum === 'number' && value > schema.maximum) {
				violations.push(`${where}: ${value} is above the maximum ${schema.maximum}`);
			}
		}

		if (Array.isArray(value) && isObject(schema.items)) {
			value.forEach((item, i) =>
				this.validateValue(schema.items as Schema, item, `${where}[${i}]`, violations, depth + 1),
			);
		}

		if (isObject(value)) this.validateObject(schema, value, where, violations, depth, checkUnknown);
	}

	private validateObject(
		schema: Schema,
		value: JsonObject,
		where: string,
		violations: string[],
		depth: number,
		checkUnknown: boolean,
	): void {
		const properties = isObject(schema.properties) ? schema.properties : {};
		if (Array.isArray(schema.required)) {
			for (const name of schema.required.map(String)) {
				if (!(name in value) || value[name] === undefined) {
					violations.push(`${where}.${name}: required field missing`);
				}
			}
		}
		const declared = new Set([
			...Object.keys(properties),
			...this.allOfPropertyNames(schema, depth),
		]);
		const additional = schema.additionalProperties;
		for (const [name, child] of Object.entries(value)) {
			if (child === undefined) continue;
			const childWhere = `${where}.${name}`;
			if (isObject(properties[name])) {
				this.validateValue(properties[name] as Schema, child, childWhere, violations, depth + 1);
			} else if (declared.has(name)) {
				continue; // declared by an allOf part, which validates it
			} else if (isObject(additional)) {
				this.validateValue(additional, child, childWhere, violations, depth + 1);
			} else if (additional === false) {
				violations.push(
					`${childWhere}: unknown property (the schema sets additionalProperties: false)`,
				);
			} else if (
				additional === undefined &&
				this.reportUnknownBodyProperties &&
				checkUnknown &&
				!this.hasCombinators(schema)
			) {
				violations.push(
					`${childWhere}: unknown property, the schema declares only ${[...declared].join(', ') || 'none'}`,
				);
			}
		}
	}

	private hasCombinators(schema: Schema): boolean {
		return Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf);
	}

	private allOfPropertyNames(schema: Schema, depth: number): string[] {
		if (!Array.isArray(schema.allOf) || depth > MAX_SCHEMA_DEPTH) return [];
		return schema.allOf.flatMap((part) => {
			const resolved = this.resolveRef(part);
			if (!isObject(resolved)) return [];
			const own = isObject(resolved.properties) ? Object.keys(resolved.properties) : [];
			return [...own, ...this.allOfPropertyNames(resolved, depth + 1)];
		});
	}

	// ----- extra rules ------------------------------------------------------------------------

	private applyExtraRules(
		operation: Operation,
		request: LoggedRequest,
		violations: string[],
	): void {
		const entry = this.paths.find((p) => p.template === operation.template)!;
		for (const rule of this.extraRules) {
			if (rule.path !== operation.template) continue;
			if (!this.operationsForRule(entry, rule).includes(operation)) continue;
			if (rule.in === 'query') {
				const raw = request.query?.[rule.name];
				if (raw === undefined) continue;
				const values = Array.isArray(raw) ? raw : [raw];
				values.forEach((v) =>
					this.checkExtraValue(rule, v, `query parameter "${rule.name}"`, violations),
				);
			} else {
				let body = request.body;
				if (typeof body === 'string') {
					try {
						body = JSON.parse(body);
					} catch {
						continue; // already reported by the body check
					}
				}
				let value: unknown = body;
				for (const key of rule.name.split('.')) value = isObject(value) ? value[key] : undefined;
				if (value === undefined) continue;
				const values = Array.isArray(value) ? value : [value];
				values.forEach((v) => this.checkExtraValue(rule, v, `body.${rule.name}`, violations));
			}
		}
	}

	private checkExtraValue(
		rule: ExtraRule,
		value: unknown,
		where: string,
		violations: string[],
	): void {
		if (rule.enum && !rule.enum.some((allowed) => allowed === value || String(allowed) === value)) {
			violations.push(
				`${where}: ${show(value)} is not one of the allowed values ${rule.enum.join(', ')} (extra rule: ${rule.source})`,
			);
		}
		if (
			rule.pattern !== undefined &&
			!(typeof value === 'string' && new RegExp(rule.pattern).test(value))
		) {
			violations.push(
				`${where}: ${show(value)} does not match the pattern ${rule.pattern} (extra rule: ${rule.source})`,
			);
		}
	}
}

/** Cisco's official spec, kept in the repository's `specs/` folder. */
export const WEBEX_SPEC_PATH = path.resolve(__dirname, '../../specs/webex-wholesale.openapi.json');

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const DATE_SOURCE = 'spec descriptions: billing dates are YYYY-MM-DD, never a datetime';

/** Rules that the Webex spec states only in prose. */
export const WEBEX_EXTRA_RULES: ExtraRule[] = [
	// The create body's `type` has no enum in the JSON schema. Its description ("Create report of
	// the given type, `PARTNER`, `CUSTOMER`, or `USER`") and the spec notes
	// (specs/webex-wholesale-billing.md, "Create body") give the three values.
	{
		path: '/wholesale/billing/reports',
		method: 'POST',
		in: 'body',
		name: 'type',
		enum: ['PARTNER', 'CUSTOMER', 'USER'],
		source: 'spec notes and the field description: PARTNER, CUSTOMER or USER',
	},
	// The schemas type the billing dates as plain strings; the descriptions say `YYYY-MM-DD`
	// ("The `startDate` (`YYYY-MM-DD`) ...") and the spec notes add "never a datetime".
	...(['billingStartDate', 'billingEndDate'] as const).flatMap((name): ExtraRule[] => [
		{
			path: '/wholesale/billing/reports',
			method: 'POST',
			in: 'body',
			name,
			pattern: DATE_PATTERN,
			source: DATE_SOURCE,
		},
		{
			path: '/wholesale/billing/reports',
			method: 'GET',
			in: 'query',
			name,
			pattern: DATE_PATTERN,
			source: DATE_SOURCE,
		},
	]),
];

let webexValidator: OpenApiRequestValidator | undefined;

/** The validator for Cisco's Webex Wholesale spec with `WEBEX_EXTRA_RULES`. Built once and reused. */
export function webexSpecValidator(): OpenApiRequestValidator {
	webexValidator ??= OpenApiRequestValidator.fromFile(WEBEX_SPEC_PATH, {
		extraRules: WEBEX_EXTRA_RULES,
	});
	return webexValidator;
}

/**
 * Throws one Error that lists every violation of every request, each with its index, method and path.
 * Requests whose `kind` is set and is not `api` (the sandbox's `download` and `token` entries) are skipped.
 */
export function expectRequestsToConform(
	validator: OpenApiRequestValidator,
	requests: LoggedRequest[],
): void {
	const lines: string[] = [];
	requests.forEach((request, index) => {
		if (request.kind !== undefined && request.kind !== 'api') return;
		for (const violation of validator.validate(request)) {
			lines.push(
				`  #${index} ${String(request.method).toUpperCase()} ${request.path}: ${violation}`,
			);
		}
	});
	if (lines.length > 0) {
		throw new Error(
			`Requests do not conform to the OpenAPI spec (${lines.length} violations):\n${lines.join('\n')}`,
		);
	}
}
