/**
 * The CloudFormation template and the bundles `osls package` generates (.ci/run packages before the
 * tests; this packages when either is missing or older than its sources, one test file at a time), and
 * packaging in a scratch copy of the service for other configs and parameters.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEMPLATE = '.serverless/cloudformation-template-update-stack.json';
/** The functions' bundles, from the whole of src/. */
export const BUNDLES = ['capacity', 'lifecycle', 'spot', 'batch'].map((f) => `.serverless/${f}.zip`);
const SOURCES = ['serverless.yml', 'ecs-pilot.yml', 'package.json', ...readdirSync('serverless').map((f) => `serverless/${f}`), ...readdirSync('src/config').map((f) => `src/config/${f}`)];
const LOCK = '.serverless-packaging.lock';

/** Waits for another test file's packaging (the test files of the packaging tier may run in parallel workers). */
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}
const olderThan = (file: string, mtimeMs: number) => !existsSync(file) || statSync(file).mtimeMs < mtimeMs;
/** One packaging run serves the template and the bundles: stale when either is older than its sources. */
const stale = () => {
  const config = Math.max(...SOURCES.map((s) => statSync(s).mtimeMs));
  return olderThan(TEMPLATE, config) || BUNDLES.some((b) => olderThan(b, Math.max(config, newest('src'))));
};

/** Packages the service unless the template and the bundles are newer than their sources; one test file at a time. */
export function packagedService(): void {
  for (let waited = 0; stale() && waited < 240_000; waited += 500) {
    try {
      mkdirSync(LOCK);
    } catch {
      // Another test file is packaging; a lock older than a packaging run was left by a killed one.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 200_000) rmSync(LOCK, { recursive: true, force: true });
      else sleep(500);
      continue;
    }
    try {
      if (stale()) execFileSync('npx', ['osls', 'package'], { stdio: 'pipe', timeout: 180_000 });
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function packagedTemplate(): any {
  packagedService();
  return JSON.parse(readFileSync(TEMPLATE, 'utf8'));
}

export interface ScratchPackage {
  status: number | null;
  output: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  template?: any;
  /** The scratch directory (service copy and config), to remove after the test. */
  dir: string;
}

/**
 * Packages a copy of the service (its own node_modules link, config copy and output) with `config`
 * written outside the copy and passed as the `config` parameter, plus further `--param`s and `args`.
 */
export function packageWith(configYaml: string, params: Record<string, string> = {}, args: string[] = []): ScratchPackage {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-pkg-'));
  const service = join(dir, 'service');
  mkdirSync(service);
  for (const entry of ['serverless.yml', 'serverless', 'src', 'package.json', 'tsconfig.json']) if (existsSync(entry)) cpSync(entry, join(service, entry), { recursive: true });
  symlinkSync(join(process.cwd(), 'node_modules'), join(service, 'node_modules'));
  const configFile = join(dir, 'ops-config', 'ecs-pilot.yml');
  mkdirSync(join(dir, 'ops-config'));
  writeFileSync(configFile, configYaml);
  const run = spawnSync('npx', ['osls', 'package', `--param=config=${configFile}`, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`), ...args], { cwd: service, encoding: 'utf8', timeout: 240_000 });
  const out = join(service, TEMPLATE);
  return { status: run.status, output: `${run.stdout}${run.stderr}`, dir, ...(run.status === 0 && existsSync(out) ? { template: JSON.parse(readFileSync(out, 'utf8')) } : {}) };
}
