/** Issue 24, item 7: `simulate --report` shows the run beside a baseline (ECS tuned) unless --no-baseline. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const TINY = 'test/fixtures/simulate/tiny.yml';
const file = (): string => join(mkdtempSync(join(tmpdir(), 'ecs-pilot-report-')), 'tiny.html');

describe('CLI: simulate --report', () => {
  it('puts ECS tuned beside the run as the baseline, says what it is, and compares each figure with it', async () => {
    const out = file();
    const r = await runCli('simulate', TINY, '--report', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('2 runs on the same scenario: ecs-pilot own, ECS tuned.');
    expect(html).toContain('<th>ECS tuned<br><span class="base">baseline</span></th>');
    expect(html).toContain('ECS tuned, the baseline: ECS managed scaling with instanceWarmupPeriod = the instance boot time and ECS_ENABLE_SPOT_INSTANCE_DRAINING=true');
    expect(html).toMatch(/<td>instance-hours<\/td><td>h<\/td><td>[\d.]+ <span class="ratio[ a-z]*">(×[\d.]+|=)<\/span><\/td><td>[\d.]+<\/td>/);
    expect(html).toContain('<h4>ECS tuned</h4>');
    expect(html).toContain('<dt>instanceWarmupSeconds</dt><dd>120</dd>');
  });

  it('--no-baseline: the run alone; without --report it is a usage error', async () => {
    const out = file();
    const r = await runCli('simulate', TINY, '--report', out, '--no-baseline');
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('One run, under ecs-pilot own.');
    expect(html).not.toContain('ECS tuned');
    const bad = await runCli('simulate', TINY, '--no-baseline');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--no-baseline applies with --report');
  });

  it('the text output says what each count is: asked for, reached RUNNING, running at the end', async () => {
    const r = await runCli('simulate', TINY);
    expect(r.out).toContain('  tasks asked for               9 (9 reached RUNNING)\n');
    expect(r.out).toContain('  tasks running at the end      6\n');
  });
});
