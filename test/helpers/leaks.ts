import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pieces of a PEM that would give it away: each base64 line, and the body in one string. */
export function pemFragments(pem: string): string[] {
  const lines = pem
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith('-----'));
  return [...lines, lines.join('')];
}

/** Every file under `dir` (recursively), read as latin1 so binary files compare bytewise. */
export function textOfEveryFile(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = join(entry.parentPath, entry.name);
      out[file] = readFileSync(file, 'latin1');
    }
  }
  return out;
}
