import { parseConfig } from '../../src/config/load.js';
import { applyStep, bounds, decideAlarmScaling, decideScheduledScaling, stepFor, type ServiceState } from '../../src/core/scaling/service-scaling.js';

const rule = parseConfig({
  clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'a' }] }],
  serviceScaling: [
    {
      cluster: 'c',
      service: 'web',
      minTasks: 2,
      maxTasks: 20,
      cooldownSeconds: 300,
      alarms: [
        { alarm: 'high', steps: [{ lower: 0, upper: 50, add: 2 }, { lower: 50, addPercent: 50 }] },
        { alarm: 'low', steps: [{ upper: 0, addPercent: -30 }] },
      ],
      schedules: [{ schedule: 'cron(0 8 ? * MON-FRI *)', minTasks: 6, maxTasks: 30 }, { schedule: 'cron(0 20 ? * * *)', desired: 1 }],
    },
  ],
}).serviceScaling[0]!;

const NOW = new Date('2026-11-24T12:00:00Z');
const svc = (overrides: Partial<ServiceState> = {}): ServiceState => ({ cluster: 'c', name: 'web', arn: 'arn:aws:ecs:r:1:service/c/web', desired: 4, protectedTasks: 0, tags: {}, ...overrides });
const alarm = (name: string, value?: number, threshold?: number, extra: Record<string, unknown> = {}) => ({ eventId: 'e-1', alarmName: name, state: 'ALARM', metricValue: value, threshold, suppressed: false, ...extra });
const target = (d: ReturnType<typeof decideAlarmScaling>) => ('change' in d ? (d.change.kind === 'setServiceDesiredCount' ? d.change.desiredCount : undefined) : d.skip);

describe('Service scaling decisions', () => {
  it.each([
    [[{ lower: 0, upper: 50, add: 2 }, { lower: 50, add: 5 }], 10, 2],
    [[{ lower: 0, upper: 50, add: 2 }, { lower: 50, add: 5 }], 50, 5],
    [[{ lower: 0, upper: 50, add: 2 }], -1, undefined],
    [[{ upper: 0, add: -1 }], -0.5, -1],
  ])('stepFor(%j, %d) adds %s', (steps, delta, add) => {
    expect(stepFor(steps as never, delta)?.add).toBe(add);
  });

  it.each([
    [{ add: 3 }, 4, 7],
    [{ set: 9 }, 4, 9],
    [{ addPercent: 50 }, 4, 6],
    [{ addPercent: 10 }, 4, 5], // 0.4 task: at least one
    [{ addPercent: -30 }, 4, 3], // −1.2 → −1
    [{ addPercent: -30 }, 10, 7],
  ])('applyStep(%j) on %d → %d', (step, desired, expected) => {
    expect(applyStep(step as never, desired)).toBe(expected);
  });

  it('picks the step from (datapoint − threshold) and clamps to max', () => {
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100), svc(), NOW))).toBe(6);
    expect(target(decideAlarmScaling(rule, alarm('high', 200, 100), svc({ desired: 16 }), NOW))).toBe(20);
  });

  it('without a datapoint (composite alarms) uses the band holding 0', () => {
    expect(target(decideAlarmScaling(rule, alarm('high'), svc(), NOW))).toBe(6);
  });

  it('never scales in below min, nor below the tasks with scale-in protection', () => {
    expect(target(decideAlarmScaling(rule, alarm('low', 1, 10), svc({ desired: 2 }), NOW))).toBe('web stays at 2 (bounds 2..20)');
    expect(target(decideAlarmScaling(rule, alarm('low', 1, 10), svc({ desired: 10, protectedTasks: 9 }), NOW))).toBe(9);
  });

  it('ignores duplicates, the cooldown, OK states and suppressed actions', () => {
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100), svc({ tags: { 'ecs-pilot:scaled-by': 'e-1' } }), NOW))).toBe('already scaled for event e-1');
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100, { eventId: 'e-2' }), svc({ tags: { 'ecs-pilot:scaled-at': '2026-11-24T11:58:00Z' } }), NOW))).toBe('inside the cooldown: scaled 120 s ago, cooldown 300 s');
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100, { eventId: 'e-2' }), svc({ tags: { 'ecs-pilot:scaled-at': '2026-11-24T11:50:00Z' } }), NOW))).toBe(6);
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100, { state: 'OK' }), svc(), NOW))).toBe('alarm high is OK');
    expect(target(decideAlarmScaling(rule, alarm('high', 120, 100, { suppressed: true }), svc(), NOW))).toBe('actions of alarm high are suppressed');
  });

  it('schedules set the bounds (kept on the service) and clamp the count into them', () => {
    const morning = decideScheduledScaling(rule, 0, 's-1', svc({ desired: 3 }), NOW);
    expect(morning).toEqual([
      expect.objectContaining({ kind: 'setServiceBounds', minTasks: 6, maxTasks: 30 }),
      expect.objectContaining({ kind: 'setServiceDesiredCount', desiredCount: 6 }),
    ]);
    expect(bounds(rule, svc({ tags: { 'ecs-pilot:min-tasks': '6', 'ecs-pilot:max-tasks': '30' } }))).toEqual({ min: 6, max: 30 });
    // Evening: desired 1, but the bounds (from the morning's tags) keep 6.
    expect(decideScheduledScaling(rule, 1, 's-2', svc({ desired: 12, tags: { 'ecs-pilot:min-tasks': '6', 'ecs-pilot:max-tasks': '30' } }), NOW)).toEqual([
      expect.objectContaining({ kind: 'setServiceDesiredCount', desiredCount: 6 }),
    ]);
  });
});

describe('Config: serviceScaling', () => {
  it.each([
    [{ steps: [{ add: 1, set: 2 }] }, 'a step needs exactly one of add, addPercent, set'],
    [{ steps: [{ lower: 5, upper: 1, add: 1 }] }, 'lower must be below upper'],
  ])('rejects %j', (alarmPart, message) => {
    expect(() =>
      parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'a' }] }], serviceScaling: [{ cluster: 'c', service: 's', minTasks: 1, maxTasks: 2, alarms: [{ alarm: 'x', ...alarmPart }] }] }),
    ).toThrow(message);
  });
});
