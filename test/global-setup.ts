/**
 * Jest globalSetup: builds dist/ once, so that the e2e specs run the apps exactly as
 * `npm start` does (compiled JavaScript, real processes).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function buildOnce(): void {
  execFileSync('npm', ['run', 'build', '--silent'], {
    cwd: resolve(__dirname, '..'),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
