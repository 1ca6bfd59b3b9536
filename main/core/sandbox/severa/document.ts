import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { IncomingHttpHeaders } from 'node:http';
import severaOpenApi from './severa-openapi.json' with { type: 'json' };

/**
 * Severa's own OpenAPI document (the part this product uses, `severa-openapi.json`, extracted by
 * scripts/extract-severa-openapi.mjs) as a checker: every request the sandbox receives and every
 * answer it gives is validated against it with ajv. The document is OpenAPI 3.0, whose
 * `nullable`, `readOnly` and `$ref`-with-siblings ajv does not read as JSON Schema; `toJsonSchema`
 * translates those few keywords and nothing else.
 */
type Json = Record<string, unknown>;

interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: Json;
}

interface OpenApiOperation {
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }>; headers?: Json }>;
  security?: Record<string, string[]>[];
}

export const SEVERA_DOCUMENT = severaOpenApi as unknown as {
  'x-origin': { sha256: string; operations: string[] };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Json> };
};

/** One departure from the document, as the sandbox records it. */
export interface DocumentViolation {
  where: 'request' | 'response';
  method: string;
  path: string;
  operationId: string | null;
  problems: string[];
  /** How Severa would name it: a bad parameter or body value, or a request it cannot route. */
  errorType: 'InvalidParameter' | 'InvalidRequest';
}

/**
 * `request`: what a client may send (read-only properties refused, unknown properties refused so
 * that a misspelt field cannot be silently dropped). `response`: what Severa may answer (no
 * property the document does not list). `query`: a parameter is present or absent, never null.
 */
type Mode = 'request' | 'response' | 'query';

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** OpenAPI 3.0 Schema Object → JSON Schema (draft-07) as ajv reads it. */
export function toJsonSchema(schema: Json, mode: Mode): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || ['nullable', 'readOnly', 'writeOnly', 'example'].includes(key))
      continue;
    if (key === '$ref') out.$ref = `severa-${mode}#/definitions/${String(value).split('/').pop()}`;
    else if (key === 'properties' && isObject(value)) {
      const properties = Object.entries(value as Record<string, Json>).filter(
        ([, p]) => !(mode === 'request' && p.readOnly === true),
      );
      out.properties = Object.fromEntries(properties.map(([n, p]) => [n, toJsonSchema(p, mode)]));
    } else if (key === 'items' && isObject(value)) out.items = toJsonSchema(value, mode);
    else out[key] = value;
  }
  if (isObject(schema.properties)) {
    out.additionalProperties = false;
    if (Array.isArray(out.required)) {
      const kept = Object.keys(out.properties as Json);
      out.required = (out.required as string[]).filter((r) => kept.includes(r));
    }
  }
  // `$ref` stands alone in draft-07: its siblings go into an allOf.
  const base = out.$ref && Object.keys(out).length > 1 ? refWithSiblings(out) : out;
  return schema.nullable === true && mode !== 'query' ? { anyOf: [base, { type: 'null' }] } : base;
}

function refWithSiblings(schema: Json): Json {
  const { $ref, ...rest } = schema;
  return { allOf: [{ $ref }, rest] };
}

// ajv-formats is CommonJS: its default export is the function itself, or under `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, coerceTypes });
  addFormats(ajv);
  for (const mode of ['request', 'response', 'query'] as const) {
    const definitions = Object.fromEntries(
      Object.entries(SEVERA_DOCUMENT.components.schemas).map(([n, s]) => [
        n,
        toJsonSchema(s, mode),
      ]),
    );
    ajv.addSchema({ $id: `severa-${mode}`, definitions });
  }
  return ajv;
}

const ajv = newAjv(false);
const coercing = newAjv(true);
const compiled = new Map<string, ValidateFunction>();

function validator(key: string, make: () => Json, coerce = false): ValidateFunction {
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = (coerce ? coercing : ajv).compile(make())));
  return v;
}

