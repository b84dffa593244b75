import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const ALARM = 'events/demo/10-alarm-worker-backlog.json';
const TICK = 'events/demo/07-reconcile-tick.json';
const T0 = new Date('2026-11-24T12:10:02Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const HIGH = 'demo-worker-backlog-high';
const LOW = 'demo-worker-backlog-low';

/** The demo config, with scale-in steps while the high alarm is OK. */
function withOkSteps() {
  const config = demoConfig();
  const rule = config.serviceScaling[0]!;
  rule.alarms = rule.alarms.map((a) => (a.alarm === HIGH ? { ...a, okSteps: [{ add: -1 }] } : a));
  return config;
}

const desiredCounts = (aws: MockedAws) => aws.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount);

describe('Reconcile: alarm scaling that keeps stepping', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('re-reads the configured alarms and applies the next step after the cooldown while the alarm stays in ALARM', async () => {
    aws.sim.alarms.set({ name: HIGH, state: 'ALARM', value: 350, threshold: 100, updatedAt: new Date('2026-11-24T12:10:00Z') });
    await invoke(DUTIES.scaling, event(ALARM), { now: T0 });
    expect(desiredCounts(aws)).toEqual([20]);

    // Inside the cooldown: the alarm is read, the service too, nothing changes.
    const early = await invoke(DUTIES.reconcile, event(TICK), { now: at(60) });
    expect(aws.cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: [HIGH, LOW], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(desiredCounts(aws)).toEqual([20]);
    expect(early.actions.filter((a) => a.kind === 'setServiceDesiredCount')).toEqual([]);

    // After the cooldown: the next step (350 − 100 → +100 %).
    const later = await invoke(DUTIES.reconcile, event(TICK), { now: at(301) });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'demo', service: 'worker', desiredCount: 30 });
    expect(later.actions.find((a) => a.kind === 'setServiceDesiredCount')?.description).toContain(`still ALARM since 2026-11-24T12:10:00.000Z`);
    // Capacity for the new tasks is raised before the service.
    const writes = aws.writes();
    expect(writes.lastIndexOf('SetDesiredCapacity')).toBeLessThan(writes.lastIndexOf('UpdateService'));
  });

  it('scales in while a low alarm is in ALARM', async () => {
    aws.sim.alarms.set({ name: LOW, state: 'ALARM', value: 0, threshold: 10, updatedAt: new Date('2026-11-24T11:00:00Z') });
    await invoke(DUTIES.reconcile, event(TICK), { now: T0 });
    // 0 − 10 = −10 → step "upper 0: −2": 10 → 8.
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'demo', service: 'worker', desiredCount: 8 });
  });

  it('scales in on OK with okSteps: at the OK transition, then after each cooldown while it stays OK', async () => {
    const config = withOkSteps();
    const ok = event(ALARM);
    ok.id = 'ok-transition';
    ok.detail.state = { value: 'OK', reasonData: JSON.stringify({ version: '1.0', recentDatapoints: [20.0], threshold: 100.0 }), timestamp: '2026-11-24T12:10:00.000+0000' };
    const record = await invoke(DUTIES.scaling, ok, { now: T0, config });
    expect(record.outcome).toBe('acted');
    expect(desiredCounts(aws)).toEqual([9]);

    aws.sim.alarms.set({ name: HIGH, state: 'OK', value: 20, threshold: 100, updatedAt: new Date('2026-11-24T12:10:00Z') });
    await invoke(DUTIES.reconcile, event(TICK), { now: at(120), config });
    expect(desiredCounts(aws)).toEqual([9]);
    await invoke(DUTIES.reconcile, event(TICK), { now: at(301), config });
    expect(desiredCounts(aws)).toEqual([9, 8]);
  });

  it('an OK alarm without okSteps, or no alarm in ALARM: one DescribeAlarms, no service read', async () => {
    aws.sim.alarms.set({ name: HIGH, state: 'OK', value: 20, threshold: 100, updatedAt: new Date('2026-11-24T12:10:00Z') });
    const record = await invoke(DUTIES.reconcile, event(TICK), { now: T0 });
    expect(aws.cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    // The cluster read's one DescribeServices (service deficits), no read of the scaled service (with its tags).
    expect(aws.ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(aws.ecs).not.toHaveReceivedCommandWith(DescribeServicesCommand, { include: ['TAGS'] } as never);
    expect(record.actions.filter((a) => a.kind === 'setServiceDesiredCount')).toEqual([]);
  });
});
