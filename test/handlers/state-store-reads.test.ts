/**
 * Duties with the cluster-state store: whole-cluster reads come from it between full reads, full reads
 * fall on the schedule (and after a gap), and the decisions are those of a read from the APIs.
 */
import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListAttributesCommand, ListContainerInstancesCommand, ListTasksCommand, PutAttributesCommand } from '@aws-sdk/client-ecs';
import { parseSnapshot } from '../../src/core/model.js';
import { loadJson } from '../support/builders.js';
import type { SQSEvent } from 'aws-lambda';
import { DUTIES } from '../../src/duties/index.js';
import { runStateBatch } from '../../src/handlers/state-batch.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import type { StateAccess } from '../../src/state/store.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke, NOW } from '../support/handlers.js';

const TICK = 'events/demo/07-reconcile-tick.json';
const PROVISIONING = 'events/demo/03-task-provisioning.json';
const BUCKET_READS = [ListContainerInstancesCommand, DescribeContainerInstancesCommand, ListTasksCommand, DescribeTasksCommand] as const;
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

/** Whole-cluster listings: the signature of a full read (instance-scoped re-checks filter or name an instance). */
function fullReads(aws: MockedAws): number {
  const lists = aws.ecs.commandCalls(ListContainerInstancesCommand).filter((c) => c.args[0].input.filter === undefined).length;
  return lists + aws.ecs.commandCalls(ListTasksCommand).filter((c) => c.args[0].input.containerInstance === undefined && c.args[0].input.family === undefined).length;
}

function bucketReads(aws: MockedAws): number {
  return BUCKET_READS.reduce((a, c) => a + aws.ecs.commandCalls(c as typeof ListTasksCommand).length, 0);
}

