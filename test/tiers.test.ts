/**
 * The test tiers (jest.config.cjs): every test file in exactly one, and none of the slow kinds of work
 * hidden in the unit tier, so `npm run test:unit` stays the fast inner loop.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const { TIERS } = require('./support/tiers.cjs') as { TIERS: Record<string, string[]> };

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}

const listed = Object.values(TIERS).flat();
// This file names the patterns below: not a match for them.
const unit = testFiles('test').filter((f) => !listed.includes(f) && f !== 'test/tiers.test.ts');

/** What makes a file belong to another tier: the work it does, recognised in its source. */
const SLOW_WORK: Array<[string, RegExp]> = [
  ['simulation (runs whole scenarios)', /^import (?!type)[^;]*from '[./]*(src\/)?sim\/run\.js'|scenario-runs\.js'|runCli\('simulate', 'events\/scenarios\//m],
  ['packaging (osls package, or the command in its own process)', /packaged\.js'|'osls'|bin\/ecs-pilot\.mjs/],
  ['browser (chromium)', /chromium/],
];

describe('Test tiers (jest.config.cjs)', () => {
  it('lists only test files that exist, each in one tier', () => {
    for (const file of listed) expect(existsSync(file) ? file : `${file} (missing)`).toBe(file);
    expect(new Set(listed).size).toBe(listed.length);
    for (const file of listed) expect(file).toMatch(/^test\/.+\.test\.ts$/);
  });

  it('leaves in the unit tier (every other test file) no whole scenario, packaging, browser or long property run', () => {
    expect(unit.length).toBeGreaterThan(40);
    const misplaced = unit.flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const work = SLOW_WORK.filter(([, pattern]) => pattern.test(source)).map(([tier]) => `${file}: ${tier}`);
      return file.endsWith('.property.test.ts') ? [...work, `${file}: property (fast-check over hundreds of cases)`] : work;
    });
    expect(misplaced).toEqual([]);
  });
});
