import { afterEach } from 'vitest';
import { takeDocumentViolations } from '../../main/core/sandbox/severa/document';

/**
 * Every test is also a check against Severa's OpenAPI document: a Severa sandbox of this process
 * that saw a request or gave an answer departing from it fails the test that caused it. A test
 * that departs on purpose takes its violations (`takeDocumentViolations()`) and asserts them.
 */
afterEach(() => {
  const violations = takeDocumentViolations();
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) => `${v.where} ${v.method} ${v.path} (${v.operationId ?? '?'}): ${v.problems.join('; ')}`,
  );
  throw new Error(`Departures from Severa's OpenAPI document:\n${lines.join('\n')}`);
});
