/** `ecs-pilot simulate --faults`: the flags other tools use, their errors (exit 2) and what --json adds. */
import { runCli } from '../support/cli.js';

const TINY = 'test/fixtures/simulate/tiny.yml';

describe('simulate --faults', () => {
  it.each([
    [['--faults', 'bogus=0.1'], /unknown kind "bogus"/],
    [['--faults', 'api-error=1.2'], /rate of api-error must be a fraction from 0 to 1/],
    [['--faults', 'event-delay=-5'], /event-delay takes the most seconds/],
    [['--faults', 'crash=0.1', '--faults-until', '5000'], /--faults-until must be an integer from 0 to 1200/],
    [['--faults', 'crash=0.1', '--seed', 'x'], /--seed must be an integer/],
    [['--seed', '3'], /--seed applies with --faults/],
    [['--faults-until', '60'], /--faults-until applies with --faults/],
    [['--faults', 'crash=0.1', '--controller', 'ecs-managed'], /--faults applies to --controller ecs-pilot/],
  ])('%j is a usage error (exit 2) with a clear message', async (flags, message) => {
    const r = await runCli('simulate', TINY, ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('--help documents every kind and the flags', async () => {
    const r = await runCli('simulate', '--help');
    for (const text of ['--faults <kind=rate,...>', '--faults-until <seconds>', '--seed <n>', 'api-error', 'throttle', 'lost-response', 'crash', 'event-drop', 'event-duplicate', 'event-delay=<max seconds>', 'overlap']) expect(r.out).toContain(text);
  });

  it('--json adds the plan, what was injected, the invariants and the violations against the run without faults', async () => {
    const r = await runCli('simulate', TINY, '--faults', 'lost-response=50%,event-duplicate=0.3', '--faults-until', '600', '--seed', '4', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.faults.plan).toEqual({ rates: { 'lost-response': 0.5, 'event-duplicate': 0.3 }, untilSeconds: 600, seed: 4 });
    expect(json.faults.injected['event-duplicate']).toBeGreaterThan(0);
    expect(json.faults.injected['api-error']).toBe(0);
    expect(Object.keys(json.invariants).sort()).toEqual(['busyInstancesTerminated', 'desiredOutOfBounds', 'drainingStranded', 'failedInvocationsAfterRecovery', 'hookTimeouts', 'killedByScaleIn', 'lostTasks', 'tasksNeverPlaced']);
    expect(Array.isArray(json.violations)).toBe(true);
    expect(json.faultFree.metrics.instanceHours).toBeGreaterThan(0);
  });

  it('without --faults the output has none of it', async () => {
    const json = JSON.parse((await runCli('simulate', TINY, '--json')).out);
    expect(json.faults).toBeUndefined();
    expect(json.invariants).toBeUndefined();
  });
});
