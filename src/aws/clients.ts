/**
 * SDK v3 clients, created once per warm Lambda container: adaptive retries (client-side rate
 * limiting on throttling), a bounded number of attempts so a handler fails loudly inside its budget.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';

/** What the controller needs of each client: `send`. The simulator answers the same commands. */
export interface Clients {
  ecs: Pick<ECSClient, 'send'>;
  ec2: Pick<EC2Client, 'send'>;
  autoscaling: Pick<AutoScalingClient, 'send'>;
  /** Alarm reads (DescribeAlarms) for service scaling that keeps stepping. */
  cloudwatch: Pick<CloudWatchClient, 'send'>;
}

export const CLIENT_OPTIONS = { retryMode: 'adaptive', maxAttempts: 5 } as const;

let shared: { region: string | undefined; clients: Clients } | undefined;

export function awsClients(region?: string): Clients {
  if (!shared || shared.region !== region) {
    const options = { ...CLIENT_OPTIONS, ...(region ? { region } : {}) };
    shared = { region, clients: { ecs: new ECSClient(options), ec2: new EC2Client(options), autoscaling: new AutoScalingClient(options), cloudwatch: new CloudWatchClient(options) } };
  }
  return shared.clients;
}
