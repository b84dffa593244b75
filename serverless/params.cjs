// Values serverless.yml derives from the controller config: the config validated as the CLI validates
// it (serverless/config.cjs), event rules and schedules (events.cjs), least-privilege IAM (iam.cjs),
// alarms and dashboard (observability.cjs). Usage: ${file(./serverless/params.cjs):<name>}
// Deployment parameters (`--param="<name>=<value>"`, defaults under `params:` in serverless.yml):
//   config               path of the controller config, also outside this repository
//   reservedConcurrency  reserved concurrency of reconcile and scaling; 0 reserves none
//   alarmEmail           e-mail address subscribed to the alarm topic; empty for none
const { BUNDLED, deployRegion, loadConfig } = require('./config.cjs');
const { familyOf, rules, schedules } = require('./events.cjs');
const { managedPolicies, statements } = require('./iam.cjs');
const { observability } = require('./observability.cjs');

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  return value === null || value === undefined ? '' : String(value);
}

async function values({ options, resolveVariable }) {
  const configPath = await param(resolveVariable, 'config');
  const config = loadConfig(configPath);
  /** The stack's Region: the config's, refused when --region names another (src/config/packaging.ts). */
  const region = deployRegion(configPath, options?.region || undefined);
  const reserved = Number(await param(resolveVariable, 'reservedConcurrency'));
  if (!Number.isInteger(reserved) || reserved < 0) throw new Error(`reservedConcurrency must be a whole number ≥ 0, not "${await param(resolveVariable, 'reservedConcurrency')}"`);
  const policies = managedPolicies(statements(config, familyOf));
  return {
    region,
    /** Where the functions read the config (ECS_PILOT_CONFIG), bundled into each function. */
    bundledConfig: BUNDLED,
    /** Reserved concurrency of the functions that should not run twice at once; null: none reserved. */
    reservedConcurrency: reserved > 0 ? reserved : null,
    managedPolicyArns: Object.keys(policies).map((id) => ({ Ref: id })),
    generated: { Resources: {
      ...rules(config),
      ...schedules(config),
      ...policies,
      ...observability(await param(resolveVariable, 'alarmEmail')),
    } },
  };
}

// serverless.yml reads several values of this file and osls calls it once for each, reporting every
// failure. The first call that gets past osls's own variables does the work; a config error is
// printed once, here, and every value points at it. osls's own "cannot resolve yet" is passed on
// (it asks again once its sources are ready).
let first;
let printed = false;
module.exports = async (context) => {
  const attempt = first ?? values(context);
  try {
    const result = await attempt;
    first = attempt;
    return result;
  } catch (e) {
    if (!e.ecsPilotConfig) throw e;
    first = attempt;
    if (!printed) process.stderr.write(`\necs-pilot: the config cannot be deployed:\n${e.message}\n\n`);
    printed = true;
    const error = new Error('not resolved: the config cannot be deployed (its error: the "ecs-pilot:" message)');
    error.stack = error.message;
    throw error;
  }
};
