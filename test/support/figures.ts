/**
 * The figures a spec measures and CI must show (cells checked, mismatches, leaks, runs, 5xx):
 * printed where the spec runs, and gathered for the figures reporter
 * (test/support/figures.reporter.cjs), which prints them all together at the end of the run,
 * where a reader of CI's log finds them.
 * Test code only.
 */
import { appendFileSync } from 'node:fs';

/** One line of figures, e.g. `access matrix: 297 cells checked, 0 mismatches`. */
export function printFigures(line: string): void {
  console.log(line);
  // Set by the reporter for the run; absent when a spec runs without it.
  const file = process.env.TEST_FIGURES_FILE;
  // One short line per append: concurrent workers' lines do not interleave.
  if (file) appendFileSync(file, `${line.replaceAll('\n', ' ')}\n`);
}
