// A jest reporter: prints, at the end of the run (just before jest's own summary, which jest
// reports after every custom reporter), the figure lines the specs gathered with printFigures
// (test/support/figures.ts), so that CI's log shows them in one place rather than scattered among
// each spec's console output. The file it names in TEST_FIGURES_FILE is set before
// jest starts its workers, which inherit it.
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

class FiguresReporter {
  constructor() {
    this.folder = mkdtempSync(join(tmpdir(), 'test-figures-'));
    process.env.TEST_FIGURES_FILE = join(this.folder, 'figures.txt');
  }

  onRunComplete() {
    let lines = [];
    try {
      lines = readFileSync(process.env.TEST_FIGURES_FILE, 'utf8').split('\n').filter((line) => line !== '');
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    rmSync(this.folder, { recursive: true, force: true });
    if (lines.length === 0) return;
    process.stdout.write(`\nFigures of this run (${lines.length}):\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
  }
}

module.exports = FiguresReporter;
