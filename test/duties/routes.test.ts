import { readdirSync } from 'node:fs';
import { deployedRouter } from '../../src/duties/routes.js';
import { demoConfig, event } from '../support/handlers.js';

describe('Function: deployedRouter (the deployment\'s rules and schedules, as replay and the simulator route)', () => {
  it.each([
    ['01-spot-interruption-warning.json', ['spot']],
    ['02-service-task-placement-failure.json', ['capacity']],
    ['03-task-provisioning.json', ['capacity']],
    ['04-terminate-lifecycle-action.json', ['lifecycle']],
    ['05-container-instance-draining.json', ['lifecycle']],
    ['06-rebalance-recommendation.json', ['rebalance']],
    ['07-reconcile-tick.json', ['reconcile']],
    ['08-job-schedule.json', ['batch']],
    ['09-job-attempt-stopped.json', ['batch']],
    ['10-alarm-worker-backlog.json', ['scaling']],
  ])('routes the demo event %s to %j', async (file, duties) => {
    const route = await deployedRouter(demoConfig());
    expect(route.duties(event(`events/demo/${file}`))).toEqual(duties);
  });

  it('routes every demo event somewhere (the demo replays what a deployment would deliver)', async () => {
    const route = await deployedRouter(demoConfig());
    for (const f of readdirSync('events/demo').filter((x) => x.endsWith('.json'))) expect(route.duties(event(`events/demo/${f}`)).length).toBeGreaterThan(0);
  });

  it('sends nothing no rule matches: an ACTIVE container instance, another cluster, a job the config does not schedule', async () => {
    const route = await deployedRouter(demoConfig());
    expect(route.duties(event('events/samples/ecs-container-instance-state-change.active.json'))).toEqual([]);
    const other = event('events/demo/03-task-provisioning.json');
    other.detail.clusterArn = 'arn:aws:ecs:us-east-1:123456789012:cluster/not-ours';
    expect(route.duties(other)).toEqual([]);
    const job = event('events/demo/08-job-schedule.json');
    job.detail = { job: 'no-such-job' };
    expect(route.duties(job)).toEqual([]);
  });

  it('sends a PROVISIONING task to the capacity queue and to the state queue', async () => {
    const route = await deployedRouter(demoConfig());
    expect(route.toStore(event('events/demo/03-task-provisioning.json'))).toBe(true);
    expect(route.toStore(event('events/demo/01-spot-interruption-warning.json'))).toBe(false);
  });
});
