// Dependency rules checked in CI (`npm run deps`). Every rule is an error: a forbidden import
// fails the build. Paths are relative to the directory depcruise runs in (the repository root;
// test/dependency-rules.int-spec.ts runs the same file inside small fixture trees).

/**
 * npm packages libs/domain may import. Empty on purpose: the domain is plain TypeScript. Adding
 * one is a design decision, so it is made here, by name, where a reviewer will see it.
 */
const DOMAIN_ALLOWED_PACKAGES = [];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const domainMayReach = [
  '^libs/domain/',
  ...DOMAIN_ALLOWED_PACKAGES.map((name) => `(^|/)node_modules/${escapeRegExp(name)}/`),
];

// The apps apps/standalone hosts in one process; it may import their root modules and nothing
// else of theirs.
const HOSTED_APPS = ['api', 'projector', 'worker'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-external',
      severity: 'error',
      comment:
        'libs/domain is pure TypeScript: no framework, driver, other npm package, Node builtin ' +
        '(node:* or bare), other lib or app. Time and ids come in with the command.',
      from: { path: '^libs/domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: domainMayReach },
    },
    {
      name: 'domain-specs-import-only-fast-check',
      severity: 'error',
      comment: 'The domain\'s own tests are as pure as the domain, but may generate cases with fast-check.',
      from: { path: '^libs/domain/.*\\.spec\\.ts$' },
      to: { pathNot: [...domainMayReach, '(^|/)node_modules/fast-check/'] },
    },
    {
      name: 'domain-relative-imports-only',
      severity: 'error',
      comment:
        'Inside libs/domain, import with relative paths, not through the @app/domain alias, ' +
        'which only the outside world uses.',
      from: { path: '^libs/domain/' },
      to: { path: '^libs/domain/', dependencyTypes: ['aliased'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      comment: 'Libraries are used by the apps, never the other way round.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      comment:
        'Apps talk through the event log, not through imports. What two apps share belongs in ' +
        'a lib. (apps/standalone has its own rule below.)',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/standalone/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'standalone-imports-only-app-root-modules',
      severity: 'error',
      comment:
        'apps/standalone is the composition root that runs the other apps in one process: it ' +
        "may import each hosted app's root module file (apps/<app>/src/<name>.module.ts) and " +
        'nothing else from them.',
      from: { path: '^apps/standalone/' },
      to: {
        path: '^apps/',
        pathNot: ['^apps/standalone/', `^apps/(${HOSTED_APPS.join('|')})/src/[^/]+\\.module\\.ts$`],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles (type-only ones included) make modules impossible to read or load alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code in apps/ and libs/ must not need a devDependency (npm ci --omit=dev). ' +
        'Tests (*spec.ts) and test helpers (libs/*/src/testing/) may. Type-only imports are ' +
        'erased, so they are fine.',
      from: {
        path: '^(apps|libs)/',
        pathNot: ['spec\\.ts$', '^libs/[^/]+/src/testing/'],
      },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['node_modules/@types/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // Fixture trees hold deliberate violations; the spec that owns them cruises them itself.
    exclude: { path: '^test/fixtures/' },
    // Type-only imports count: they are still coupling, and cycles through them are still cycles.
    tsPreCompilationDeps: true,
    // Resolves the @app/<lib> path aliases the way the compiler does.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
