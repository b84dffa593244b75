import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { configForSnapshot } from '../../src/config/load.js';
import { parseSnapshot } from '../../src/core/model.js';
import { parseEvent } from '../../src/events/index.js';
import { applyStateEvent, emptyCounts } from '../../src/state/apply-events.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { instanceRecord, taskRecord, type InstanceRecord, type TaskRecord } from '../../src/state/records.js';
import { deployedRouter } from '../../src/duties/routes.js';
import { simulate } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { loadJson } from '../support/builders.js';

type Event = Record<string, unknown> & { 'detail-type': string; detail: Record<string, unknown> };

const burstCluster = () => parseSnapshot(loadJson('events/scenarios/burst-cluster.json'));

/** A world that goes through every kind of change: scale-up, placement, RUNNING, scale-down, launches, a drain, a spot reclaim, a StopTask. */
async function busyWorld(settings: Record<string, unknown> = {}, managedScaling = true) {
  const scenario = parseScenario({
    name: 't',
    cluster: 'x',
    durationMinutes: 30,
    settings: { managedScaling: managedScaling ? 'on' : 'off', ...settings },
    services: [{ name: 'web', desired: 6, cpu: 512, memoryMiB: 1024, capacityProvider: 'general' }],
  });
  const world = new SimulatedCluster(burstCluster(), scenario, { hooks: true, managedScaling });
  const ecs = world.client('ecs');
  const asg = world.client('autoscaling');
  const cluster = world.cluster;
  // What the store starts from: a full read (the deployment's first resync).
  const initial = await fullRead(ecs, cluster, {
    tasks: world.allTasks().map((x) => x.arn),
    instances: world.allInstances().map((i) => i.arn),
  });
  const emitted: Event[] = [];
  const step = (ms: number) => {
    world.advance(ms);
    emitted.push(...(world.stateDeliverable(Number.MAX_SAFE_INTEGER) as Event[]));
  };
  let t = world.startMs;
  for (let k = 0; k < 240; k++) {
    t += 5_000;
    if (k === 2) world.setServiceDesired('web', 40);
    if (k === 3) await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'burst-general', DesiredCapacity: 6 }));
    if (k === 60) {
      const arn = world.allInstances().find((i) => i.status === 'ACTIVE')!.arn;
      await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [arn], status: 'DRAINING' }));
    }
    if (k === 80) world.spotWave('general', 0.2, 0);
    if (k === 120) world.setServiceDesired('web', 10);
    step(t);
  }
  return { world, emitted, ecs, cluster, initial };
}

async function fullRead(ecs: ReturnType<SimulatedCluster['client']>, cluster: string, arns: { tasks: string[]; instances: string[] }) {
  const tasks: TaskRecord[] = [];
  for (let k = 0; k < arns.tasks.length; k += 100) {
    const out = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.tasks.slice(k, k + 100) }))) as { tasks: Array<Record<string, unknown>> };
    tasks.push(...out.tasks.map((x) => taskRecord(x)!));
  }
  const instances: InstanceRecord[] = [];
  for (let k = 0; k < arns.instances.length; k += 100) {
    const out = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.instances.slice(k, k + 100) }))) as { containerInstances: Array<Record<string, unknown>> };
    instances.push(...out.containerInstances.map((x) => instanceRecord(x)!));
  }
  return { tasks, instances };
}

const byResource = (events: Event[], type: string, key: string) => {
  const out = new Map<string, Event[]>();
  for (const e of events.filter((x) => x['detail-type'] === type)) {
    const id = String(e.detail[key]);
    out.set(id, [...(out.get(id) ?? []), e]);
  }
  return out;
};

