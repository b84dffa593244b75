/**
 * The packaged bundles keep class names (esbuild `keepNames`): decision records and the replay name SDK
 * commands by `constructor.name`, which minification would turn into `_w`. Packages when a zip is
 * missing or older than the sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ZIPS = ['capacity', 'lifecycle', 'spot', 'batch'].map((f) => `.serverless/${f}.zip`);

function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** The files of a zip (stored or deflated), read from its central directory. */
function unzip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : data);
    at += 46 + skip;
  }
  return files;
}

describe('Packaged bundles (osls package)', () => {
  beforeAll(() => {
    const sources = Math.max(newest('src'), ...['serverless.yml', 'package.json'].map((f) => statSync(f).mtimeMs));
    if (ZIPS.some((z) => !existsSync(z) || statSync(z).mtimeMs < sources)) execFileSync('npx', ['osls', 'package'], { stdio: 'pipe', timeout: 180_000 });
  }, 200_000);

  it.each(ZIPS)('%s names SDK commands by their own names', (zip) => {
    const bundle = [...unzip(zip)].find(([name]) => name.endsWith('.mjs'))?.[1].toString('utf8') ?? '';
    expect(bundle.length).toBeGreaterThan(100_000);
    for (const command of ['SetDesiredCapacityCommand', 'UpdateContainerInstancesStateCommand', 'DescribeTasksCommand']) expect(bundle).toContain(`"${command}"`);
  });
});
