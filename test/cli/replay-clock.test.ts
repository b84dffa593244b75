/** `replay --aws` decides at the clock, as the Lambda does (issue 24): marks are never backdated. */
import { runCli } from '../support/cli.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';

const TICK = 'events/demo/07-reconcile-tick.json'; // time 2026-11-24T12:04:00Z
const IDLE_SINCE = 'ecs-pilot.idle-since';

/** The demo account with nothing waiting: its daemon-only instance is idle, so the tick marks it. */
function idleAccount(): MockedAws {
  const s = demoSnapshot();
  s.pending = [];
  s.services = [];
  return mockAws(s);
}

function idleMarks(out: { events: Array<{ calls: Array<{ command: string; input: { attributes?: Array<{ name: string; value?: string }> } }> }> }): string[] {
  return out.events.flatMap((e) => e.calls.filter((c) => c.command === 'PutAttributes').flatMap((c) => (c.input.attributes ?? []).filter((a) => a.name === IDLE_SINCE).map((a) => a.value ?? '')));
}

describe('CLI: replay --aws decides at the clock', () => {
  let aws: MockedAws | undefined;
  afterEach(() => aws?.restore());

  it('by default: the idle mark is stamped with the clock, not with the recorded event\'s time; said in a note', async () => {
    aws = idleAccount();
    const before = Date.now();
    const r = await runCli('replay', TICK, '--aws', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const [mark] = idleMarks(out);
    expect(mark).toBeDefined();
    expect(Date.parse(mark!)).toBeGreaterThanOrEqual(before);
    expect(out.notes).toContainEqual(expect.stringContaining('deciding at the clock'));
  });

  it('--at event decides at the event\'s time, --at <time> at that time, each said in the output', async () => {
    aws = idleAccount();
    const atEvent = await runCli('replay', TICK, '--aws', '--at', 'event', '--json');
    expect(idleMarks(JSON.parse(atEvent.out))).toEqual(['2026-11-24T12:04:00.000Z']);
    const atTime = await runCli('replay', TICK, '--aws', '--at', '2026-11-30T08:00:00Z');
    expect(atTime.code).toBe(0);
    expect(atTime.out).toContain('note: deciding at 2026-11-30T08:00:00.000Z (--at)');
  });

  it('--apply with another time than now is refused before anything is read: backdated marks cannot be written', async () => {
    aws = idleAccount();
    for (const at of ['event', '2026-11-24T12:04:00Z']) {
      const r = await runCli('replay', TICK, '--aws', '--apply', '--at', at);
      expect(r.code).toBe(2);
      expect(r.err).toContain('with --apply would write marks stamped with another time than now');
    }
    expect(aws.sim.log).toEqual([]);
    const applied = await runCli('replay', TICK, '--aws', '--apply', '--at', 'now');
    expect(applied.code).toBe(0);
    expect(aws.writes()).toContain('PutAttributes');
  });

  it('a bad --at is a usage error', async () => {
    const r = await runCli('replay', TICK, '--at', 'yesterday');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--at yesterday: expected now, event or an ISO 8601 time');
  });
});
