import { Readable } from 'node:stream';
import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { CLIENT_OPTIONS } from '../../src/aws/clients.js';
import { ActuationError } from '../../src/controller.js';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';

const SPOT = 'events/demo/01-spot-interruption-warning.json';

describe('Faults', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('fails loudly (for redelivery) when a read is throttled past the SDK retries, writing nothing', async () => {
    aws.sim.failNext('DescribeAutoScalingGroups', new SimulatedServiceError('ThrottlingException', 'Rate exceeded'));
    await expect(invoke(DUTIES.spot, event(SPOT))).rejects.toThrow('Rate exceeded');
    expect(aws.writes()).toEqual([]);
    expect(aws.autoscaling).toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
  });

  it('a 5xx on a write fails the invocation after the other writes; the redelivery finishes the job without repeating them', async () => {
    aws.sim.failNext('SetDesiredCapacity', new SimulatedServiceError('InternalFailure', 'We encountered an internal error', 'server'));
    const error = await invoke(DUTIES.spot, event(SPOT)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActuationError);
    expect((error as ActuationError).record.outcome).toBe('failed');
    expect((error as ActuationError).record.failures).toEqual([{ action: 'setDesiredCapacity', items: ['ecs-pilot-demo-spot-general'], error: 'InternalFailure: We encountered an internal error' }]);
    expect(aws.sim.instance('i-0a1b2c3d4e5f60003')?.status).toBe('DRAINING');

    const retry = await invoke(DUTIES.spot, event(SPOT));
    expect(retry.outcome).toBe('acted');
    // The mark was not written after the failure, so the replacement is decided again; the drain is not.
    expect(retry.actions.map((a) => a.kind)).toEqual(['setDesiredCapacity', 'markInstance']);
    expect(aws.sim.desired('ecs-pilot-demo-spot-general')).toBe(6);
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 2);
  });
});

describe('SDK clients: adaptive retries', () => {
  it('retry throttling and 5xx answers within the attempt budget', async () => {
    // A real client over a fake HTTP handler: two failures, then success.
    const answers = [
      { statusCode: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' },
      { statusCode: 503, body: '{"__type":"ServerException","message":"unavailable"}' },
      { statusCode: 200, body: '{"containerInstanceArns":["arn:ci/1"]}' },
    ];
    let attempts = 0;
    const requestHandler = {
      handle: async () => {
        const a = answers[Math.min(attempts++, answers.length - 1)]!;
        return { response: { statusCode: a.statusCode, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(a.body)]) } };
      },
    };
    const client = new ECSClient({ ...CLIENT_OPTIONS, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, requestHandler });
    const out = await client.send(new ListContainerInstancesCommand({ cluster: 'demo' }));
    expect(out.containerInstanceArns).toEqual(['arn:ci/1']);
    expect(attempts).toBe(3);
  });

  it('give up after maxAttempts so the handler fails inside its time budget', async () => {
    let attempts = 0;
    const requestHandler = {
      handle: async () => {
        attempts++;
        return { response: { statusCode: 400, headers: {}, body: Readable.from([Buffer.from('{"__type":"ThrottlingException","message":"Rate exceeded"}')]) } };
      },
    };
    const client = new ECSClient({ ...CLIENT_OPTIONS, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, requestHandler });
    await expect(client.send(new ListContainerInstancesCommand({ cluster: 'demo' }))).rejects.toThrow('Rate exceeded');
    expect(attempts).toBe(CLIENT_OPTIONS.maxAttempts);
  });
});
