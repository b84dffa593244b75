import { runCli } from '../support/cli.js';

describe('CLI: ecs-pilot plan', () => {
  it('prints a table per group and the reasons for what cannot be placed', async () => {
    const r = await runCli('plan', 'events/clusters/demo.json');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/GROUP\s+LIFECYCLE\s+CURRENT\s+DESIRED/);
    expect(r.out).toContain('spot-general');
    expect(r.out).toContain('needs 4 GPUs; largest type in group gpu-ondemand has 1');
  });

  it('prints the plan object with --json', async () => {
    const r = await runCli('plan', 'events/clusters/demo.json', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.groups[0]).toEqual(
      expect.objectContaining({ name: 'spot-general', asg: 'ecs-pilot-demo-spot-general', current: 4, desired: expect.any(Number), lowerBound: expect.any(Number), ecsManagedEstimate: expect.any(Number) }),
    );
    expect(plan.placements[0]).toEqual({ task: expect.stringContaining(':task/demo/'), instance: expect.any(String) });
    expect(plan.unplaceable).toHaveLength(1);
    expect(plan.stats.planMs).toEqual(expect.any(Number));
  });

  it('exits 1 with the field paths when the snapshot does not validate', async () => {
    const r = await runCli('plan', 'test/fixtures/bad-snapshot.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.groups[0].max');
    expect(r.err).toContain('$.pending[0].cpu');
  });

  it('exits 1 for a missing file', async () => {
    const r = await runCli('plan', 'no/such/file.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no such file');
  });

  it.each([[['plan']], [['plan', 'a.json', '--bogus']], [['frobnicate']]])('exits 2 on usage errors: %j', async (argv) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(2);
  });

  it('shows what consolidation would drain, where the tasks go, and the saving', async () => {
    const r = await runCli('plan', 'test/fixtures/consolidation-cluster.json', '--consolidate', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.consolidation).toEqual(
      expect.objectContaining({ cluster: 'night', savingPerHour: 0.192, moves: [expect.objectContaining({ ec2InstanceId: 'i-00000000000000005', utilisation: 0.25, savingPerHour: 0.192 })] }),
    );
    const human = await runCli('plan', 'test/fixtures/consolidation-cluster.json', '--consolidate');
    expect(human.out).toContain('drain i-00000000000000005 (general, m5.xlarge, 25 % used)');
    expect(human.out).toContain('saving: $0.192/h');
  });

  it('prints help and exits 0', async () => {
    const r = await runCli('plan', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: ecs-pilot plan');
  });
});

describe('CLI: ecs-pilot plan, a task naming an unknown capacity provider (issue 24)', () => {
  it('prints the plan but exits 1 with an error naming the provider, the field and the groups', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const snapshot = JSON.parse(readFileSync('events/clusters/demo.json', 'utf8'));
    snapshot.pending[2].capacityProvider = 'spot-genral';
    const file = join(mkdtempSync(join(tmpdir(), 'plan-')), 'typo.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const r = await runCli('plan', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Cannot place');
    expect(r.err).toContain('1 waiting task(s) name capacity provider "spot-genral", which is no group of the snapshot (groups: spot-general, ondemand-general, gpu-ondemand)');
    expect(r.err).toContain('$.pending[2].capacityProvider: "spot-genral"');
    expect((await runCli('plan', file, '--json')).code).toBe(1);
    // Fargate's providers are not groups, and not an error.
    snapshot.pending[2].capacityProvider = 'FARGATE_SPOT';
    writeFileSync(file, JSON.stringify(snapshot));
    expect((await runCli('plan', file)).code).toBe(0);
  });
});
