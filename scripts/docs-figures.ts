/**
 * npm run docs:figures [-- --check | --rerun] — rewrites every figure the docs quote (README.md,
 * docs/*.md) from the files the benches write (docs/figures/*.json; see bench/figures.ts).
 * `--check` changes nothing and exits 1 naming the pages that are out of date, as
 * test/docs/figures.test.ts does. `--rerun` first runs again the command each figures file names
 * (`npm run bench:…`), so one command refreshes every figure after the code changed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { quotingPages, readFigures, renderPage } from '../bench/figures.js';

const check = process.argv.includes('--check');
if (process.argv.includes('--rerun')) {
  for (const { command } of Object.values(readFigures())) {
    console.log(`> ${command}`);
    const run = spawnSync(command, { shell: true, stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${command} failed (exit ${run.status})`);
  }
}
const files = readFigures();
const stale: string[] = [];
for (const page of quotingPages()) {
  const text = readFileSync(page, 'utf8');
  const rendered = renderPage(text, files);
  if (rendered === text) continue;
  stale.push(page);
  if (!check) writeFileSync(page, rendered);
}
console.log(stale.length === 0 ? 'docs figures: up to date' : `${check ? 'out of date' : 'rewritten'}: ${stale.join(', ')}`);
if (check && stale.length > 0) process.exitCode = 1;