describe('Simulator: ECS task and container-instance events', () => {
  it('sends one event per change, versions going up by one, the last one equal to what DescribeTasks / DescribeContainerInstances answer', async () => {
    // Prepare
    const { emitted, ecs, cluster } = await busyWorld();
    const tasks = byResource(emitted, 'ECS Task State Change', 'taskArn');
    const instances = byResource(emitted, 'ECS Container Instance State Change', 'containerInstanceArn');
    // Act
    const read = await fullRead(ecs, cluster, { tasks: [...tasks.keys()], instances: [...instances.keys()] });
    // Assess
    expect(tasks.size).toBeGreaterThan(30);
    expect(instances.size).toBeGreaterThan(3);
    for (const [map, described, key] of [
      [tasks, read.tasks, 'taskArn'],
      [instances, read.instances, 'containerInstanceArn'],
    ] as const) {
      for (const [id, events] of map) {
        const versions = events.map((e) => Number(e.detail.version));
        for (let k = 1; k < versions.length; k++) expect(versions[k]).toBe(versions[k - 1]! + 1);
        const last = events[events.length - 1]!.detail;
        const answer = (described as unknown as Array<Record<string, unknown>>).find((r) => r[key] === id)!;
        const record = key === 'taskArn' ? taskRecord(last) : instanceRecord(last);
        expect(record).toEqual(answer);
      }
    }
  });

  it('a task goes PROVISIONING → PENDING → RUNNING → desired STOPPED → STOPPED; instances send registration, resources, DRAINING and deregistration', async () => {
    const { emitted } = await busyWorld();
    const tasks = byResource(emitted, 'ECS Task State Change', 'taskArn');
    const stopped = [...tasks.values()].find((evs) => evs[0]!.detail.lastStatus === 'PROVISIONING' && evs.some((e) => e.detail.lastStatus === 'STOPPED') && evs.some((e) => e.detail.lastStatus === 'RUNNING'))!;
    expect(stopped.map((e) => `${e.detail.lastStatus}/${e.detail.desiredStatus}`)).toEqual(['PROVISIONING/RUNNING', 'PENDING/RUNNING', 'RUNNING/RUNNING', 'RUNNING/STOPPED', 'STOPPED/STOPPED']);
    // The full detail, as AWS's samples show it.
    expect(stopped[1]!.detail).toEqual(expect.objectContaining({ clusterArn: expect.stringContaining(':cluster/'), containerInstanceArn: expect.any(String), taskDefinitionArn: expect.any(String), group: 'service:web', launchType: 'EC2', createdAt: expect.any(String), updatedAt: expect.any(String), containers: [expect.objectContaining({ name: 'main', taskArn: stopped[1]!.detail.taskArn })] }));
    const statuses = new Set(emitted.filter((e) => e['detail-type'] === 'ECS Container Instance State Change').map((e) => e.detail.status));
    expect([...statuses].sort()).toEqual(['ACTIVE', 'DRAINING', 'INACTIVE']);
    const ci = emitted.find((e) => e['detail-type'] === 'ECS Container Instance State Change')!.detail;
    expect(ci).toEqual(expect.objectContaining({ ec2InstanceId: expect.any(String), registeredResources: expect.any(Array), remainingResources: expect.any(Array), agentConnected: true, attributes: expect.any(Array) }));
  });

  it('with managed scaling off no task is PROVISIONING in an event (ECS never created those that found no room)', async () => {
    const { emitted } = await busyWorld({}, false);
    const tasks = emitted.filter((e) => e['detail-type'] === 'ECS Task State Change');
    expect(tasks.length).toBeGreaterThan(30);
    expect(tasks.some((e) => e.detail.lastStatus === 'PROVISIONING')).toBe(false);
  });

  it('a store fed by the events equals a full read of the cluster; drops show as gaps, duplicates as duplicates', async () => {
    for (const settings of [{}, { stateEventDropRate: 0.2, stateEventDuplicateRate: 0.2 }]) {
      const { world, emitted, ecs, cluster, initial } = await busyWorld(settings);
      const store = new MemoryStateStore();
      await store.resync(cluster, initial, new Date(world.startMs));
      const counts = emptyCounts();
      const now = new Date(world.now);
      for (const e of emitted) {
        const parsed = parseEvent(e);
        if (parsed.outcome === 'parsed') await applyStateEvent(store, parsed.event, now, counts);
      }
      const live = {
        tasks: ((await ecs.send(new ListTasksCommand({ cluster }))) as { taskArns: string[] }).taskArns,
        instances: ((await ecs.send(new ListContainerInstancesCommand({ cluster }))) as { containerInstanceArns: string[] }).containerInstanceArns,
      };
      // ListTasks pages by 100: read them all.
      const allTasks = world.allTasks().filter((t) => t.desiredStatus === 'RUNNING').map((t) => t.arn);
      expect(live.tasks.length).toBe(Math.min(100, allTasks.length));
      const read = await fullRead(ecs, cluster, { tasks: allTasks, instances: live.instances });
      const state = await store.read(cluster);
      const sort = <T>(list: T[], key: keyof T) => [...list].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
      if (settings.stateEventDropRate === undefined) {
        expect(counts).toEqual(expect.objectContaining({ gaps: 0, duplicates: 0, stale: 0 }));
        // The store keeps desired-STOPPED tasks still running too: compare the running ones.
        expect(sort(state.tasks.filter((t) => t.desiredStatus === 'RUNNING'), 'taskArn')).toEqual(sort(read.tasks, 'taskArn'));
        expect(sort(state.instances, 'containerInstanceArn')).toEqual(sort(read.instances, 'containerInstanceArn'));
      } else {
        expect(counts.gaps).toBeGreaterThan(0);
        expect(counts.duplicates + counts.stale).toBeGreaterThan(0);
      }
    }
  });
});

