import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import type { SQSEvent } from 'aws-lambda';
import { awsClients } from '../../src/aws/clients.js';
import { DUTIES } from '../../src/duties/index.js';
import { runSqsBatch } from '../../src/handlers/sqs-batch.js';
import { sqsBatchHandler } from '../../src/handlers/wire.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { context, demoConfig, event, NOW } from '../support/handlers.js';

const TASK = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/demo/wrk${String(n).padStart(28, '0')}`;

function provisioning(n: number) {
  const e = event('events/demo/03-task-provisioning.json');
  e.id = `prov-${n}`;
  e.detail.taskArn = TASK(n);
  return e;
}

const sqs = (bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body }) as SQSEvent['Records'][number]) });

describe('Handler: capacity, fed by SQS batches', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('plans once for a burst: the batch\'s later events of the cluster are covered', async () => {
    const events = [3, 4, 5, 6, 7, 8, 9, 10].map((n) => JSON.stringify(provisioning(n)));
    const { response, records } = await runSqsBatch(DUTIES.capacity, sqs(events), { config: demoConfig(), clients: awsClients(), now: NOW });
    expect(response.batchItemFailures).toEqual([]);
    expect(records.map((r) => r.outcome)).toEqual(['acted', ...Array(7).fill('ignored')]);
    expect(records[1]?.reason).toBe('covered by event prov-3 in the same batch');
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 3); // one per group that needs more
    expect(aws.sim.log.filter((c) => c.command === 'ListContainerInstances')).toHaveLength(1);
  });

  it('reports malformed and failed records back to SQS, keeps the rest', async () => {
    const bad = provisioning(3);
    delete bad.detail.taskArn;
    const out = await sqsBatchHandler(DUTIES.capacity, () => ({ config: demoConfig(), clients: awsClients(), now: NOW }))(sqs(['{not json', JSON.stringify(bad), JSON.stringify(provisioning(4))]), context);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(aws.autoscaling).toHaveReceivedCommand(SetDesiredCapacityCommand);
  });

  it('a batch whose every record fails reports each of them (no whole-batch error)', async () => {
    const { response } = await runSqsBatch(DUTIES.capacity, sqs(['{not json', '[1,']), { config: demoConfig(), clients: awsClients(), now: NOW });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
  });

  it('a stale first event does not stop the plan: the batch is one decision, planned once for the next live event', async () => {
    aws.sim.setTaskStatus(TASK(3), 'RUNNING');
    const { records } = await runSqsBatch(DUTIES.capacity, sqs([JSON.stringify(provisioning(3)), JSON.stringify(provisioning(4))]), { config: demoConfig(), clients: awsClients(), now: NOW });
    expect(records.map((r) => r.outcome)).toEqual(['acted', 'ignored']);
    expect(records[1]?.reason).toBe(`covered by event ${records[0]?.eventId} in the same batch`);
    // Two staleness checks (the first event's task is RUNNING), one cluster read.
    expect(aws.sim.log.filter((c) => c.command === 'DescribeTasks' && (c.input as { tasks?: string[] }).tasks?.length === 1)).toHaveLength(2);
  });

  it('all stale: nothing is read or written, and the record says why', async () => {
    aws.sim.setTaskStatus(TASK(3), 'RUNNING');
    aws.sim.setTaskStatus(TASK(4), 'RUNNING');
    const { records } = await runSqsBatch(DUTIES.capacity, sqs([JSON.stringify(provisioning(3)), JSON.stringify(provisioning(4))]), { config: demoConfig(), clients: awsClients(), now: NOW });
    expect(records.map((r) => r.outcome)).toEqual(['ignored', 'ignored']);
    expect(records[0]?.reason).toMatch(/^stale event: .* \(and 1 other event\(s\) of the batch: none shows demand\)$/);
    expect(aws.writes()).toEqual([]);
    expect(aws.sim.log.map((c) => c.command)).toEqual(['DescribeTasks', 'DescribeTasks']);
  });
});
