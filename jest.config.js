// Tests carry their tier in the file name: *.spec.ts (pure), *.int-spec.ts (real SQLite, Redis,
// PostgreSQL, processes), *.e2e-spec.ts (HTTP against the running apps).
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
// Jest resolves the path aliases itself (moduleNameMapper), so swc only strips types here.
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // NestJS 12 ships ES modules only; jest's CommonJS runtime cannot require them, so they are
  // compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras)/)'],
  moduleNameMapper: {
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/global-setup.ts',
};
