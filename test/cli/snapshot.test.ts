import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { parseSnapshot } from '../../src/core/model.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';

describe('CLI: ecs-pilot snapshot (SDK mocked)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('reads a configured cluster into a valid snapshot v1, read-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snap-'));
    const r = await runCli('snapshot', '--cluster', 'demo', '--out', join(dir, 'demo.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*demo\.json: 5 instances, \d+ waiting tasks, 3 groups/);
    const s = parseSnapshot(JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')));
    expect(s.groups.map((g) => [g.name, g.desired])).toEqual([['spot-general', 4], ['ondemand-general', 2], ['gpu-ondemand', 1]]);
    expect(s.instances.find((i) => i.ec2InstanceId === 'i-0a1b2c3d4e5f60003')?.tasks).toHaveLength(4);
    expect(aws.writes()).toEqual([]);
  });

  it('discovers the groups from the capacity providers when the config does not name the cluster', async () => {
    const r = await runCli('--config', 'test/fixtures/other-cluster.yml', 'snapshot', '--cluster', 'demo');
    expect(r.code).toBe(0);
    const s = parseSnapshot(JSON.parse(r.out));
    expect(s.groups.map((g) => g.asg)).toEqual(['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu']);
    expect(aws.sim.log.map((c) => c.command)).toContain('DescribeCapacityProviders');
  });

  it('exits 2 without --cluster', async () => {
    expect((await runCli('snapshot')).code).toBe(2);
  });
});
