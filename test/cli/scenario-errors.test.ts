import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../support/cli.js';

const CLUSTER = resolve('events/scenarios/burst-cluster.json');

function scenarioFile(timeline: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-scenario-'));
  const file = join(dir, 'scenario.yml');
  writeFileSync(file, `name: bad\ncluster: ${CLUSTER}\ndurationMinutes: 10\ntimeline:\n${timeline}`);
  return file;
}

describe('CLI: simulate names the bad field of a scenario, never "Invalid input" alone', () => {
  it('a step kind typo says which key the step has and which kinds exist (exit 1)', async () => {
    const r = await runCli('simulate', scenarioFile('  - at: 5\n    setDesired: { service: web, count: 3 }\n  - at: 10\n    runTask: { cpu: 256, memoryMiB: 512, count: 3 }\n'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.timeline[1]: names no step kind (has `runTask`): a step has `at` and exactly one of setDesired, runTasks, spotInterruption');
    expect(r.err).not.toContain('Invalid input\n');
    expect(r.err).not.toMatch(/\$\.timeline\[1\]: Invalid input/);
    expect(r.out).toBe('');
  });

  it('a bad field inside a known kind is named with its full path', async () => {
    const r = await runCli('simulate', scenarioFile('  - at: -1\n    setDesired: { service: web }\n  - at: 20\n    spotInterruption: { group: spot, fraction: 2 }\n'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.timeline[0].at: Too small: expected number to be >=0');
    expect(r.err).toContain('$.timeline[0].setDesired.count: Invalid input: expected number, received undefined');
    expect(r.err).toContain('$.timeline[1].spotInterruption.fraction: Too big: expected number to be <=1');
  });

  it('a step with two kinds, or not an object, says so', async () => {
    const r = await runCli('simulate', scenarioFile('  - at: 5\n    setDesired: { service: web, count: 3 }\n    runTasks: { cpu: 256, memoryMiB: 512, count: 1 }\n  - 42\n'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.timeline[0]: names 2 step kinds (setDesired, runTasks)');
    expect(r.err).toContain('$.timeline[1]: a step is an object with `at` and one of setDesired, runTasks, spotInterruption');
  });

  it('a good scenario still runs (the kinds are the same schemas)', async () => {
    const r = await runCli('simulate', scenarioFile('  - at: 5\n    setDesired: { service: web, count: 3 }\n'), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