describe('Simulator: delivery by the deployment rules (serverless/events.cjs)', () => {
  it('sends DRAINING instances to lifecycle, PROVISIONING tasks to the capacity queue, stopped job attempts to batch, and ACTIVE changes nowhere', async () => {
    const snapshot = burstCluster();
    const route = await deployedRouter(configForSnapshot(snapshot));
    const clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${snapshot.cluster}`;
    const ev = (detailType: string, detail: Record<string, unknown>, source = 'aws.ecs') => ({ version: '0', id: 'x', 'detail-type': detailType, source, account: '123456789012', time: '2026-11-24T12:00:00Z', region: 'us-east-1', resources: [], detail });
    expect(route.duties(ev('ECS Container Instance State Change', { clusterArn, status: 'DRAINING' }))).toEqual(['lifecycle']);
    expect(route.duties(ev('ECS Container Instance State Change', { clusterArn, status: 'ACTIVE' }))).toEqual([]);
    expect(route.duties(ev('ECS Task State Change', { clusterArn, lastStatus: 'PROVISIONING' }))).toEqual(['capacity']);
    expect(route.duties(ev('ECS Task State Change', { clusterArn, lastStatus: 'RUNNING' }))).toEqual([]);
    expect(route.duties(ev('ECS Task State Change', { clusterArn, lastStatus: 'STOPPED', startedBy: 'ecs-pilot/nightly/1' }))).toEqual(['batch']);
    expect(route.duties(ev('ECS Task State Change', { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/other', lastStatus: 'PROVISIONING' }))).toEqual([]);
    expect(route.duties(ev('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-1' }, 'aws.ec2'))).toEqual(['spot']);
    expect(route.duties(ev('AWS API Call via CloudTrail', { eventSource: 'ecs.amazonaws.com', eventName: 'RunTask', requestParameters: { cluster: snapshot.cluster }, responseElements: { failures: [{ reason: 'RESOURCE:MEMORY' }] } }))).toEqual(['capacity']);
    expect(route.duties(ev('AWS API Call via CloudTrail', { eventSource: 'ecs.amazonaws.com', eventName: 'RunTask', requestParameters: { cluster: snapshot.cluster }, responseElements: { failures: [{ reason: 'AGENT' }] } }))).toEqual([]);
    // The state queue takes every task and instance change of the configured clusters, nothing else.
    expect(route.toStore(ev('ECS Container Instance State Change', { clusterArn, status: 'ACTIVE' }))).toBe(true);
    expect(route.toStore(ev('ECS Task State Change', { clusterArn, lastStatus: 'RUNNING' }))).toBe(true);
    expect(route.toStore(ev('ECS Task State Change', { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/other', lastStatus: 'RUNNING' }))).toBe(false);
    expect(route.toStore(ev('ECS Service Action', { clusterArn, eventName: 'SERVICE_TASK_PLACEMENT_FAILURE' }))).toBe(false);
  });
});

describe('Scenario: ecs-pilot with the state store and without', () => {
  const simulateRun = async (name: string, managedScaling: 'on' | 'off', store: boolean) => {
    const loaded = loadScenario(`events/scenarios/${name}.yml`);
    loaded.scenario.settings.managedScaling = managedScaling;
    let placements: string[] = [];
    const result = await simulate(loaded, 'ecs-pilot', { store, onEnd: (w) => (placements = w.allTasks().map((t) => `${t.arn} ${t.containerInstanceArn} ${t.runningAt} ${t.lastStatus}`)) });
    return { result, placements };
  };
  // The same run is asked for by more than one case: simulated once.
  const runs = new Map<string, ReturnType<typeof simulateRun>>();
  const run = (name: string, managedScaling: 'on' | 'off', store: boolean) => {
    const key = `${name} ${managedScaling} ${store}`;
    if (!runs.has(key)) runs.set(key, simulateRun(name, managedScaling, store));
    return runs.get(key)!;
  };

  it.each([
    ['spot-wave', 'off'],
    ['spot-wave', 'on'],
  ] as const)('%s (managed scaling %s): the same placements, the same tasks interrupted, lost, killed or never placed', async (name, managedScaling) => {
    const without = await run(name, managedScaling, false);
    const withStore = await run(name, managedScaling, true);
    const { stateEvents, ...metrics } = withStore.result.metrics;
    expect(stateEvents).toEqual(expect.objectContaining({ gaps: 0 }));
    expect(stateEvents!.applied).toBeGreaterThan(0);
    expect(withStore.placements).toEqual(without.placements);
    const kept = ({ allPlacedSeconds, missingTaskSeconds, interruptedTasks, lostTasks, killedByScaleIn, tasksNeverPlaced, tasksRunning, tasksMoved }: typeof metrics) => ({ allPlacedSeconds, missingTaskSeconds, interruptedTasks, lostTasks, killedByScaleIn, tasksNeverPlaced, tasksRunning, tasksMoved });
    expect(kept(metrics)).toEqual(kept(without.result.metrics));
  });

  // ecs-pilot's instance marks (PutAttributes: ecs-pilot.idle-since, …) send no ECS event: the store
  // reads take them fresh (ListAttributes), or the scale-in delay would restart every tick.
  it('spot-wave (managed scaling off): the same instance-hours (the marks are read fresh)', async () => {
    const without = await run('spot-wave', 'off', false);
    const withStore = await run('spot-wave', 'off', true);
    expect(withStore.result.metrics.instanceHours).toBe(without.result.metrics.instanceHours);
  });
});
