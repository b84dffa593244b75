import { readdirSync } from 'node:fs';
import { EventValidationError, parseEvent } from '../../src/events/index.js';
import { loadJson } from '../support/builders.js';

const outcome = (path: string): string => {
  try {
    const parsed = parseEvent(loadJson(path));
    return parsed.outcome === 'parsed' ? parsed.event.kind : 'ignored';
  } catch (e) {
    if (e instanceof EventValidationError) return `rejected ${e.issues.map((i) => i.path).join(' ')}`;
    throw e;
  }
};

describe('Function: parseEvent on every recorded event', () => {
  it.each([
    ['demo/01-spot-interruption-warning.json', 'spot-interruption'],
    ['demo/02-service-task-placement-failure.json', 'service-action'],
    ['demo/03-task-provisioning.json', 'task-state-change'],
    ['demo/04-terminate-lifecycle-action.json', 'terminate-lifecycle-action'],
    ['demo/05-container-instance-draining.json', 'container-instance-state-change'],
    ['demo/06-rebalance-recommendation.json', 'rebalance-recommendation'],
    ['demo/07-reconcile-tick.json', 'scheduled'],
    ['samples/ec2-spot-instance-interruption-warning.docs-template.json', 'rejected $.time $.detail["instance-action"]'],
    ['samples/ec2-instance-rebalance-recommendation.docs-template.json', 'rejected $.time'],
    ['samples/ec2-instance-terminate-lifecycle-action.basic.json', 'terminate-lifecycle-action'],
    ['samples/ec2-instance-terminate-lifecycle-action.asg-to-warmpool.json', 'terminate-lifecycle-action'],
    ['samples/ecs-task-state-change.running-ec2-launchtype.json', 'task-state-change'],
    ['samples/ecs-task-state-change.stopped-user-initiated-ec2.json', 'task-state-change'],
    ['samples/ecs-service-action.service-task-placement-failure.ec2-cpu.json', 'service-action'],
    ['samples/ecs-container-instance-state-change.active.json', 'container-instance-state-change'],
    ['samples/scheduled-event.eventbridge-docs.json', 'scheduled'],
    ['samples/ec2-instance-launch-lifecycle-action.basic.json', 'ignored'],
    ['samples/ec2-instance-state-change-notification.terminated.json', 'instance-state-change'],
    ['samples/ec2-instance-state-change-notification.pending.json', 'instance-state-change'],
    ['samples/ec2-instance-state-change-notification.terminated-replay.powertools.json', 'rejected $.detail["instance-id"]'],
    ['samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json', 'health-scheduled-change'],
    ['samples/aws-health-event.ec2-dedicated-host-maintenance.nth-template.json', 'health-scheduled-change'],
    ['samples/cloudwatch-alarm-state-change.single-metric.json', 'alarm-state-change'],
    ['samples/cloudwatch-alarm-state-change.composite-with-suppressor.json', 'alarm-state-change'],
    ['samples/cloudwatch-alarm-lambda-action.metric.json', 'alarm-state-change'],
    ['samples/cloudwatch-alarm-sns.single-metric.json', 'rejected $.id $.source $["detail-type"] $.time $.detail'],
    ['demo/08-job-schedule.json', 'job-schedule'],
    ['demo/10-alarm-worker-backlog.json', 'alarm-state-change'],
    ['samples/ecs-deployment-state-change.completed.json', 'ignored'],
  ])('%s → %s', (file, expected) => {
    expect(outcome(`events/${file}`)).toBe(expected);
  });

  it('never throws anything but EventValidationError on any recorded JSON event', () => {
    const files = readdirSync('events/samples').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) expect(() => outcome(`events/samples/${f}`)).not.toThrow();
  });

  it('reads the fields of a terminate lifecycle action', () => {
    const parsed = parseEvent(loadJson('events/samples/ec2-instance-terminate-lifecycle-action.asg-to-warmpool.json'));
    expect(parsed).toEqual({
      outcome: 'parsed',
      event: expect.objectContaining({ asg: 'my-asg', hookName: 'my-termination-lifecycle-hook', instanceId: 'i-1234567890abcdef0', destination: 'WarmPool' }),
    });
  });

  it('reads an alarm datapoint and threshold, and suppressed actions', () => {
    const single = parseEvent(loadJson('events/samples/cloudwatch-alarm-state-change.single-metric.json'));
    expect(single).toEqual({ outcome: 'parsed', event: expect.objectContaining({ alarmName: 'ServerCpuTooHigh', state: 'ALARM', metricValue: 99.50160229693434, threshold: 50, suppressed: false }) });
    const composite = parseEvent(loadJson('events/samples/cloudwatch-alarm-state-change.composite-with-suppressor.json'));
    expect(composite).toEqual({ outcome: 'parsed', event: expect.objectContaining({ metricValue: undefined, suppressed: true }) });
  });

  it('rejects a non-object with no id', () => {
    expect(() => parseEvent('hello')).toThrow(EventValidationError);
    expect(() => parseEvent(null)).toThrow('event (no id) rejected');
  });
});
