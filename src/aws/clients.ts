/**
 * SDK v3 clients: adaptive retries (client-side rate limiting on throttling), a bounded number of
 * attempts so a handler fails loudly inside its budget. Each call creates new clients with empty
 * caches; the Lambda wiring (handlers/wire.ts) creates them once per warm container.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiBudgetConfig } from '../config/schema.js';
import type { StateStore } from '../state/store.js';
import { DynamoStateStore } from './state-store.js';
import { budgetedEcs } from './api-budget.js';
import { newWarmCaches, type WarmCaches } from './warm-caches.js';

/** What the controller needs of each SDK client: `send`. The simulator answers the same commands. */
export interface SdkClients {
  ecs: Pick<ECSClient, 'send'>;
  ec2: Pick<EC2Client, 'send'>;
  autoscaling: Pick<AutoScalingClient, 'send'>;
  /** Alarm reads (DescribeAlarms) for service scaling that keeps stepping. */
  cloudwatch: Pick<CloudWatchClient, 'send'>;
}

/** The clients of one account and Region, with what is cached of their answers (created together, never shared across). */
export interface Clients extends SdkClients {
  caches: WarmCaches;
}

export const CLIENT_OPTIONS = { retryMode: 'adaptive', maxAttempts: 5 } as const;

/** Clients over the given SDK clients (the simulator's, a recording wrapper's), with cold caches. */
export function withColdCaches(sdk: SdkClients): Clients {
  return { ...sdk, caches: newWarmCaches() };
}

/**
 * The clients for a Region; with a budget, ECS's bucket reads wait for a token of ecs-pilot's share
 * (docs/api-budget.md) and `ecsReadCalls` counts what they sent.
 */
export function budgetedAwsClients(region?: string, budget?: ApiBudgetConfig): { clients: Clients; ecsReadCalls: () => number } {
  const options = { ...CLIENT_OPTIONS, ...(region ? { region } : {}) };
  const ecs = new ECSClient(options);
  const budgeted = budget ? budgetedEcs(ecs, budget) : undefined;
  const clients = withColdCaches({ ecs: budgeted?.client ?? ecs, ec2: new EC2Client(options), autoscaling: new AutoScalingClient(options), cloudwatch: new CloudWatchClient(options) });
  return { clients, ecsReadCalls: () => budgeted?.readCalls() ?? 0 };
}

/** The clients for a Region, with cold caches. */
export function awsClients(region?: string, budget?: ApiBudgetConfig): Clients {
  return budgetedAwsClients(region, budget).clients;
}

/** The cluster-state store on its DynamoDB table (docs/state.md). */
export function awsStateStore(table: string, region?: string): StateStore {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...CLIENT_OPTIONS, ...(region ? { region } : {}) }), { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoStateStore(client, table);
}

/** What the CLI needs of SQS (the dead-letter queue's depth). */
export type SqsReader = Pick<SQSClient, 'send'>;

/** An SQS client for a Region (the CLI reads the stack's dead-letter queue). */
export function awsSqs(region?: string): SqsReader {
  return new SQSClient({ ...CLIENT_OPTIONS, ...(region ? { region } : {}) });
}
