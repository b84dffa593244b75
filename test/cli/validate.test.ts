/** `ecs-pilot validate`: the packaging checks, offline, before a deploy (issue 24). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployRegion } from '../../src/config/packaging.js';
import { runCli } from '../support/cli.js';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ecs-pilot-validate-')), 'ecs-pilot.yml');
  writeFileSync(file, yaml);
  return file;
}

const CLUSTER = 'clusters:\n  - name: prod\n    groups:\n      - { name: spot, asg: prod-spot }\n';

describe('Function: deployRegion', () => {
  it.each([
    [undefined, undefined, 'us-east-1'],
    [undefined, 'eu-west-1', 'eu-west-1'],
    ['eu-west-1', undefined, 'eu-west-1'],
    ['eu-west-1', 'eu-west-1', 'eu-west-1'],
  ])('--region %s, config region %s → %s', (flag, region, expected) => {
    expect(deployRegion(flag, { region })).toBe(expected);
  });

  it('refuses a --region other than the config\'s, naming both', () => {
    expect(() => deployRegion('us-east-1', { region: 'eu-west-1' })).toThrow("$.region: the deploy region us-east-1 (--region) differs from the config's region eu-west-1");
  });
});

describe('CLI: ecs-pilot validate', () => {
  it('the repository\'s config is deployable; says the deploy region and whence', async () => {
    const r = await runCli('validate');
    expect(r.code).toBe(0);
    expect(r.out).toContain('./ecs-pilot.yml: valid, and deployable');
    expect(r.out).toMatch(/deploy region: \S+ \(/);
  });

  it('a job without passRoles: exit 1 with the field, as packaging refuses it (jobs list accepts the file)', async () => {
    const file = configFile(`${CLUSTER}jobs:\n  - { name: export, schedule: rate(1 day), cluster: prod, taskDefinition: export, capacityProviders: [spot] }\n`);
    expect((await runCli('--config', file, 'jobs', 'list')).code).toBe(0);
    const r = await runCli('--config', file, 'validate');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: config is invalid:`);
    expect(r.err).toContain('$.jobs[0].passRoles: required to deploy');
  });

  it('a deploy region other than the config\'s: exit 1 naming both; the config\'s region is the deploy region', async () => {
    const file = configFile(`region: eu-west-1\n${CLUSTER}`);
    const r = await runCli('--config', file, 'validate', '--region', 'us-east-1');
    expect(r.code).toBe(1);
    expect(r.err).toContain("the deploy region us-east-1 (--region) differs from the config's region eu-west-1");
    const ok = await runCli('--config', file, 'validate', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).region).toEqual({ value: 'eu-west-1', from: `region: in ${file}` });
  });
});
