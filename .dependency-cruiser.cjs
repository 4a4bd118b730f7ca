// The direction of dependencies (ARCHITECTURE.md, "Code layout"), checked by `npm run lint`.
// Type-only imports count: a cycle or a wrong-way arrow made of types still couples layers.
const DEV_TOOLING = '^(test|bench|chaos|local|scripts|testkit)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules never import each other in a cycle, not even through type-only imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-knows-no-entry-layer',
      severity: 'error',
      comment: 'domain/ holds the business rules; it knows nothing of HTTP (api/), Temporal adapters (activities/), workflows or workers.',
      from: { path: '^domain/' },
      to: { path: '^(api|activities|workflows|workers|inbound|cli)/' },
    },
    {
      name: 'domain-is-not-http',
      severity: 'error',
      comment: 'domain/ throws domain errors; mapping them to HTTP is the job of api/.',
      from: { path: '^domain/' },
      to: { path: 'node_modules/(express|helmet|cors|swagger-ui-express)/' },
    },
    {
      name: 'only-runs-talks-to-temporal',
      severity: 'error',
      comment: 'In domain/, only domain/runs/ starts, signals and queries runs; every other rule is plain code.',
      from: { path: '^domain/', pathNot: '^domain/runs/' },
      to: { path: 'node_modules/@temporalio/' },
    },
    {
      name: 'lower-layers-stay-low',
      severity: 'error',
      comment: 'schema/, channels/, analytics/ and common/ sit below the domain and never import it or anything above it.',
      from: { path: '^(schema|channels|analytics|common)/' },
      to: { path: '^(domain|api|activities|workflows|workers|inbound|cli)/' },
    },
    {
      name: 'schema-and-common-below-channels',
      severity: 'error',
      comment: 'schema/ and common/ do not depend on provider adapters.',
      from: { path: '^(schema|common)/' },
      to: { path: '^channels/' },
    },
    {
      name: 'common-is-plumbing',
      severity: 'error',
      comment: 'common/ is platform plumbing (config, logging, metrics, tracing, ids, crypto): it imports nothing of Herald above it.',
      from: { path: '^common/' },
      to: { path: '^(schema|analytics)/' },
    },
    {
      name: 'api-calls-the-domain',
      severity: 'error',
      comment: 'api/ translates HTTP into domain calls; it never reaches into Temporal adapters or workflow code.',
      from: { path: '^api/' },
      to: { path: '^(activities|workflows|workers)/' },
    },
    {
      name: 'activities-are-adapters',
      severity: 'error',
      comment: 'activities/ adapt Temporal to the domain; they never import HTTP code or workflow code.',
      from: { path: '^activities/' },
      to: { path: '^(api|workflows|workers)/' },
    },
    {
      name: 'workflows-import-only-types-and-run-definitions',
      severity: 'error',
      comment: 'Workflows are deterministic: values come only from other workflow modules and the pure run definitions; everything else is imported as a type.',
      from: { path: '^workflows/' },
      to: {
        path: '^(api|activities|domain|schema|channels|analytics|common|workers)/',
        pathNot: '^domain/runs/definitions\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'only-entry-points-compose',
      severity: 'error',
      comment: 'composition/ builds the whole object graph from configuration; only entry points (the process mains, npm run dev, benchmarks, chaos runs, the test kit) call it, never a layer it composes.',
      from: { path: '^(api|activities|workflows|workers|domain|schema|channels|analytics|common|inbound|cli|sdk)/', pathNot: '^(api|workers|inbound)/main\\.ts$' },
      to: { path: '^composition/' },
    },
    {
      name: 'production-never-imports-dev-tooling',
      severity: 'error',
      comment: 'Nothing that runs in production imports local/, test/, bench/, chaos/, scripts/ or the test kit.',
      from: { pathNot: DEV_TOOLING },
      to: { path: DEV_TOOLING },
    },
    {
      name: 'one-kit-for-tests-benchmarks-and-chaos',
      severity: 'error',
      comment: 'Benchmarks and chaos runs share the kit in testkit/ with the tests; they never reach into test/.',
      from: { path: '^(bench|chaos|scripts|local|testkit)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|dashboard|sdk/src/schema\\.d\\.ts)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'require', 'node', 'default'] },
    skipAnalysisNotInRules: true,
  },
};
