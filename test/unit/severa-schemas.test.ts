import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { modelProblems, SEVERA_DOCUMENT } from '../../main/core/sandbox/severa/document';
import {
  activitySchema,
  activityTypeSchema,
  errorEnvelopeSchema,
  participantSchema,
  severaUserSchema,
  tokenResponseSchema,
} from '../../main/core/severa/schemas';

/**
 * Our zod schemas against Severa's own OpenAPI document: for every model the client reads, every
 * field the document marks nullable is sent as null, every field it does not require is left
 * out, every enum value is sent, and an unknown field is added, one at a time, each in an
 * otherwise complete answer (and the answer with only the required fields). Each variant is
 * first checked to be valid by the document itself; our schema must then accept it.
 */
type Json = Record<string, unknown>;
const schemas = SEVERA_DOCUMENT.components.schemas as Record<string, Json>;

/** A property's schema with its `$ref` followed; nullable is the referencing site's or the target's. */
function resolve(s: Json): Json {
  if (typeof s.$ref !== 'string') return s;
  const target = schemas[s.$ref.split('/').pop() as string] as Json;
  return { ...target, nullable: s.nullable === true || target.nullable === true };
}

function sample(raw: Json, depth = 0): unknown {
  const s = resolve(raw);
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.type === 'object' || s.properties) {
    const out: Json = {};
    if (depth < 8)
      for (const [name, p] of Object.entries((s.properties ?? {}) as Record<string, Json>))
        out[name] = sample(p, depth + 1);
    return out;
  }
  if (s.type === 'array') return [sample(s.items as Json, depth + 1)];
  if (s.type === 'boolean') return true;
  if (s.type === 'integer') return 7;
  if (s.type === 'number') return 1.5;
  if (s.format === 'date-time') return '2026-03-30T09:00:00+03:00';
  if (s.format === 'date') return '2026-03-30';
  return 'text';
}

interface Variant {
  what: string;
  value: unknown;
  /** False for the unknown-field variant: the document lists no such field. */
  documented: boolean;
}

/** Every single-field departure from the complete instance that the document allows. */
function variants(model: string): Variant[] {
  const full = sample({ $ref: `#/components/schemas/${model}` });
  const out: Variant[] = [{ what: 'complete', value: full, documented: true }];
  const minimal = (raw: Json, depth = 0): unknown => {
    const s = resolve(raw);
    if (!s.properties) return sample(s, depth);
    const required = (s.required ?? []) as string[];
    return Object.fromEntries(
      Object.entries(s.properties as Record<string, Json>)
        .filter(([n]) => required.includes(n))
        .map(([n, p]) => [n, minimal(p, depth + 1)]),
    );
  };
  out.push({
    what: 'only required fields',
    value: minimal({ $ref: `#/components/schemas/${model}` }),
    documented: true,
  });

  const walk = (raw: Json, path: (string | number)[], depth: number) => {
    const s = resolve(raw);
    if (depth > 6) return;
    if (s.type === 'array') return walk(s.items as Json, [...path, 0], depth + 1);
    if (!s.properties) return;
    const required = (s.required ?? []) as string[];
    out.push({
      what: `${path.join('.')}.unknownField`,
      value: setAt(full, [...path, 'unknownField'], 1),
      documented: false,
    });
    for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) {
      const at = [...path, name];
      const where = at.join('.');
      const prop = resolve(p);
      if (prop.nullable)
        out.push({ what: `${where} = null`, value: setAt(full, at, null), documented: true });
      if (!required.includes(name))
        out.push({ what: `${where} absent`, value: setAt(full, at, undefined), documented: true });
      for (const option of (prop.enum ?? []) as unknown[])
        out.push({
          what: `${where} = ${String(option)}`,
          value: setAt(full, at, option),
          documented: true,
        });
      walk(p, at, depth + 1);
    }
  };
  walk({ $ref: `#/components/schemas/${model}` }, [], 0);
  return out;
}

function setAt(value: unknown, path: (string | number)[], leaf: unknown): unknown {
  const copy = structuredClone(value) as Json;
  let node: Json = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  const last = path[path.length - 1] as string;
  if (leaf === undefined) delete node[last];
  else node[last] = leaf;
  return copy;
}

const PAIRS: [string, z.ZodType][] = [
  ['ActivityModel', activitySchema],
  ['ActivityTypeModel', activityTypeSchema],
  ['UserOutputModel', severaUserSchema],
  ['ActivityParticipantModel', participantSchema],
  ['PublicAuthenticationOutputModel', tokenResponseSchema],
  ['ExceptionModel', errorEnvelopeSchema],
];

describe("our Severa schemas accept everything Severa's document allows", () => {
  for (const [model, schema] of PAIRS) {
    it(model, () => {
      const all = variants(model);
      expect(all.length).toBeGreaterThan(3);
      const refused: string[] = [];
      for (const v of all) {
        if (v.documented) expect(modelProblems(model, v.value), v.what).toEqual([]);
        const parsed = schema.safeParse(v.value);
        if (!parsed.success) refused.push(`${v.what}: ${parsed.error.issues[0]?.message}`);
      }
      expect(refused).toEqual([]);
    });
  }

  it('leaves unknown fields in place rather than failing on them', () => {
    const value = setAt(sample({ $ref: '#/components/schemas/ActivityModel' }), ['futureField'], {
      x: 1,
    });
    expect(activitySchema.parse(value)).toMatchObject({ futureField: { x: 1 } });
  });
});
