/** The IAM docs/operations.md lists for the operator covers every call `status --aws` and `doctor --aws` send. */
import { readFileSync } from 'node:fs';
import { DescribeLifecycleHooksCommand } from '@aws-sdk/client-auto-scaling';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { mockAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';

function documentedActions(): Set<string> {
  const page = readFileSync('docs/operations.md', 'utf8');
  const section = page.slice(page.indexOf('## IAM for the CLI'));
  return new Set([...section.matchAll(/`([a-z0-9-]+:[A-Za-z]+)`/g)].map((m) => m[1] as string));
}

describe('docs/operations.md: the IAM the CLI needs', () => {
  it('names every action status --aws and doctor --aws call, and only reads', async () => {
    const aws = mockAws();
    for (const name of ['demo-worker-backlog-high', 'demo-worker-backlog-low']) aws.sim.alarms.set({ name, state: 'OK', updatedAt: new Date() });
    aws.autoscaling.on(DescribeLifecycleHooksCommand).callsFake(async (input) => aws.sim.handle('autoscaling', 'DescribeLifecycleHooks', input));
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-pilot-dev-dlq' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    try {
      expect((await runCli('status', '--aws')).code).toBe(0);
      expect((await runCli('doctor', '--aws')).code).toBe(0);
      const sent = new Set([
        ...aws.sim.log.map((c) => `${c.service}:${c.command}`),
        // DescribeLifecycleHooks was answered through the stub, the SQS calls by their own mock.
        ...aws.autoscaling.commandCalls(DescribeLifecycleHooksCommand).map(() => 'autoscaling:DescribeLifecycleHooks'),
        ...sqs.calls().map((c) => `sqs:${(c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')}`),
      ]);
      const documented = documentedActions();
      expect([...sent].filter((a) => !documented.has(a))).toEqual([]);
      expect([...sent].filter((a) => !/:(Describe|List|Get)/.test(a))).toEqual([]);
      expect(sent.size).toBeGreaterThan(8);
    } finally {
      aws.restore();
      sqs.restore();
    }
  });
});