/** ajv's errors in words; the branches of a `nullable` (anyOf … null) are left out. */
const describe = (errors: ErrorObject[] | null | undefined, prefix: string) =>
  (errors ?? [])
    .filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'))
    .map((e) => {
      const where = `${prefix}${e.instancePath}`;
      if (e.keyword === 'additionalProperties')
        return `${where} has a property that is unknown or read-only here: ${String(e.params.additionalProperty)}`;
      if (e.keyword === 'enum')
        return `${where} must be one of ${JSON.stringify(e.params.allowedValues)}`;
      return `${where} ${e.message ?? e.keyword}`;
    });

interface Matched {
  operation: OpenApiOperation;
  template: string;
  method: string;
  pathParams: Record<string, string>;
}

const templates = Object.keys(SEVERA_DOCUMENT.paths).map((template) => {
  const names: string[] = [];
  const pattern = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, names, regex: new RegExp(`^${pattern}$`) };
});

/** The document's operation for a method and a concrete path, or null. */
export function findOperation(method: string, path: string): Matched | null {
  for (const t of templates) {
    const match = t.regex.exec(path);
    const operation = match && SEVERA_DOCUMENT.paths[t.template]?.[method.toLowerCase()];
    if (!match || !operation) continue;
    const pathParams = Object.fromEntries(
      t.names.map((n, i) => [n, decodeURIComponent(match[i + 1] as string)]),
    );
    return { operation, template: t.template, method: method.toLowerCase(), pathParams };
  }
  return null;
}

/** The largest value a parameter's description states ("Default 20, maximum 100."). */
const statedMaximum = (p: OpenApiParameter) => {
  const m = /maximum (\d+)/i.exec(p.description ?? '');
  return m ? Number(m[1]) : undefined;
};

function queryProblems(matched: Matched, query: URLSearchParams): string[] {
  const params = (matched.operation.parameters ?? []).filter((p) => p.in === 'query');
  const problems: string[] = [];
  const values: Json = {};
  for (const name of new Set(query.keys())) {
    const param = params.find((p) => p.name === name);
    const all = query.getAll(name);
    if (!param) problems.push(`query parameter ${name} is not in the document`);
    else if (param.schema.type === 'array') values[name] = all;
    else if (all.length > 1) problems.push(`query parameter ${name} is repeated`);
    else values[name] = all[0];
  }
  const key = `query ${matched.operation.operationId}`;
  const check = validator(
    key,
    () => ({
      type: 'object',
      properties: Object.fromEntries(
        params.map((p) => {
          const schema = toJsonSchema(p.schema, 'query');
          const maximum = statedMaximum(p);
          return [p.name, maximum === undefined ? schema : { ...schema, maximum }];
        }),
      ),
      required: params.filter((p) => p.required).map((p) => p.name),
    }),
    true,
  );
  if (!check(values)) problems.push(...describe(check.errors, 'query'));
  return problems;
}

function headerProblems(operation: OpenApiOperation, headers: IncomingHttpHeaders): string[] {
  const problems: string[] = [];
  for (const requirement of operation.security ?? []) {
    if ('ClientIdAuth' in requirement && !headers['client_id'])
      problems.push('header Client_Id is missing (ClientIdAuth)');
    if ((requirement.OAuth2?.length ?? 0) > 0 && !/^Bearer \S+$/.test(headers.authorization ?? ''))
      problems.push('header Authorization: Bearer is missing (OAuth2)');
  }
  return problems;
}

function bodyProblems(matched: Matched, contentType: string | undefined, body: unknown): string[] {
  const declared = matched.operation.requestBody?.content;
  if (!declared) return body === undefined ? [] : ['the operation takes no request body'];
  if (body === undefined) return [];
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const media = declared[type];
  if (!media) return [`Content-Type ${type || '(none)'} is not one of ${Object.keys(declared)}`];
  const check = validator(`body ${matched.operation.operationId}`, () =>
    toJsonSchema(media.schema, 'request'),
  );
  return check(body) ? [] : describe(check.errors, 'body');
}