describe('Duties on the state store', () => {
  let aws: MockedAws;
  let state: StateAccess;
  beforeEach(() => {
    aws = mockAws();
    state = { store: new MemoryStateStore(), policy: { everyMinutes: 60, gapResyncMinutes: 10 } };
  });
  afterEach(() => aws.restore());

  it('reads the APIs in full once, then plans the same from the store without listing the cluster', async () => {
    const first = await invoke(DUTIES.reconcile, event(TICK), { state });
    expect(bucketReads(aws)).toBeGreaterThan(0);
    const stored = await state.store.read('demo');
    expect(stored.meta.resyncedAt).toBeDefined();
    expect(stored.instances.map((i) => i.containerInstanceArn).sort()).toEqual(demoSnapshot().instances.map((i) => i.id).sort());
    aws.ecs.resetHistory();
    // Without a store, the same tick a minute later, for the reference decision.
    const fromStore = await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(1) });
    // What is left are the jobs' own reads (ListTasks by family), no listing of the cluster.
    expect(fullReads(aws)).toBe(0);
    expect(aws.ecs.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
    const fromApis = await invoke(DUTIES.reconcile, event(TICK), { now: minutes(1) });
    expect(fromStore.actions).toEqual(fromApis.actions);
    expect(first.outcome).toBe('acted');
  });

  it('a spot warning sees the rest of the cluster from the store (no listing of the cluster), its instance read fresh', async () => {
    await invoke(DUTIES.reconcile, event(TICK), { state });
    aws.ecs.resetHistory();
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'), { state, now: minutes(1) });
    expect(record.outcome).toBe('acted');
    expect(fullReads(aws)).toBe(0);
    // The warned instance itself: listed by its EC2 id and described, as without a store.
    expect(aws.ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'demo', filter: 'ec2InstanceId == i-0a1b2c3d4e5f60003' });
    // The drain came first, from the event alone; the read then finds the instance DRAINING.
    expect(record.actions.map((a) => a.kind)).toEqual(['drainInstance', 'setDesiredCapacity', 'markInstance']);
  });

  it('reads in full again on its slot, and once gapResyncMinutes have passed after a gap', async () => {
    await invoke(DUTIES.reconcile, event(TICK), { state });
    const resyncedAt = Date.parse((await state.store.meta('demo')).resyncedAt!);
    // The next full read falls within one period of the last.
    let at = 1;
    for (; at <= 61; at++) {
      aws.ecs.resetHistory();
      await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(at) });
      if (fullReads(aws) > 0) break;
    }
    expect(at).toBeLessThanOrEqual(61);
    expect((minutes(at).getTime() - resyncedAt) / 60_000).toBeLessThanOrEqual(61 + 1);
    // A gap: an instance event skips versions.
    const inst = (await state.store.read('demo')).instances[0]!;
    await state.store.applyInstance('demo', { ...inst, version: inst.version + 5 }, minutes(at + 1));
    aws.ecs.resetHistory();
    await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(at + 2) });
    expect(fullReads(aws)).toBe(0); // too soon after the last full read
    await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(at + 11) });
    expect(fullReads(aws)).toBeGreaterThan(0);
    expect((await state.store.meta('demo')).gapAt).toBeUndefined();
  });

  it('capacity: a PROVISIONING event is checked against the store, not DescribeTasks', async () => {
    await invoke(DUTIES.reconcile, event(TICK), { state });
    aws.ecs.resetHistory();
    const record = await invoke(DUTIES.capacity, event(PROVISIONING), { state, now: minutes(1) });
    // No listing of the cluster and no DescribeTasks of the event's task (only the re-check of the
    // instance the store shows empty: ci-2 runs just the daemon).
    expect(fullReads(aws)).toBe(0);
    expect(aws.ecs).not.toHaveReceivedCommandWith(DescribeTasksCommand, { tasks: [event(PROVISIONING).detail.taskArn] });
    expect(bucketReads(aws)).toBe(1);
    const reference = await invoke(DUTIES.capacity, event(PROVISIONING), { now: minutes(1) });
    expect(record.outcome).not.toBe('ignored');
    expect([record.outcome, record.actions]).toEqual([reference.outcome, reference.actions]);
    aws.ecs.resetHistory();
    // The task moved on (a newer version stored): the old event is stale.
    const raw = event(PROVISIONING);
    const task = await state.store.task('demo', raw.detail.taskArn);
    await state.store.applyTask('demo', { ...task!, version: raw.detail.version + 1, lastStatus: 'PENDING' }, minutes(1));
    const stale = await invoke(DUTIES.capacity, event(PROVISIONING), { state, now: minutes(2) });
    expect(stale.outcome).toBe('ignored');
    expect(stale.reason).toContain('stale event');
    expect(bucketReads(aws)).toBe(0); // stale: nothing read at all
  });

  it('capacity leaves a due full read to the reconcile for 5 minutes, then makes it itself', async () => {
    await invoke(DUTIES.reconcile, event(TICK), { state });
    const resyncedAt = Date.parse((await state.store.meta('demo')).resyncedAt!);
    const since = (m: number) => new Date(resyncedAt + m * 60_000);
    aws.ecs.resetHistory();
    await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'), { state, now: since(63) });
    expect(fullReads(aws)).toBe(0);
    await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'), { state, now: since(66) });
    expect(aws.ecs).toHaveReceivedCommand(ListTasksCommand);
  });

  it("sees ecs-pilot's own marks, which no event carries (ListAttributes): the idle clock runs on to scale-in", async () => {
    aws.restore();
    const doc = loadJson('events/clusters/demo.json');
    doc.pending = [];
    aws = mockAws(parseSnapshot(doc));
    await invoke(DUTIES.reconcile, event(TICK), { state }); // full read; starts the idle clock of ci-2
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, { attributes: expect.arrayContaining([expect.objectContaining({ name: 'ecs-pilot.idle-since' })]) });
    aws.ecs.resetHistory();
    await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(1) });
    expect(fullReads(aws)).toBe(0);
    expect(aws.ecs).toHaveReceivedCommandWith(ListAttributesCommand, { cluster: 'demo', targetType: 'container-instance', attributeName: 'ecs-pilot.idle-since', maxResults: 100 });
    const idleMarks = aws.ecs.commandCalls(PutAttributesCommand).flatMap((c) => c.args[0].input.attributes ?? []).filter((a) => a.name === 'ecs-pilot.idle-since');
    expect(idleMarks).toEqual([]); // the clock is not restarted
    await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(6) });
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0a1b2c3d4e5f60002', ShouldDecrementDesiredCapacity: true });
  });

  it('re-checks fresh an instance the store shows empty: a task placed there seconds ago keeps it busy', async () => {
    aws.restore();
    const quiet = loadJson('events/clusters/demo.json');
    quiet.pending = [];
    aws = mockAws(parseSnapshot(quiet));
    await invoke(DUTIES.reconcile, event(TICK), { state }); // full read: ci-2 runs only the daemon
    // ECS has since placed a web task on ci-2; its events have not reached the store yet.
    aws.restore();
    const placed = structuredClone(quiet);
    placed.instances[1].tasks.push({ ...structuredClone(placed.instances[0].tasks[1]), id: 'arn:aws:ecs:us-east-1:123456789012:task/demo/web-new' });
    aws = mockAws(parseSnapshot(placed));
    await invoke(DUTIES.reconcile, event(TICK), { state, now: minutes(1) });
    expect(fullReads(aws)).toBe(0);
    expect(aws.ecs).toHaveReceivedCommandWith(ListTasksCommand, { cluster: 'demo', containerInstance: placed.instances[1].id, desiredStatus: 'RUNNING' });
    const idleMarks = aws.ecs.commandCalls(PutAttributesCommand).flatMap((c) => c.args[0].input.attributes ?? []).filter((a) => a.name === 'ecs-pilot.idle-since');
    expect(idleMarks).toEqual([]);
  });

  it('with no store, reads the APIs every time (the unit tests and an undeployed table)', async () => {
    await invoke(DUTIES.reconcile, event(TICK));
    aws.ecs.resetHistory();
    await invoke(DUTIES.reconcile, event(TICK), { now: minutes(1) });
    expect(bucketReads(aws)).toBeGreaterThan(0);
  });
});

