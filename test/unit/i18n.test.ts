import { describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/en.json' with { type: 'json' };
import fi from '../../renderer/src/i18n/fi.json' with { type: 'json' };
import { STEP_IDS, STEP_TITLES } from '../../main/core/setup/steps';
import { looksEnglish } from '../helpers/finnish';

type Tree = { [key: string]: string | Tree };

const flatten = (tree: Tree, prefix = ''): Map<string, string> =>
  new Map(
    Object.entries(tree).flatMap(([key, value]) =>
      typeof value === 'string'
        ? [[`${prefix}${key}`, value] as const]
        : [...flatten(value, `${prefix}${key}.`)],
    ),
  );

const EN = flatten(en as Tree);
const FI = flatten(fi as Tree);

/** Texts that are the same in both languages: product names, codes, symbols, interpolations. */
const SAME_IN_BOTH = new Set([
  'log.directionShort.toGoogle',
  'log.directionShort.toSevera',
  'dashboard.toGoogle',
  'dashboard.toSevera',
  'severa.clientId',
  'common.none',
  'finish.intervalValue',
  'test.duration',
  'stages.severa',
  'sections.severa',
  'progress.duration.seconds',
  'progress.duration.minutes',
]);

describe('translations', () => {
  it('both languages have the same keys', () => {
    expect([...FI.keys()].filter((k) => !EN.has(k))).toEqual([]);
    expect([...EN.keys()].filter((k) => !FI.has(k))).toEqual([]);
  });

  it('no Finnish text is left in English', () => {
    const same = [...FI].filter(([key, text]) => text === EN.get(key) && !SAME_IN_BOTH.has(key));
    expect(same.map(([key]) => key)).toEqual([]);
    const english = [...FI].filter(([, text]) => looksEnglish(text));
    expect(english.map(([key, text]) => `${key}: ${text}`)).toEqual([]);
  });

  it('interpolations are the same in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const differ = [...FI].filter(
      ([key, text]) => JSON.stringify(names(text)) !== JSON.stringify(names(EN.get(key) ?? '')),
    );
    expect(differ.map(([key]) => key)).toEqual([]);
  });

  it('the step titles from main are translated, without internal ids', () => {
    for (const id of STEP_IDS) {
      const { fi: title, en: english } = STEP_TITLES[id];
      expect(title, id).not.toBe(english);
      expect(looksEnglish(title), `${id}: ${title}`).toBe(false);
      expect(title).not.toMatch(/\b(gcp|pre|severa|app)\.[a-z-]+/);
    }
  });

  it('uses one Finnish name per console and for domain-wide delegation', () => {
    const all = [...FI.values(), ...STEP_IDS.map((id) => STEP_TITLES[id].fi)].join('\n');
    expect(all).not.toMatch(/hallintakonsoli/i);
    expect(all).not.toMatch(/toimialueen laajuinen|laajuista siirtämistä/i);
    expect(all).not.toMatch(/Sovellusliittymän säätimet/);
    expect(all).toContain('Verkkotunnuksen laajuinen delegointi');
    expect(all).toContain('Admin-konsoli');
  });
});
