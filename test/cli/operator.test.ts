/**
 * Issue 13: output that says why. Each test reproduces one friction point an operator met on the demo
 * and checks its fix through the CLI (exit code, text, --json).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsProviderError } from '@smithy/core/config';
import { ClusterNotFoundException, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { main } from '../../src/cli/main.js';
import { wrap } from '../../src/cli/replay-command.js';
import { runCli } from '../support/cli.js';
import { mockAws } from '../support/aws-mocks.js';
import { loadJson } from '../support/builders.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'ecs-pilot-cli-'));
const pkg = loadJson<{ version: string }>('package.json');

describe('CLI: failures say why', () => {
  it('jobs run: a failed run names its cause (RESOURCE:MEMORY on both providers) in text and in --json', async () => {
    const text = await runCli('jobs', 'run', 'nightly-report');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/outcome: failed \(runTask nightly-report: .*spot-general: RESOURCE:MEMORY; ondemand-general: RESOURCE:MEMORY\)/);
    expect(text.out).toContain('  failed:\n    - runTask nightly-report:');
    // "started" is what it meant to do: the decision whose write failed is marked.
    expect(text.out).toContain('  decisions (✗: its write failed, see below):');
    expect(text.out).toMatch(/- run nightly-report attempt 1 \(.*\): started by hand {2}✗/);
    const json = await runCli('jobs', 'run', 'nightly-report', '--json');
    expect(json.code).toBe(1);
    const event = JSON.parse(json.out).events[0];
    expect(event.outcome).toBe('failed');
    expect(event.reason).toContain('RESOURCE:MEMORY');
    expect(event.failures).toEqual([{ action: 'runTask', items: ['nightly-report'], error: expect.stringContaining('spot-general: RESOURCE:MEMORY; ondemand-general: RESOURCE:MEMORY') }]);
  });
});

describe('CLI: reasons are never cut', () => {
  it('prints every decision in full (no "..." at 110 characters)', async () => {
    const r = await runCli('replay', 'events/demo');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/\.\.\.$/m);
    expect(r.out).toContain('set ecs-pilot.replacement-requested=2026-11-24T12:00:05.000Z on arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000003');
    expect(r.out.split('\n').some((l) => l.length > 110)).toBe(true);
  });

  it('wraps to the terminal width, word by word, and --wide keeps one line per item', async () => {
    const run = async (...argv: string[]) => {
      // Both runs cold (each run creates its clients): the same calls, so the same words.
      const out: string[] = [];
      const code = await main(argv, { out: (t) => out.push(t), err: () => {}, columns: 80 });
      return { code, out: out.join('\n') };
    };
    const wrapped = await run('replay', 'events/demo/01-spot-interruption-warning.json');
    const wide = await run('replay', 'events/demo/01-spot-interruption-warning.json', '--wide');
    expect(wrapped.code).toBe(0);
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    // Nothing lost: the same words in the same order.
    expect(words(wrapped.out)).toEqual(words(wide.out));
    const breakable = (l: string) => l.trim().includes(' ');
    expect(wrapped.out.split('\n').filter((l) => l.length > 80 && breakable(l.slice(0, 80)))).toEqual([]);
    expect(wide.out.split('\n').some((l) => l.length > 80)).toBe(true);
  });

  it('wrap() continues a long item under its text', () => {
    expect(wrap('    - one two three four five', 17)).toBe('    - one two\n        three\n        four five');
    expect(wrap('short', 16)).toBe('short');
    expect(wrap('a very long line that is kept', undefined)).toBe('a very long line that is kept');
  });
});

describe('CLI: the numbers say what they count and agree', () => {
  it('replay names the unit of desired capacity: weighted units or instances', async () => {
    const r = await runCli('replay', 'events/demo/02-service-task-placement-failure.json');
    expect(r.out).toContain('spot-general (ecs-pilot-demo-spot-general): desired 4 → 12 capacity units (weights 1–4)');
    expect(r.out).toContain('gpu-ondemand (ecs-pilot-demo-gpu): desired 1 → 4 instances');
  });

  it("replay shows the service's new desired count in the cluster diff", async () => {
    const r = await runCli('replay', 'events/demo/10-alarm-worker-backlog.json');
    expect(r.code).toBe(0);
    expect(r.out).toContain('service worker: desired 10 → 20 tasks');
  });

  it('plan names the unit per group (table and --json) and agrees with replay on the same snapshot: tasks to place, desired per group', async () => {
    const text = await runCli('plan', 'events/clusters/demo.json');
    expect(text.out).toMatch(/GROUP\s+LIFECYCLE\s+CURRENT\s+DESIRED\s+COUNTED IN/);
    expect(text.out).toMatch(/spot-general\s+spot\s+4\s+12 \(\+8\)\s+capacity units \(weights 1–4\)/);
    const json = JSON.parse((await runCli('plan', 'events/clusters/demo.json', '--json')).out);
    expect(json.groups.map((g: { name: string; unit: string }) => [g.name, g.unit])).toEqual([
      ['spot-general', 'capacity units (weights 1–4)'],
      ['ondemand-general', 'capacity units (weights 2)'],
      ['gpu-ondemand', 'instances'],
    ]);
    // The same count of tasks to place, and the same desired capacity per group, as the capacity function.
    expect(json.stats).toEqual(expect.objectContaining({ pendingTasks: 29, displacedTasks: 1 }));
    expect(text.out).toContain('29 waiting tasks and 1 on draining instances (30 to place, as the controller counts them)');
    const replayed = JSON.parse((await runCli('replay', 'events/demo/02-service-task-placement-failure.json', '--json')).out);
    expect(replayed.events[0].actions[0].reason).toMatch(/^30 task\(s\) waiting for capacity \(1 on draining instances\)/);
    const sets = replayed.events[0].calls.filter((c: { command: string }) => c.command === 'SetDesiredCapacity').map((c: { input: { AutoScalingGroupName: string; DesiredCapacity: number } }) => [c.input.AutoScalingGroupName, c.input.DesiredCapacity]);
    expect(sets).toEqual(json.groups.filter((g: { desired: number; current: number }) => g.desired > g.current).map((g: { asg: string; desired: number }) => [g.asg, g.desired]));
  });

  it("plan honours the config's targetCapacityPercent for the cluster it names, and says so", async () => {
    const dir = tmp();
    const config = join(dir, 'headroom.yml');
    writeFileSync(config, 'clusters:\n  - name: demo\n    groups:\n      - { name: spot-general, asg: ecs-pilot-demo-spot-general, lifecycle: spot, targetCapacityPercent: 50 }\n');
    const plain = JSON.parse((await runCli('plan', 'events/clusters/demo.json', '--json')).out);
    const r = await runCli('--config', config, 'plan', 'events/clusters/demo.json', '--json');
    expect(r.code).toBe(0);
    const planned = JSON.parse(r.out);
    expect(planned.settings).toEqual({ config, changed: ['spot-general: targetCapacityPercent 100 → 50'] });
    expect(planned.groups[0].desired).toBeGreaterThan(plain.groups[0].desired);
    const text = await runCli('--config', config, 'plan', 'events/clusters/demo.json');
    expect(text.out).toContain(`Settings from ${config} (cluster demo): spot-general: targetCapacityPercent 100 → 50`);
  });
});

describe('CLI: plan --consolidate', () => {
  it('never drains an instance that the same plan sends tasks to', async () => {
    const dir = tmp();
    const instances = [0, 1, 2, 3, 4, 5].map((k) => ({
      id: `arn:aws:ecs:us-east-1:123456789012:container-instance/c/${k}`,
      ec2InstanceId: `i-0000000000000000${k}`,
      group: 'g',
      type: 'm5.xlarge',
      az: 'us-east-1a',
      status: 'ACTIVE',
      tasks: [{ id: `arn:aws:ecs:us-east-1:123456789012:task/c/t${k}`, cpu: 1024, memoryMiB: 1024, group: 'service:web' }],
    }));
    const snapshot = { version: 1, cluster: 'c', takenAt: '2026-11-24T03:00:00Z', instanceTypes: { 'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 } }, groups: [{ name: 'g', asg: 'asg-g', min: 0, max: 10, desired: 6, instanceTypes: [{ type: 'm5.xlarge', weight: 1 }] }], instances, pending: [] };
    writeFileSync(join(dir, 'c.json'), JSON.stringify(snapshot));
    writeFileSync(join(dir, 'c.yml'), 'clusters:\n  - name: c\n    consolidation: { enabled: true, maxDrainingPercent: 50 }\n    groups:\n      - { name: g, asg: asg-g }\n');
    const r = await runCli('--config', join(dir, 'c.yml'), 'plan', join(dir, 'c.json'), '--consolidate', '--json');
    expect(r.code).toBe(0);
    const { moves } = JSON.parse(r.out).consolidation as { moves: Array<{ instance: string; placements: Array<{ instance: string }> }> };
    expect(moves.length).toBeGreaterThan(1);
    const drained = new Set(moves.map((m) => m.instance));
    expect(moves.flatMap((m) => m.placements.map((p) => p.instance)).filter((t) => drained.has(t))).toEqual([]);
  });
});

describe('CLI: settings are used', () => {
  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(pkg.version);
    }
  });

  it('simulate --report html is refused (a format, not a file); --report <file>.html writes the report, creating its directory', async () => {
    const bad = await runCli('simulate', 'test/fixtures/simulate/tiny.yml', '--report', 'html');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--report takes the HTML file to write, e.g. --report out/html.html (got "html")');
    const file = join(tmp(), 'nested', 'tiny.html');
    const r = await runCli('simulate', 'test/fixtures/simulate/tiny.yml', '--report', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`note: report written to ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<svg width="100%"');
    expect(html).toContain(`ecs-pilot ${pkg.version}`);
    expect(html).toContain('<span class="mk">1</span> 5 min: RunTask × 4</li>');
    expect(html).toContain('2 runs on the same scenario: ecs-pilot own, ECS tuned.'); // the run's label: ecs-pilot in its mode (managed scaling off), beside the baseline
  });

  it('simulate --config runs ecs-pilot with that config (a cluster it lacks is an error)', async () => {
    const plain = JSON.parse((await runCli('simulate', 'test/fixtures/simulate/tiny.yml', '--json')).out);
    const r = await runCli('--config', 'test/fixtures/simulate/headroom.yml', 'simulate', 'test/fixtures/simulate/tiny.yml', '--json');
    expect(r.code).toBe(0);
    const configured = JSON.parse(r.out);
    expect(plain.config).toBe("defaults (the scenario's groups)");
    expect(configured.config).toBe('test/fixtures/simulate/headroom.yml');
    // targetCapacityPercent 50 keeps half of each instance free: more instance-hours for the same tasks.
    expect(configured.metrics.tasksRunning).toBe(plain.metrics.tasksRunning);
    expect(configured.metrics.instanceHours).toBeGreaterThan(plain.metrics.instanceHours);
    const text = await runCli('simulate', 'test/fixtures/simulate/tiny.yml', '--config', 'test/fixtures/simulate/headroom.yml');
    expect(text.out).toContain('note: test/fixtures/simulate/headroom.yml sets dryRun: the simulation runs ecs-pilot acting');
    const other = await runCli('--config', 'test/fixtures/other-cluster.yml', 'simulate', 'test/fixtures/simulate/tiny.yml');
    expect(other.code).toBe(1);
    expect(other.err).toContain('test/fixtures/other-cluster.yml has no cluster "tiny"');
    expect((await runCli('--config', 'no/such.yml', 'simulate', 'test/fixtures/simulate/tiny.yml')).code).toBe(1);
  });
});

describe('CLI: rough inputs get a clear message', () => {
  it('rejects unknown snapshot fields (a typo), naming each', async () => {
    const dir = tmp();
    const doc = loadJson<Record<string, any>>('events/clusters/demo.json');
    doc.groups[0].desiredd = 5;
    doc.instances[0].tasks[0].cpuu = 512;
    writeFileSync(join(dir, 'typo.json'), JSON.stringify(doc));
    const r = await runCli('plan', join(dir, 'typo.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.groups[0]: Unrecognized key: "desiredd"');
    expect(r.err).toContain('$.instances[0].tasks[0]: Unrecognized key: "cpuu"');
  });

  it('replay --json prints an `after` that plan accepts again', async () => {
    const dir = tmp();
    const out = JSON.parse((await runCli('replay', 'events/demo', '--json')).out);
    writeFileSync(join(dir, 'after.json'), JSON.stringify(out.after));
    expect((await runCli('plan', join(dir, 'after.json'))).code).toBe(0);
  });

  it('an empty event directory is an error (exit 1), not a silent success', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'events'));
    writeFileSync(join(dir, 'events', 'notes.txt'), 'not an event');
    const r = await runCli('replay', join(dir, 'events'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${join(dir, 'events')} holds no event files (*.json)`);
    writeFileSync(join(dir, 'events', 'empty.json'), JSON.stringify({ Messages: [] }));
    const empty = await runCli('replay', join(dir, 'events'));
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('empty.json holds no event (an empty array, or a receive-message with no Messages)');
  });

  describe('AWS errors, SDK mocked', () => {
    let aws: ReturnType<typeof mockAws>;
    beforeEach(() => {
      aws = mockAws();
    });
    afterEach(() => aws.restore());

    it.each([
      ['an unknown cluster', new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }), 'AWS ClusterNotFoundException: Cluster not found. — the ECS cluster does not exist in this account and region'],
      ['a missing region', new Error('Region is missing'), 'no AWS region: pass --region, set `region:` in the config, or set AWS_REGION'],
      ['missing credentials', new CredentialsProviderError('Could not load credentials from any providers'), 'no AWS credentials (Could not load credentials from any providers): set AWS_PROFILE'],
    ])('%s: one line naming what it used, exit 1, no stack trace', async (_name, error, message) => {
      aws.ecs.on(DescribeClustersCommand).rejects(error);
      const r = await runCli('--config', 'test/fixtures/other-cluster.yml', 'snapshot', '--aws', '--cluster', 'nope');
      expect(r.code).toBe(1);
      expect(r.err).not.toMatch(/^\s+at /m);
      // Notes say what it uses first; the error is one line, with the cluster, region and account (issue 24).
      const errors = r.err.split('\n').filter((l) => !l.startsWith('note: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`ecs-pilot: ${message}`);
      expect(errors[0]).toContain('(while using cluster nope (--cluster), region us-east-1 (AWS_REGION), account unknown');
    });
  });
});

describe('CLI: replay takes DLQ messages', () => {
  const spot = loadJson<Record<string, unknown>>('events/demo/01-spot-interruption-warning.json');
  // Lambda's on-failure destination record (docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
  const record = {
    version: '1.0',
    timestamp: '2026-11-24T12:00:09.000Z',
    requestContext: { requestId: 'e4b46cbf-b738-4f8a-8880-a18cdf61200e', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ecs-pilot-prod-spot:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: spot,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'ActuationError', errorMessage: 'event x: 1 action(s) failed: setDesiredCapacity: Throttling' },
  };

  it('replays the event of a Lambda failure record as `aws sqs receive-message` prints it, saying where it came from', async () => {
    const dir = tmp();
    const file = join(dir, 'dlq.json');
    writeFileSync(file, JSON.stringify({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh', MD5OfBody: 'x', Body: JSON.stringify(record) }] }));
    const r = await runCli('replay', file, '--json');
    expect(r.code).toBe(0);
    const [event] = JSON.parse(r.out).events;
    expect(event).toEqual(expect.objectContaining({ handler: 'spot', outcome: 'acted', id: spot.id }));
    expect(event.from).toBe('DLQ message m-1, Lambda failure record of ecs-pilot-prod-spot, RetriesExhausted, after 3 attempt(s), error: event x: 1 action(s) failed: setDesiredCapacity: Throttling');
    const text = await runCli('replay', file);
    expect(text.out).toContain('  from: DLQ message m-1, Lambda failure record of ecs-pilot-prod-spot, RetriesExhausted');
  });

  it('replays an event EventBridge could not deliver (body = the event, error in attributes) and a bare record', async () => {
    const dir = tmp();
    const message = { MessageId: 'm-2', Body: JSON.stringify(spot), MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' }, ERROR_MESSAGE: { DataType: 'String', StringValue: 'Lambda throttled' } } };
    writeFileSync(join(dir, 'a-eventbridge.json'), JSON.stringify(message));
    writeFileSync(join(dir, 'b-record.json'), JSON.stringify(record));
    const out = JSON.parse((await runCli('replay', dir, '--json')).out);
    expect(out.events.map((e: { handler: string; from: string }) => [e.handler, e.from])).toEqual([
      ['spot', 'DLQ message m-2, delivery error SDK_CLIENT_ERROR: Lambda throttled'],
      ['spot', expect.stringMatching(/^Lambda failure record of ecs-pilot-prod-spot, RetriesExhausted/)],
    ]);
    // The second is a duplicate of the first: nothing more to do.
    expect(out.events[1].outcome).toBe('nothing-to-do');
  });

  it('rejects a DLQ message whose body is not JSON, naming it', async () => {
    const file = join(tmp(), 'bad.json');
    writeFileSync(file, JSON.stringify({ MessageId: 'm-3', Body: 'not json' }));
    const r = await runCli('replay', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: SQS message m-3: the body is not JSON`);
  });
});
