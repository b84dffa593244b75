// Values serverless.yml derives from the controller config: the config validated as the CLI validates
// it (serverless/config.cjs), event rules and schedules (events.cjs), least-privilege IAM (iam.cjs),
// alarms and dashboard (observability.cjs). Usage: ${file(./serverless/params.cjs):<name>}
// Deployment parameters (`--param="<name>=<value>"`, defaults under `params:` in serverless.yml):
//   config               path of the controller config, also outside this repository
//   reservedConcurrency  reserved concurrency of reconcile and scaling; 0 reserves none
//   alarmEmail           e-mail address subscribed to the alarm topic; empty for none
const { BUNDLED, loadConfig } = require('./config.cjs');
const { familyOf, rules, schedules } = require('./events.cjs');
const { managedPolicies, statements } = require('./iam.cjs');
const { observability } = require('./observability.cjs');

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  return value === null || value === undefined ? '' : String(value);
}

module.exports = async ({ resolveVariable }) => {
  const config = loadConfig(await param(resolveVariable, 'config'));
  const reserved = Number(await param(resolveVariable, 'reservedConcurrency'));
  if (!Number.isInteger(reserved) || reserved < 0) throw new Error(`reservedConcurrency must be a whole number ≥ 0, not "${await param(resolveVariable, 'reservedConcurrency')}"`);
  const policies = managedPolicies(statements(config, familyOf));
  return {
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
};
