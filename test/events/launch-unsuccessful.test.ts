/** EC2 Instance Launch Unsuccessful (issue 20): the recorded sample, an empty instance id, a malformed detail. */
import { parseEvent } from '../../src/events/index.js';
import { EventValidationError } from '../../src/events/envelope.js';
import { loadJson } from '../support/builders.js';

const SAMPLE = 'events/samples/ec2-instance-launch-unsuccessful.basic.json';

describe('Function: parseEvent (EC2 Instance Launch Unsuccessful)', () => {
  it('parses the recorded sample', () => {
    // Act
    const parsed = parseEvent(loadJson(SAMPLE));
    // Assess
    expect(parsed).toMatchObject({
      outcome: 'parsed',
      event: { kind: 'launch-unsuccessful', asg: 'my-auto-scaling-group', activityId: '87654321-4321-4321-4321-210987654321', statusCode: 'Failed', statusMessage: 'message-text', az: 'us-west-2b', subnet: 'subnet-12345678', instanceId: 'i-1234567890abcdef0' },
    });
  });

  it('takes an empty EC2InstanceId (no instance was created) as none', () => {
    // Prepare
    const raw = loadJson(SAMPLE);
    raw.detail.EC2InstanceId = '';
    // Act
    const parsed = parseEvent(raw);
    // Assess
    expect(parsed.outcome === 'parsed' && parsed.event.kind === 'launch-unsuccessful' && parsed.event.instanceId).toBeUndefined();
  });

  it('rejects a detail without its group, naming the field', () => {
    // Prepare
    const raw = loadJson(SAMPLE);
    delete raw.detail.AutoScalingGroupName;
    // Act & Assess
    expect(() => parseEvent(raw)).toThrow(EventValidationError);
    expect(() => parseEvent(raw)).toThrow(/AutoScalingGroupName/);
  });
});
