/**
 * SDK v3 clients, created once per warm Lambda container: adaptive retries (client-side rate
 * limiting on throttling), a bounded number of attempts so a handler fails loudly inside its budget.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiBudgetConfig } from '../config/schema.js';
import type { StateStore } from '../state/store.js';
import { DynamoStateStore } from './state-store.js';
import { budgetedEcs, type BudgetedEcs } from './api-budget.js';

/** What the controller needs of each client: `send`. The simulator answers the same commands. */
export interface Clients {
  ecs: Pick<ECSClient, 'send'>;
  ec2: Pick<EC2Client, 'send'>;
  autoscaling: Pick<AutoScalingClient, 'send'>;
  /** Alarm reads (DescribeAlarms) for service scaling that keeps stepping. */
  cloudwatch: Pick<CloudWatchClient, 'send'>;
}

export const CLIENT_OPTIONS = { retryMode: 'adaptive', maxAttempts: 5 } as const;

let shared: { key: string; clients: Clients; budgeted?: BudgetedEcs } | undefined;

/**
 * The clients for a Region; with a budget, ECS's bucket reads wait for a token of ecs-pilot's share
 * (docs/api-budget.md). One bucket per warm container: concurrent containers each keep their share.
 */
export function awsClients(region?: string, budget?: ApiBudgetConfig): Clients {
  const key = JSON.stringify([region, budget]);
  if (!shared || shared.key !== key) {
    const options = { ...CLIENT_OPTIONS, ...(region ? { region } : {}) };
    const ecs = new ECSClient(options);
    const budgeted = budget ? budgetedEcs(ecs, budget) : undefined;
    shared = { key, budgeted, clients: { ecs: budgeted?.client ?? ecs, ec2: new EC2Client(options), autoscaling: new AutoScalingClient(options), cloudwatch: new CloudWatchClient(options) } };
  }
  return shared.clients;
}

/** ECS bucket reads the budgeted clients have sent in this container so far (0 without a budget). */
export function ecsReadCalls(): number {
  return shared?.budgeted?.readCalls() ?? 0;
}

let sharedStore: { key: string; store: StateStore } | undefined;

/** The cluster-state store on its DynamoDB table (docs/state.md), once per warm container. */
export function awsStateStore(table: string, region?: string): StateStore {
  const key = JSON.stringify([table, region]);
  if (!sharedStore || sharedStore.key !== key) {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...CLIENT_OPTIONS, ...(region ? { region } : {}) }), { marshallOptions: { removeUndefinedValues: true } });
    sharedStore = { key, store: new DynamoStateStore(client, table) };
  }
  return sharedStore.store;
}
