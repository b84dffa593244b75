/**
 * The packaged bundles keep class names (esbuild `keepNames`): decision records and the replay name SDK
 * commands by `constructor.name`, which minification would turn into `_w`. Packages when a zip is
 * missing or older than the sources (test/serverless/packaged.ts).
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { BUNDLES as ZIPS, packagedService } from './packaged.js';

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
  // The same packaging run as the template's (under its lock: the packaging tier's files may run in parallel).
  beforeAll(() => packagedService(), 250_000);

  it.each(ZIPS)('%s names SDK commands by their own names', (zip) => {
    const bundle = [...unzip(zip)].find(([name]) => name.endsWith('.mjs'))?.[1].toString('utf8') ?? '';
    expect(bundle.length).toBeGreaterThan(100_000);
    for (const command of ['SetDesiredCapacityCommand', 'UpdateContainerInstancesStateCommand', 'DescribeTasksCommand']) expect(bundle).toContain(`"${command}"`);
  });
});
