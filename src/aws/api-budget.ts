/**
 * ecs-pilot's share of ECS's read bucket (docs/api-budget.md). ECS throttles requests per account and
 * Region with token buckets shared by every caller (console, CLI, other tools); ListTasks,
 * DescribeTasks, ListContainerInstances and DescribeContainerInstances draw on one of them. The wrapper
 * waits for a token of a smaller, client-side bucket before each of those calls and counts them, so
 * ecs-pilot never takes more than its configured share and reports its own call rate. ListAttributes
 * (the store reads' fresh marks) is held to the same budget: AWS does not say which bucket it draws
 * on, so it is counted as if it were this one.
 */
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListAttributesCommand, ListContainerInstancesCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ApiBudgetConfig } from '../config/schema.js';
import { take, tokenBucket, type TokenBucket } from '../core/budget/token-bucket.js';

type Send = Pick<ECSClient, 'send'>;

const READS = [ListTasksCommand, DescribeTasksCommand, ListContainerInstancesCommand, DescribeContainerInstancesCommand, ListAttributesCommand] as const;

/** Whether a command draws on ECS's shared task / container-instance read bucket. */
export const isBucketRead = (command: unknown): boolean => READS.some((c) => command instanceof c);

export interface BudgetClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

const WALL_CLOCK: BudgetClock = { nowMs: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** The client-side bucket for a budget: the share of AWS's burst and refill. */
export function budgetBucket(budget: ApiBudgetConfig, nowMs: number): TokenBucket {
  return tokenBucket(Math.max(1, Math.floor(budget.ecsReadBurst * budget.ecsReadShare)), budget.ecsReadRefillPerSecond * budget.ecsReadShare, nowMs);
}

export interface BudgetedEcs {
  client: Send;
  /** Bucket reads sent since the client was made (a warm Lambda keeps counting). */
  readCalls(): number;
  /** Total ms spent waiting for a token. */
  waitedMs(): number;
}

export function budgetedEcs(ecs: Send, budget: ApiBudgetConfig, clock: BudgetClock = WALL_CLOCK): BudgetedEcs {
  const bucket = budgetBucket(budget, clock.nowMs());
  let reads = 0;
  let waited = 0;
  const send = (async (command: unknown, ...rest: unknown[]) => {
    if (isBucketRead(command)) {
      const wait = take(bucket, clock.nowMs());
      if (wait > 0) {
        waited += wait;
        await clock.sleep(wait);
      }
      reads += 1;
    }
    return (ecs.send as (c: unknown, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as Send['send'];
  return { client: { send }, readCalls: () => reads, waitedMs: () => waited };
}
