import { parseEvent } from '../../src/events/index.js';
import { loadJson } from '../support/builders.js';

const parsed = (e: unknown) => {
  const p = parseEvent(e);
  if (p.outcome !== 'parsed') throw new Error(p.reason);
  return p.event;
};

describe('Function: parseEvent on AWS Health and EC2 state-change events', () => {
  it('reads a recorded EC2 retirement: RFC 1123 start time, instances from affectedEntities and resources', () => {
    expect(parsed(loadJson('events/samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json'))).toEqual({
      id: '00fdef86-e930-cc2a-3bf7-1fd61ab3c89f',
      time: '2018-11-01T22:00:00Z',
      source: 'aws.health',
      detailType: 'AWS Health Event',
      kind: 'health-scheduled-change',
      service: 'EC2',
      category: 'scheduledChange',
      eventTypeCode: 'AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED',
      statusCode: undefined,
      startTime: '2018-11-01T22:00:00.000Z',
      instanceIds: ['i-0c608386538544571'],
    });
  });

  it('takes an ISO start time, and ignores entities that are not instance ids', () => {
    const e = loadJson('events/samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json');
    e.detail.startTime = '2026-12-01T08:00:00Z';
    e.detail.statusCode = 'upcoming';
    e.detail.affectedEntities = [{ entityValue: 'vol-0abc' }, { entityValue: 'i-0123456789abcdef0' }];
    e.resources = [];
    expect(parsed(e)).toMatchObject({ startTime: '2026-12-01T08:00:00.000Z', statusCode: 'upcoming', instanceIds: ['i-0123456789abcdef0'] });
  });

  it('rejects an unreadable start time, naming the field', () => {
    const e = loadJson('events/samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json');
    e.detail.startTime = 'soon';
    expect(() => parseEvent(e)).toThrow('event 00fdef86-e930-cc2a-3bf7-1fd61ab3c89f rejected: $.detail.startTime: expected a date (RFC 1123 or ISO 8601)');
  });

  it('reads an instance state change', () => {
    expect(parsed(loadJson('events/samples/ec2-instance-state-change-notification.terminated.json'))).toMatchObject({ kind: 'instance-state-change', instanceId: 'i-1234567890abcdef0', state: 'terminated' });
  });
});