export interface CheckedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined when the request had none. */
  body: unknown;
}

/** What in a request departs from the document (empty when nothing does). */
export function requestViolation(req: CheckedRequest): DocumentViolation | null {
  const matched = findOperation(req.method, req.path);
  const values = matched
    ? [
        ...queryProblems(matched, req.query),
        ...bodyProblems(matched, req.headers['content-type'], req.body),
      ]
    : [];
  const other = matched
    ? headerProblems(matched.operation, req.headers)
    : [`${req.method} ${req.path} is not an operation of the document`];
  const problems = [...other, ...values];
  return problems.length === 0
    ? null
    : {
        where: 'request',
        method: req.method,
        path: req.path,
        operationId: matched?.operation.operationId ?? null,
        problems,
        errorType: other.length > 0 ? 'InvalidRequest' : 'InvalidParameter',
      };
}

export interface CheckedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What in an answer to a documented operation departs from the document. */
export function responseViolation(
  req: { method: string; path: string },
  res: CheckedResponse,
): DocumentViolation | null {
  const matched = findOperation(req.method, req.path);
  if (!matched) return null;
  const { operation } = matched;
  const declared = operation.responses[String(res.status)] ?? operation.responses.default;
  const problems: string[] = [];
  if (!declared) problems.push(`status ${res.status} is not documented`);
  const media = declared?.content?.['application/json'];
  if (declared && !media && res.body !== undefined)
    problems.push(`status ${res.status} has no body in the document`);
  if (media && res.body === undefined) problems.push(`status ${res.status} must have a body`);
  if (media && res.body !== undefined) {
    const key = `response ${operation.operationId} ${res.status}`;
    const check = validator(key, () => toJsonSchema(media.schema, 'response'));
    if (!check(res.body)) problems.push(...describe(check.errors, 'body'));
    const envelope = (res.body as { error?: { httpStatusCode?: number } } | null)?.error;
    if (!operation.responses[String(res.status)] && envelope?.httpStatusCode !== res.status)
      problems.push(`error.httpStatusCode ${envelope?.httpStatusCode} is not ${res.status}`);
  }
  const headers = Object.keys(declared?.headers ?? {});
  for (const name of Object.keys(res.headers)) {
    const known = ['content-type', 'retry-after', ...headers.map((h) => h.toLowerCase())];
    if (!known.includes(name.toLowerCase())) problems.push(`header ${name} is not in the document`);
  }
  return problems.length === 0
    ? null
    : {
        where: 'response',
        method: req.method,
        path: req.path,
        operationId: operation.operationId,
        problems,
        errorType: 'InvalidRequest',
      };
}

/** What in a value departs from one of the document's models, as Severa would send it. */
export function modelProblems(model: string, value: unknown): string[] {
  const check = validator(`model ${model}`, () => ({
    $ref: `severa-response#/definitions/${model}`,
  }));
  return check(value) ? [] : describe(check.errors, model);
}

