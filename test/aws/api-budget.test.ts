import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListAttributesCommand, ListContainerInstancesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { budgetedEcs, isBucketRead, type BudgetClock } from '../../src/aws/api-budget.js';
import { ApiBudgetSchema } from '../../src/config/schema.js';

const ecs = mockClient(ECSClient);

/** A clock that only moves when the budget sleeps or the test says so. */
function fakeClock(): BudgetClock & { advance(ms: number): void; slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    nowMs: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('Function: budgetedEcs', () => {
  beforeEach(() => ecs.reset());

  it('sends the share of the burst at once, then waits one refill interval per read; other calls are free', async () => {
    // Prepare: half of a 100 burst / 20 per s bucket: 50 at once, then one every 100 ms.
    ecs.on(ListTasksCommand).resolves({ taskArns: [] }).on(DescribeServicesCommand).resolves({ services: [] });
    const clock = fakeClock();
    const budgeted = budgetedEcs(new ECSClient({}), ApiBudgetSchema.parse({}), clock);
    // Act
    for (let i = 0; i < 52; i += 1) await budgeted.client.send(new ListTasksCommand({ cluster: 'c' }));
    await budgeted.client.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }));
    // Assess
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 52);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(clock.slept).toEqual([100, 100]);
    expect(budgeted.readCalls()).toBe(52);
    expect(budgeted.waitedMs()).toBe(200);
  });

  it('counts ListAttributes (the store reads\' marks) as a bucket read; DescribeServices is not one', () => {
    expect(isBucketRead(new ListAttributesCommand({ cluster: 'c', targetType: 'container-instance' }))).toBe(true);
    expect(isBucketRead(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }))).toBe(false);
  });

  it('refills while idle, never above its burst', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
    const clock = fakeClock();
    const budgeted = budgetedEcs(new ECSClient({}), ApiBudgetSchema.parse({ ecsReadShare: 0.1 }), clock);
    for (let i = 0; i < 10; i += 1) await budgeted.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: ['t'] }));
    clock.advance(3_600_000);
    for (let i = 0; i < 11; i += 1) await budgeted.client.send(new DescribeTasksCommand({ cluster: 'c', tasks: ['t'] }));
    // 10 tokens (10 % of 100) again after an idle hour, not 7 200: the 11th waits 500 ms (2/s).
    expect(clock.slept).toEqual([500]);
  });

  it('never lets more than burst + rate × window reads through in any window (property)', async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 150 }), async (share, gaps) => {
        const clock = fakeClock();
        const budget = ApiBudgetSchema.parse({ ecsReadShare: share });
        const budgeted = budgetedEcs(new ECSClient({}), budget, clock);
        const sent: number[] = [];
        for (const gap of gaps) {
          clock.advance(gap);
          await budgeted.client.send(new ListContainerInstancesCommand({ cluster: 'c' }));
          sent.push(clock.nowMs());
        }
        const burst = Math.max(1, Math.floor(budget.ecsReadBurst * share));
        const rate = budget.ecsReadRefillPerSecond * share;
        for (let i = 0; i < sent.length; i += 1) {
          for (let j = i; j < sent.length; j += 1) {
            expect(j - i + 1).toBeLessThanOrEqual(burst + (rate * ((sent[j] ?? 0) - (sent[i] ?? 0))) / 1000 + 1e-6);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
