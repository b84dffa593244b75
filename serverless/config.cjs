// The controller config at package time: validated with the CLI's own schema and messages
// (src/config/packaging.ts, bundled here with esbuild since this file is CommonJS and src is
// TypeScript), then copied to BUNDLED so it may live anywhere (`--param="config=<path>"`).
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const ROOT = join(__dirname, '..');
/** Where the functions find the config in their bundle (package.patterns, ECS_PILOT_CONFIG). */
const BUNDLED = '.ecs-pilot/ecs-pilot.yml';

let packagingModule;
function packaging() {
  if (!packagingModule) {
    const outfile = join(ROOT, '.ecs-pilot', 'packaging.cjs'); // bundles zod and yaml: no resolution needed
    buildSync({ entryPoints: [join(ROOT, 'src', 'config', 'packaging.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
    packagingModule = require(outfile);
  }
  return packagingModule;
}

const loaded = new Map();

/**
 * The validated config at `path` (relative to the service directory), copied into the bundle.
 * @throws Error whose message names the file and every bad field; packaging stops with it
 */
function loadConfig(path) {
  const file = resolve(ROOT, path);
  if (!loaded.has(file)) {
    let config;
    try {
      config = packaging().loadConfigForPackaging(file);
    } catch (e) {
      const error = new Error(`${file}: ${e.message}`);
      error.stack = error.message; // the fields are the news, not where packaging noticed them
      error.ecsPilotConfig = true; // params.cjs prints it once
      throw error;
    }
    mkdirSync(dirname(join(ROOT, BUNDLED)), { recursive: true });
    if (resolve(ROOT, BUNDLED) !== file) copyFileSync(file, join(ROOT, BUNDLED));
    loaded.set(file, config);
  }
  return loaded.get(file);
}

/**
 * The deploy region: `--region`, else the config's `region`, else us-east-1 (src/config/packaging.ts).
 * @throws Error naming both when `--region` and the config's region differ
 */
function deployRegion(path, flag) {
  const config = loadConfig(path);
  try {
    return packaging().deployRegion(flag, config);
  } catch (e) {
    const error = new Error(`${resolve(ROOT, path)}: ${e.message}`);
    error.stack = error.message;
    error.ecsPilotConfig = true;
    throw error;
  }
}

module.exports = { loadConfig, deployRegion, BUNDLED };