/** The JSON Schema of a model's field (`/activityType/guid` of `ActivityModel`), or null. */
export function fieldSchema(
  model: string,
  pointer: string,
): { schema: Json; readOnly: boolean } | null {
  let current: Json | undefined = SEVERA_DOCUMENT.components.schemas[model];
  let readOnly = false;
  for (const segment of pointer.replace(/^\//, '').split('/')) {
    const property: Json | undefined = (current?.properties as Record<string, Json> | undefined)?.[
      segment
    ];
    if (!property) return null;
    readOnly ||= property.readOnly === true;
    const ref = typeof property.$ref === 'string' ? property.$ref.split('/').pop() : null;
    current = ref
      ? { ...SEVERA_DOCUMENT.components.schemas[ref], nullable: property.nullable }
      : property;
  }
  return current ? { schema: current, readOnly } : null;
}

/**
 * A JSON Patch `value` (a string, as the document types it) read as the target field's type:
 * `"true"` for a boolean, a date-time with an offset for a date-time; null only where the field
 * is nullable (ajv's coercion would turn null into "" or false, so it is decided here).
 */
export function patchValue(field: Json, value: string | null): { ok: boolean; value: unknown } {
  if (value === null) return { ok: field.nullable === true, value: null };
  const data = { value };
  const check = validator(
    `patch ${JSON.stringify(field)}`,
    () => ({
      type: 'object',
      properties: { value: toJsonSchema({ ...field, nullable: false }, 'request') },
    }),
    true,
  );
  return { ok: check(data), value: data.value };
}

/** A property's schema with its `$ref` followed; nullable if the reference or the target says so. */
export function resolveRef(schema: Json): Json {
  if (typeof schema.$ref !== 'string') return schema;
  const target = SEVERA_DOCUMENT.components.schemas[schema.$ref.split('/').pop() as string] as Json;
  return { ...target, nullable: schema.nullable === true || target.nullable === true };
}

const modelRef = (model: string): Json => ({ $ref: `#/components/schemas/${model}` });

/** A complete, valid instance of a schema: every property present, the first enum value. */
export function sampleOf(schema: Json | string, depth = 0): unknown {
  const s = resolveRef(typeof schema === 'string' ? modelRef(schema) : schema);
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.type === 'object' || s.properties) {
    const out: Json = {};
    if (depth < 8)
      for (const [name, p] of Object.entries((s.properties ?? {}) as Record<string, Json>))
        out[name] = sampleOf(p, depth + 1);
    return out;
  }
  if (s.type === 'array') return [sampleOf(s.items as Json, depth + 1)];
  if (s.type === 'boolean') return true;
  if (s.type === 'integer') return 7;
  if (s.type === 'number') return 1.5;
  if (s.format === 'date-time') return '2026-03-30T09:00:00+03:00';
  if (s.format === 'date') return '2026-03-30';
  return 'text';
}

export interface ModelField {
  /** Property names (and 0 for an array's element) from the model down. */
  path: (string | number)[];
  schema: Json;
  required: boolean;
}

/** Every property of a model, nested ones included, in the document's order. */
export function modelFields(model: string): ModelField[] {
  const out: ModelField[] = [];
  const walk = (raw: Json, path: (string | number)[], depth: number) => {
    const s = resolveRef(raw);
    if (depth > 6) return;
    if (s.type === 'array') return walk(s.items as Json, [...path, 0], depth + 1);
    const required = (s.required ?? []) as string[];
    for (const [name, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
      out.push({ path: [...path, name], schema: resolveRef(p), required: required.includes(name) });
      walk(p, [...path, name], depth + 1);
    }
  };
  walk(modelRef(model), [], 0);
  return out;
}

/**
 * A copy of `value` with the field at `path` set to `leaf` (removed when undefined); missing
 * objects on the way are filled from `fill` (a complete sample of the same model).
 */
export function setAt(
  value: unknown,
  path: (string | number)[],
  leaf: unknown,
  fill: unknown = value,
): unknown {
  const copy = structuredClone(value) as Json;
  let node: Json = copy;
  let sample = fill as Json | undefined;
  for (const key of path.slice(0, -1)) {
    sample = sample?.[key] as Json | undefined;
    if (node[key] === null || node[key] === undefined) node[key] = structuredClone(sample ?? {});
    node = node[key] as Json;
  }
  const last = path[path.length - 1] as string;
  if (leaf === undefined) delete node[last];
  else node[last] = leaf;
  return copy;
}

const recorded: DocumentViolation[] = [];

/** Every violation any sandbox of this process saw (the test suite checks it after each test). */
export function recordViolation(v: DocumentViolation): void {
  recorded.push(v);
}

export function takeDocumentViolations(): DocumentViolation[] {
  return recorded.splice(0, recorded.length);
}
