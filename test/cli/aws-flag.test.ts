/**
 * One rule for the account (issue 24): a command reads or writes the account with `--aws`. snapshot and
 * cleanup take it as docs/rollout.md shows (without it: a deprecation notice, same behaviour); jobs run
 * without it says the real reason a job cannot start on the simulated cluster; replay --aws says that
 * recorded events name a cluster the config does not have.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSnapshot } from '../../src/core/model.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';

describe('CLI: --aws, one rule', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('snapshot --aws works (docs/rollout.md) and says what it read; without --aws: the same, with a deprecation notice', async () => {
    const r = await runCli('snapshot', '--aws', '--cluster', 'demo');
    expect(r.code).toBe(0);
    expect(parseSnapshot(JSON.parse(r.out)).cluster).toBe('demo');
    expect(r.err).toContain('note: using cluster demo (--cluster), region us-east-1 (AWS_REGION), account 123456789012 (the clusters\' ARNs)');
    expect(r.err).not.toContain('deprecated');
    const old = await runCli('snapshot', '--cluster', 'demo');
    expect(old.code).toBe(0);
    expect(parseSnapshot(JSON.parse(old.out)).cluster).toBe('demo');
    expect(old.err).toContain('ecs-pilot: deprecated: `snapshot` reads your AWS account; pass --aws');
  });

  it('cleanup --aws works; without --aws: a deprecation notice', async () => {
    const r = await runCli('cleanup', '--aws');
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: using cluster demo (./ecs-pilot.yml, the default --config)');
    expect(r.err).toBe('');
    expect((await runCli('cleanup')).err).toContain('deprecated: `cleanup` reads your AWS account; pass --aws');
  });

  it('jobs run without --aws, for a job of another cluster: the reason is the simulated cluster, and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-jobs-'));
    const config = join(dir, 'ecs-pilot.yml');
    writeFileSync(
      config,
      'clusters:\n  - name: prod\n    groups:\n      - { name: spot, asg: prod-spot }\njobs:\n  - { name: export, schedule: rate(1 day), cluster: prod, taskDefinition: export, capacityProviders: [spot], passRoles: [] }\n',
    );
    const r = await runCli('--config', config, 'jobs', 'run', 'export');
    expect(r.code).toBe(1);
    expect(r.err).toContain('job "export" runs on cluster "prod"; without --aws it would start on the simulated cluster "demo" (events/clusters/demo.json)');
    expect(r.err).toContain('pass --aws');
    expect(r.err).not.toContain('not configured');
  });

  it('replay --aws of events recorded on another cluster: said, with where they come from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-replay-'));
    const config = join(dir, 'ecs-pilot.yml');
    writeFileSync(config, 'clusters:\n  - name: prod\n    groups:\n      - { name: spot, asg: prod-spot }\n');
    const r = await runCli('--config', config, 'replay', 'events/demo/02-service-task-placement-failure.json', '--aws');
    expect(r.out).toContain('the events name cluster demo, which the config does not configure');
    expect(r.out).toContain(`note: using cluster prod (--config ${config}), region us-east-1 (AWS_REGION)`);
  });
});