describe('The state function', () => {
  const sqs = (bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;
  const taskEvent = (version: number, lastStatus: string) => {
    const e = event(PROVISIONING);
    e.id = `task-${version}`;
    e.detail.version = version;
    e.detail.lastStatus = lastStatus;
    return JSON.stringify(e);
  };

  it('writes the newest version whatever the order, and duplicates write nothing', async () => {
    const store = new MemoryStateStore();
    const { response, counts } = await runStateBatch(sqs([taskEvent(3, 'RUNNING'), taskEvent(1, 'PROVISIONING'), taskEvent(3, 'RUNNING'), taskEvent(2, 'PENDING')]), { store, now: NOW });
    expect(response.batchItemFailures).toEqual([]);
    expect(counts).toMatchObject({ applied: 1, duplicates: 1, stale: 2, ignored: 0 });
    const arn = event(PROVISIONING).detail.taskArn;
    expect(await store.task('demo', arn)).toMatchObject({ version: 3, lastStatus: 'RUNNING' });
  });

  it('reports a malformed message (event id and field) and ignores events that are not state changes', async () => {
    const store = new MemoryStateStore();
    const bad = event(PROVISIONING);
    bad.id = 'bad-1';
    delete bad.detail.version;
    const errors: string[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (m: string) => errors.push(m) };
    const { response, counts } = await runStateBatch(sqs([JSON.stringify(bad), 'not json', JSON.stringify(event(TICK))]), { store, now: NOW, logger });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }]);
    expect(errors.join('\n')).toMatch(/bad-1.*detail\.version|detail\.version.*bad-1/);
    expect(counts.ignored).toBe(1);
    expect((await store.read('demo')).tasks).toEqual([]);
  });
});

describe('The state function handler', () => {
  it('writes through the wiring, and fails loudly without a table', async () => {
    const { stateHandler } = await import('../../src/handlers/wire.js');
    const { context, demoConfig } = await import('../support/handlers.js');
    const store = new MemoryStateStore();
    const body = JSON.stringify(event(PROVISIONING));
    const records = { Records: [{ messageId: 'm0', body }] } as unknown as SQSEvent;
    const deps = (state?: StateAccess) => () => ({ config: demoConfig(), clients: {} as never, now: NOW, state });
    await expect(stateHandler(deps({ store, policy: { everyMinutes: 60, gapResyncMinutes: 10 } }))(records, context)).resolves.toEqual({ batchItemFailures: [] });
    expect(await store.task('demo', event(PROVISIONING).detail.taskArn)).toMatchObject({ lastStatus: 'PROVISIONING', version: 1 });
    await expect(stateHandler(deps())(records, context)).rejects.toThrow('ECS_PILOT_STATE_TABLE is not set');
  });
});
