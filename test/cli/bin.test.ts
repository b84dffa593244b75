/**
 * The command as installed (package.json "bin"): a fresh node process through tsx, so seconds of
 * start-up per run: in the packaging tier (what ships), not the unit tier.
 */
import { spawnSync } from 'node:child_process';

describe('bin/ecs-pilot.mjs', () => {
  it('runs the CLI as a command, with its exit codes', () => {
    const help = spawnSync('node', ['bin/ecs-pilot.mjs', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: ecs-pilot');
    expect(spawnSync('node', ['bin/ecs-pilot.mjs', 'plan'], { encoding: 'utf8' }).status).toBe(2);
  });
});
