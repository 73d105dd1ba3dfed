// Fails when the JavaScript of the first page (what dist/index.html loads: its module scripts and
// their modulepreloads) passes the budget, gzipped. Also reports every chunk, lazy ones included.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dist = process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const firstPage = new Set();
for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) firstPage.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) firstPage.add(m[1]);
if (firstPage.size === 0) {
  console.error('check-size: dist/index.html loads no script; was the app built?');
  process.exit(1);
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1);
const local = (url) => join(dist, url.replace(/^\/app\//, ''));

let first = 0;
for (const url of firstPage) {
  const size = gz(local(url));
  first += size;
  console.log(`  first page  ${kb(size).padStart(6)} KB  ${url}`);
}
let all = 0;
for (const name of readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).sort()) {
  const size = gz(join(dist, 'assets', name));
  all += size;
  if (![...firstPage].some((u) => u.endsWith(`/${name}`))) console.log(`  lazy        ${kb(size).padStart(6)} KB  /app/assets/${name}`);
}
console.log(`JavaScript gzipped: first page ${kb(first)} KB of ${BUDGET_KB} KB; all chunks ${kb(all)} KB`);
if (first > BUDGET_KB * 1024) {
  console.error(`check-size: the first page loads ${kb(first)} KB of gzipped JavaScript, over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
