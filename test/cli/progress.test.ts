import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { terminalProgress, type Progress } from '../../src/cli/progress.js';

function scenario(minutes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-progress-'));
  const file = join(dir, 'scenario.yml');
  writeFileSync(file, `name: short\ncluster: ${resolve('events/scenarios/burst-cluster.json')}\ndurationMinutes: ${minutes}\ntimeline: []\n`);
  return file;
}

/** An io like a terminal's: it offers a progress bar and records what the command did with it. */
function terminalIo() {
  const out: string[] = [];
  const labels: string[] = [];
  const updates: Array<[number, number]> = [];
  let stopped = 0;
  const progress = (label: string): Progress => {
    labels.push(label);
    return { update: (d, t) => updates.push([d, t]), stop: () => (stopped += 1) };
  };
  return { io: { out: (t: string) => out.push(t), err: () => {}, progress }, out, labels, updates, stopped: () => stopped };
}

describe('simulate: progress on a terminal only', () => {
  it('text output on a terminal: one bar per run, every simulated minute, up to the end, then stopped before the result', async () => {
    const t = terminalIo();
    const code = await main(['simulate', scenario(10)], t.io);
    expect(code).toBe(0);
    expect(t.labels).toEqual(['short (ecs-pilot)']);
    expect(t.updates.map(([d]) => d)).toEqual([0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600]);
    expect(t.updates.every(([, total]) => total === 600)).toBe(true);
    expect(t.stopped()).toBe(1);
    expect(t.out.join('\n')).toContain('Scenario short under ecs-pilot');
  });

  it('--json never shows progress, even on a terminal', async () => {
    const t = terminalIo();
    const code = await main(['simulate', scenario(5), '--json'], t.io);
    expect(code).toBe(0);
    expect(t.labels).toEqual([]);
    expect(JSON.parse(t.out.join('\n')).metrics).toBeDefined();
  });

  it('the bar writes nothing to a stream that is not a terminal (piped output)', () => {
    const written: string[] = [];
    const piped = { isTTY: false, write: (s: string) => written.push(s) > 0, columns: 80 } as unknown as NodeJS.WriteStream;
    const bar = terminalProgress('x', piped);
    bar.update(0, 100);
    bar.update(100, 100);
    bar.stop();
    expect(written).toEqual([]);
  });

  it('on a terminal stream it draws the bar and clears it when done', () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) > 0, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => tty, removeListener: () => tty } as unknown as NodeJS.WriteStream;
    const bar = terminalProgress('burst (ecs-pilot)', tty);
    bar.update(0, 600);
    bar.update(600, 600);
    bar.stop();
    expect(written.join('')).toContain('burst (ecs-pilot)');
    expect(written.join('')).toContain('600/600 simulated s');
  });
});
