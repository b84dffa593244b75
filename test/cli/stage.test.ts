/** One default stage (issue 24): what `osls deploy` deploys without --stage is what the CLI looks for. */
import { readFileSync } from 'node:fs';
import { DEFAULT_STAGE } from '../../src/cli/aws-context.js';

describe('Default stage', () => {
  it("serverless.yml's default stage is the CLI's DEFAULT_STAGE", () => {
    const stage = /^\s+stage:\s*\$\{opt:stage,\s*'([^']+)'\}/m.exec(readFileSync('serverless.yml', 'utf8'))?.[1];
    expect(stage).toBe(DEFAULT_STAGE);
  });
});
