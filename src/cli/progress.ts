/**
 * Progress of a long run on a terminal (cli-progress). main.ts offers it only when stdout is a TTY,
 * and commands use it only for text output: never in --json or piped output. The bar is cleared when
 * it stops, so the result printed after it stands alone.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stdout): Progress {
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} simulated s`, stream, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
