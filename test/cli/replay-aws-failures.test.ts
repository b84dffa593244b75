import { READ_RETRY } from '../../src/aws/read-retries.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { mockAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';

describe('Command: replay --aws, when a read fails', () => {
  it('records that event as failed with the AWS error, replays the next, and exits 1', async () => {
    const aws = mockAws();
    try {
      aws.sim.failNext('DescribeAutoScalingGroups', new SimulatedServiceError('Throttling', 'Rate exceeded'), READ_RETRY.attempts);
      const r = await runCli('replay', 'events/demo/01-spot-interruption-warning.json', 'events/demo/06-rebalance-recommendation.json', '--aws', '--json');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.out);
      expect(out.events.map((e: any) => [e.handler, e.outcome])).toEqual([['spot', 'failed'], ['rebalance', 'acted']]);
      expect(out.events[0]).toMatchObject({ id: expect.any(String), reason: 'Throttling: Rate exceeded', actions: [] });
      // The read and its in-invocation retries (src/aws/read-retries.ts), each shown.
      expect(out.events[0].calls.map((c: any) => c.command)).toEqual(Array(READ_RETRY.attempts).fill('DescribeAutoScalingGroups'));
      expect(r.err).not.toContain('    at ');
      expect(aws.writes()).toEqual([]);
    } finally {
      aws.restore();
    }
  });

  it('the text output says which event failed and why', async () => {
    const aws = mockAws();
    try {
      aws.sim.failNext('DescribeAutoScalingGroups', new SimulatedServiceError('AccessDenied', 'User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'));
      const r = await runCli('replay', 'events/demo/01-spot-interruption-warning.json', '--aws');
      expect(r.code).toBe(1);
      expect(r.out).toContain('outcome: failed (AccessDenied: User is not authorized to perform: autoscaling:DescribeAutoScalingGroups)');
      expect(r.out).toContain('1 event(s): 1 failed');
    } finally {
      aws.restore();
    }
  });
});
