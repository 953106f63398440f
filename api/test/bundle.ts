import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLE_PATH = join(ROOT, 'dist', 'ai-receptionist.min.js');

/** The newest modification time of a widget source file (tests excluded). */
function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      if (e.isDirectory()) return e.name === 'test' ? 0 : newestSource(join(dir, e.name));
      return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? statSync(join(dir, e.name)).mtimeMs : 0;
    }),
  );
}

/**
 * Builds the single-file widget bundle (the rollup step `npm start` runs) when it is missing or
 * older than any widget source, so a page under test or benchmark never runs stale widgets.
 */
export function ensureBundle(): void {
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs > newestSource(join(ROOT, 'widgets'))) return;
  const result = spawnSync('npx', ['rollup', '-c', 'rollup.config.js', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the rollup build failed: ${BUNDLE_PATH} is needed`);
}
