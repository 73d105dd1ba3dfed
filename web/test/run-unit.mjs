// Bundles test/*.test.ts (and what they import from src/) with esbuild, then runs them with
// node's test runner.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith('.test.ts'));
const out = mkdtempSync(join(tmpdir(), 'fluenzr-web-unit-'));
try {
  await build({
    entryPoints: files.map((f) => join(here, f)),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    define: { 'import.meta.env.BASE_URL': '"/app/"' },
    logLevel: 'warning',
  });
  const tests = readdirSync(out).filter((f) => f.endsWith('.mjs')).map((f) => join(out, f));
  const run = spawnSync(process.execPath, ['--test', ...tests], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
