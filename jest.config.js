// Tests carry their tier in the file name: *.spec.ts (pure), *.int-spec.ts (real SQLite, Redis,
// PostgreSQL, processes), *.e2e-spec.ts (HTTP against the running apps).
//
// Two projects with the same settings: the e2e specs run the built apps, so only their project
// builds dist/ first (its globalSetup). Jest runs a project's globalSetup only when some of that
// project's tests are selected, so `npx jest libs/domain` builds nothing.
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
// Jest resolves the path aliases itself (moduleNameMapper), so swc only strips types here.
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;
delete swcrc.$schema;

/** What both projects share: how test files are found, compiled and resolved. */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  // Fixture trees hold deliberate violations for test/dependency-rules.int-spec.ts, not tests.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/test/fixtures/'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // NestJS 12 ships ES modules only; jest's CommonJS runtime cannot require them, so they are
  // compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras)/)'],
  moduleNameMapper: {
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  // A global option: jest reads the test timeout from here, not from the projects.
  testTimeout: 30_000,
  // The default output, then the figures the specs gathered (test/support/figures.ts).
  reporters: ['default', '<rootDir>/test/support/figures.reporter.cjs'],
  projects: [
    {
      ...shared,
      displayName: 'unit+int',
      testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['**/*.e2e-spec.ts'],
      // Builds dist/ once, so that the e2e specs run the apps as `npm start` does.
      globalSetup: '<rootDir>/test/global-setup.ts',
    },
  ],
};
