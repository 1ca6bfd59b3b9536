import discovery from './calendar-v3.discovery.json' with { type: 'json' };

/**
 * Google's own Calendar v3 discovery document (the part this product uses, see README.md) as
 * the contract of the sandbox: which methods exist at which paths, which query parameters each
 * takes with which types, enums and formats, and the shape of request and response bodies. The
 * sandbox checks every Calendar request it receives and every answer it gives against it.
 */
interface Schema {
  $ref?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'any';
  format?: string;
  enum?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  annotations?: { required?: string[] };
}

interface Parameter extends Schema {
  location: 'query' | 'path';
  required?: boolean;
  repeated?: boolean;
  minimum?: string;
  maximum?: string;
}

export interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  path: string;
  parameters?: Record<string, Parameter>;
  request?: { $ref: string };
  response?: { $ref: string };
}

interface Document {
  basePath: string;
  parameters: Record<string, Parameter>;
  resources: Record<string, { methods: Record<string, DiscoveryMethod> }>;
  schemas: Record<string, Schema>;
}

const doc = discovery as unknown as Document;

export const DISCOVERY_REVISION: string = (discovery as { revision: string }).revision;

const methods: DiscoveryMethod[] = Object.values(doc.resources).flatMap((r) =>
  Object.values(r.methods),
);

/** Literal segments before `{parameters}`, so `events/import` wins over `events/{eventId}`. */
const specificity = (m: DiscoveryMethod) => m.path.split('/').filter((s) => !s.startsWith('{'));

/** The method a request is for (by HTTP method and path), with its path parameters. */
export function matchMethod(
  httpMethod: string,
  pathname: string,
): { method: DiscoveryMethod; pathParams: Record<string, string> } | null {
  if (!pathname.startsWith(doc.basePath)) return null;
  const segments = pathname.slice(doc.basePath.length).split('/');
  const candidates = methods
    .filter((m) => m.httpMethod === httpMethod)
    .sort((a, b) => specificity(b).length - specificity(a).length);
  for (const method of candidates) {
    const template = method.path.split('/');
    if (template.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] as string;
      if (!part.startsWith('{')) return part === segment;
      if (!segment) return false;
      pathParams[part.slice(1, -1)] = decodeURIComponent(segment);
      return true;
    });
    if (matches) return { method, pathParams };
  }
  return null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** RFC 3339; the offset is optional in bodies (an `EventDateTime` may carry a `timeZone` instead). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([zZ]|[+-]\d{2}:\d{2})?$/;
const HAS_OFFSET = /([zZ]|[+-]\d{2}:\d{2})$/;
const INT32 = 2 ** 31;

function checkFormat(value: string, format: string | undefined, where: string): string[] {
  if (format === 'date' && !DATE.test(value)) return [`${where}: "${value}" is not a date`];
  if (format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
    return [`${where}: "${value}" is not an RFC 3339 date-time`];
  if (format === 'int64' && !/^-?\d+$/.test(value)) return [`${where}: "${value}" is not int64`];
  return [];
}

const resolve = (schema: Schema): Schema => {
  if (!schema.$ref) return schema;
  const target = doc.schemas[schema.$ref];
  if (!target) throw new Error(`discovery: no schema ${schema.$ref}`);
  return target;
};

type Mode = 'request' | 'response';

/** Departures of a JSON value from a schema; `null` clears a field in a request (patch semantics). */
function checkValue(value: unknown, raw: Schema, where: string, mode: Mode): string[] {
  const schema = resolve(raw);
  if (value === null)
    return mode === 'request' ? [] : [`${where}: null (Google leaves empty fields out)`];
  if (schema.type === 'any' || value === undefined) return [];
  if (schema.properties || schema.additionalProperties || schema.type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: not an object`];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const property = schema.properties?.[key] ?? schema.additionalProperties;
      return property
        ? checkValue(v, property, `${where}.${key}`, mode)
        : [`${where}.${key}: not in the document`];
    });
  }
  switch (schema.type) {
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((v, i) => checkValue(v, schema.items ?? {}, `${where}[${i}]`, mode))
        : [`${where}: not an array`];
    case 'string':
      if (typeof value !== 'string') return [`${where}: not a string`];
      if (schema.enum && !schema.enum.includes(value))
        return [`${where}: "${value}" not one of ${schema.enum.join(', ')}`];
      return checkFormat(value, schema.format, where);
    case 'integer':
      return Number.isInteger(value) &&
        (schema.format !== 'int32' || Math.abs(value as number) < INT32)
        ? []
        : [`${where}: not an ${schema.format ?? 'integer'}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${where}: not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    default:
      return [];
  }
}

/** Properties the document marks required for this method (`annotations.required`). */
function missingRequired(body: unknown, schema: Schema, methodId: string): string[] {
  const s = resolve(schema);
  const present = (body ?? {}) as Record<string, unknown>;
  return Object.entries(s.properties ?? {})
    .filter(([key, p]) => p.annotations?.required?.includes(methodId) && present[key] == null)
    .map(([key]) => `body.${key}: required by ${methodId}`);
}

function checkParameter(name: string, values: string[], p: Parameter): string[] {
  const where = `query ${name}`;
  if (p.location !== 'query') return [`${where}: a ${p.location} parameter sent in the query`];
  if (!p.repeated && values.length > 1) return [`${where}: given ${values.length} times`];
  return values.flatMap((value) => {
    switch (p.type) {
      case 'integer': {
        const n = Number(value);
        if (!/^-?\d+$/.test(value)) return [`${where}: "${value}" is not an integer`];
        if (p.minimum !== undefined && n < Number(p.minimum))
          return [`${where}: ${n} < ${p.minimum}`];
        if (p.maximum !== undefined && n > Number(p.maximum))
          return [`${where}: ${n} > ${p.maximum}`];
        return [];
      }
      case 'boolean':
        return value === 'true' || value === 'false' ? [] : [`${where}: "${value}" not boolean`];
      default:
        if (p.enum && !p.enum.includes(value))
          return [`${where}: "${value}" not one of ${p.enum.join(', ')}`];
        // Query date-times "must be an RFC3339 timestamp with mandatory time zone offset".
        if (p.format === 'date-time' && !HAS_OFFSET.test(value))
          return [`${where}: "${value}" has no time zone offset`];
        return checkFormat(value, p.format, where);
    }
  });
}

/** How a request departs from the document (empty: it conforms). */
export function checkRequest(method: DiscoveryMethod, query: URLSearchParams, body: unknown) {
  const problems: string[] = [];
  const parameters = { ...doc.parameters, ...method.parameters };
  for (const name of new Set(query.keys())) {
    const p = parameters[name];
    if (!p) problems.push(`query ${name}: not a parameter of ${method.id}`);
    else problems.push(...checkParameter(name, query.getAll(name), p));
  }
  for (const [name, p] of Object.entries(parameters))
    if (p.required && p.location === 'query' && !query.has(name))
      problems.push(`query ${name}: required by ${method.id}`);
  if (!method.request) {
    if (body !== undefined) problems.push(`body: ${method.id} takes no body`);
  } else {
    const schema = { $ref: method.request.$ref };
    problems.push(...checkValue(body, schema, 'body', 'request'));
    problems.push(...missingRequired(body, schema, method.id));
  }
  return problems;
}

/** How an answer (2xx) departs from the document's response schema. */
export function checkResponse(method: DiscoveryMethod, body: unknown): string[] {
  if (!method.response) return body === undefined ? [] : [`${method.id} answers no body`];
  return checkValue(body, { $ref: method.response.$ref }, 'response', 'response');
}
