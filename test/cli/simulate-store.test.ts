import { runCli } from '../support/cli.js';

describe('simulate --store', () => {
  it('runs ecs-pilot with its state store by default, as deployed, and says what the store received, with the series', async () => {
    const { code, out } = await runCli('simulate', 'events/scenarios/spot-wave.yml', '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out) as { controller: string; series: unknown[]; settings: { store: boolean }; metrics: { stateEvents: { applied: number; gaps: number } } };
    expect(r.controller).toBe('ecs-pilot');
    expect(r.series.length).toBeGreaterThan(50);
    expect(r.settings.store).toBe(true);
    expect(r.metrics.stateEvents.applied).toBeGreaterThan(0);
    expect(r.metrics.stateEvents.gaps).toBe(0);
  });

  it('--store off: every duty reads the APIs in full, no store figures', async () => {
    const { code, out } = await runCli('simulate', 'events/scenarios/spot-wave.yml', '--store', 'off', '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out) as { settings: { store: boolean }; metrics: Record<string, unknown> };
    expect(r.settings.store).toBe(false);
    expect(r.metrics.stateEvents).toBeUndefined();
  });

  it('rejects a value other than on or off (usage error)', async () => {
    const { code, err } = await runCli('simulate', 'events/scenarios/spot-wave.yml', '--store', 'maybe');
    expect(code).toBe(2);
    expect(err).toContain('--store must be on or off');
  });

  it('is listed in --help', async () => {
    const { out } = await runCli('simulate', '--help');
    expect(out).toContain('--store <on|off>');
  });
});
