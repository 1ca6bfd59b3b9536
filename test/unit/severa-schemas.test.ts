import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  modelFields,
  modelProblems,
  sampleOf,
  setAt,
} from '../../main/core/sandbox/severa/document';
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
interface Variant {
  what: string;
  value: unknown;
  /** False for the unknown-field variant: the document lists no such field. */
  documented: boolean;
}

/** The complete instance, the required-only one, and every single-field change the document allows. */
function variants(model: string): Variant[] {
  const full = sampleOf(model);
  const fields = modelFields(model);
  const required = (value: unknown, path: (string | number)[]): unknown => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([name]) =>
          fields.some((f) => f.required && f.path.join('.') === [...path, name].join('.')),
        )
        .map(([name, v]) => [name, required(v, [...path, name])]),
    );
  };
  const out: Variant[] = [
    { what: 'complete', value: full, documented: true },
    { what: 'only required fields', value: required(full, []), documented: true },
    { what: 'unknownField', value: setAt(full, ['unknownField'], 1), documented: false },
  ];
  for (const f of fields) {
    const where = f.path.join('.');
    if (f.schema.nullable)
      out.push({ what: `${where} = null`, value: setAt(full, f.path, null), documented: true });
    if (!f.required)
      out.push({
        what: `${where} absent`,
        value: setAt(full, f.path, undefined),
        documented: true,
      });
    for (const option of (f.schema.enum ?? []) as unknown[])
      out.push({
        what: `${where} = ${String(option)}`,
        value: setAt(full, f.path, option),
        documented: true,
      });
    if (f.schema.properties)
      out.push({
        what: `${where}.unknownField`,
        value: setAt(full, [...f.path, 'unknownField'], 1),
        documented: false,
      });
  }
  return out;
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
    const value = setAt(sampleOf('ActivityModel'), ['futureField'], {
      x: 1,
    });
    expect(activitySchema.parse(value)).toMatchObject({ futureField: { x: 1 } });
  });
});
