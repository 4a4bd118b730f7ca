// The fault scenarios of `npm run chaos`, in the order it runs them and the table lists them
// (their runners are in chaos/scenarios.ts; this list stays free of imports so the table
// script reads only result files).
export const SCENARIO_NAMES = ['worker-kill', 'temporal-kill', 'api-kill', 'postgres-crash', 'provider-outage', 'clickhouse-outage', 'slow-provider', 'events-crash'] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];
