import { DescribeCapacityProvidersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { readProviders } from '../../src/aws/capacity-providers.js';
import { lackingServices } from '../../src/aws/service-deficits.js';
import { withColdCaches, type Clients } from '../../src/aws/clients.js';
import { composeDemand } from '../../src/core/capacity/demand.js';
import { parseSnapshot } from '../../src/core/model.js';
import { modeOf } from '../../src/core/capacity/modes.js';

const ecs = mockClient(ECSClient);
let clients: Clients;
const coldClients = (): Clients => withColdCaches({ ecs: new ECSClient({ region: 'us-east-1' }) } as never);
const NOW = new Date('2026-11-24T12:00:00Z');

describe('Function: readProviders', () => {
  beforeEach(() => {
    ecs.reset();
    clients = coldClients();
  });

  it('reads each provider once a minute, paginated; a name ECS does not know is own', async () => {
    // Prepare: two pages, one provider with managed scaling, one without the managedScaling block.
    ecs
      .on(DescribeCapacityProvidersCommand, { capacityProviders: ['spot', 'od', 'gone'], nextToken: undefined })
      .resolves({ capacityProviders: [{ name: 'spot', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedScaling: { status: 'ENABLED', targetCapacity: 90 }, managedTerminationProtection: 'ENABLED' } }], nextToken: 't1' })
      .on(DescribeCapacityProvidersCommand, { capacityProviders: ['spot', 'od', 'gone'], nextToken: 't1' })
      .resolves({ capacityProviders: [{ name: 'od', autoScalingGroupProvider: { autoScalingGroupArn: 'arn' } }] });
    // Act
    const first = await readProviders(clients, ['spot', 'od', 'gone'], NOW);
    await readProviders(clients, ['spot', 'od', 'gone'], new Date(NOW.getTime() + 59_000));
    // Assess
    expect(ecs).toHaveReceivedCommandTimes(DescribeCapacityProvidersCommand, 2);
    expect(modeOf(first.get('spot'))).toEqual(expect.objectContaining({ mode: 'accelerate', targetCapacityPercent: 90, ecsProtects: true }));
    expect(modeOf(first.get('od')).mode).toBe('own');
    expect(first.get('gone')).toBeUndefined();
    await readProviders(clients, ['spot', 'od', 'gone'], new Date(NOW.getTime() + 60_000));
    expect(ecs).toHaveReceivedCommandTimes(DescribeCapacityProvidersCommand, 4);
  });
});

describe('Function: lackingServices', () => {
  beforeEach(() => {
    ecs.reset();
    clients = coldClients();
  });

  it('lists every service (paginated), describes them ten at a time, and keeps each service that lacks tasks with its shape (demand then counts its missing tasks)', async () => {
    const arns = Array.from({ length: 12 }, (_, i) => `arn:aws:ecs:us-east-1:123456789012:service/demo/s${i}`);
    ecs
      .on(ListServicesCommand, { cluster: 'demo', maxResults: 100, nextToken: undefined })
      .resolves({ serviceArns: arns.slice(0, 7), nextToken: 'p2' })
      .on(ListServicesCommand, { cluster: 'demo', maxResults: 100, nextToken: 'p2' })
      .resolves({ serviceArns: arns.slice(7) });
    ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({
      services: input.services.map((arn, k) => {
        const name = arn.split('/').pop()!;
        const base = { serviceArn: arn, serviceName: name, status: 'ACTIVE', taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:1`, desiredCount: 5, runningCount: 2, pendingCount: 1 };
        if (name === 's0') return { ...base, placementConstraints: [{ type: 'distinctInstance' }], capacityProviderStrategy: [{ capacityProvider: 'spot', weight: 1 }] };
        if (name === 's1') return { ...base, launchType: 'FARGATE' };
        if (name === 's2') return { ...base, schedulingStrategy: 'DAEMON' };
        return { ...base, desiredCount: k === 0 ? 3 : 3, runningCount: 3 }; // the others lack nothing
      }),
    }));
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { family: 's0', cpu: '512', memory: '1024', containerDefinitions: [{ name: 'main' }] } });
    // Act: one s0 task already seen waiting (PROVISIONING)
    const waiting = [{ id: 'w', cpu: 512, memoryMiB: 1024, group: 'service:s0', constraints: [] }];
    const out = await lackingServices(clients, 'demo', waiting);
    // Assess
    expect(ecs).toHaveReceivedCommandTimes(ListServicesCommand, 2);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 2);
    expect(ecs).toHaveReceivedNthCommandWith(3, DescribeServicesCommand, { cluster: 'demo', services: arns.slice(0, 10) });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(out).toEqual([
      expect.objectContaining({
        name: 's0',
        desiredCount: 5,
        runningCount: 2,
        pendingCount: 1,
        task: expect.objectContaining({ id: arns[0], cpu: 512, memoryMiB: 1024, group: 'service:s0', capacityProvider: 'spot', constraints: [{ type: 'distinctInstance' }] }),
      }),
    ]);
    // 5 desired − 2 running − max(1 pending, 1 seen) = 2, with the service's distinctInstance.
    const demand = composeDemand(parseSnapshot({ version: 1, cluster: 'demo', takenAt: '2026-01-01T00:00:00Z', instanceTypes: {}, groups: [], pending: waiting, services: out }));
    expect(demand.counts).toEqual(expect.objectContaining({ waiting: 1, missing: 2 }));
    expect(demand.snapshot.pending.slice(1)).toEqual([
      expect.objectContaining({ id: `${arns[0]}/missing-1`, cpu: 512, memoryMiB: 1024, group: 'service:s0', capacityProvider: 'spot', constraints: [{ type: 'distinctInstance' }] }),
      expect.objectContaining({ id: `${arns[0]}/missing-2` }),
    ]);
    // The waiting task got its service's constraint too.
    expect(waiting[0]!.constraints).toEqual([{ type: 'distinctInstance' }]);
  });
});
