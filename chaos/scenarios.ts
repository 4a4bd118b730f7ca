// Every fault scenario of `npm run chaos` with its full and its quick (--quick, the size the
// tests use) parameters, in the order of chaos/scenario-names.ts. A full run's fault comes at a
// fraction off the audience pages' boundaries (0.31, 0.21), where a campaign pauses between
// pages, so that the crash finds sends in flight.
import type { ScenarioResult } from './lib/campaign.js';
import type { ScenarioContext } from './lib/context.js';
import { SCENARIO_NAMES, type ScenarioName } from './scenario-names.js';
import { apiKill } from './scenarios/api-kill.js';
import { clickhouseOutage } from './scenarios/clickhouse-outage.js';
import { eventsCrashScenario } from './scenarios/events-crash.js';
import { postgresCrash } from './scenarios/postgres-crash.js';
import { providerOutage } from './scenarios/provider-outage.js';
import { slowProvider } from './scenarios/slow-provider.js';
import { temporalKill } from './scenarios/temporal-kill.js';
import { workerKill } from './scenarios/worker-kill.js';

type Runner = (ctx: ScenarioContext, quick: boolean) => Promise<ScenarioResult | ScenarioResult[]>;

const RUNNERS: Record<ScenarioName, Runner> = {
  'worker-kill': (c, q) => workerKill(c, q ? { n: 60, mode: 'singles', restartAfterMs: 1000, killAtFraction: 0.3, timeoutMs: 60_000 } : { n: 20_000, mode: 'bulk', restartAfterMs: 5000, killAtFraction: 0.31, timeoutMs: 900_000 }),
  'temporal-kill': (c, q) => temporalKill(c, q ? { n: 200, singles: 40, downMs: 2000, killAtFraction: 0.3, timeoutMs: 120_000 } : { n: 5000, singles: 500, downMs: 5000, killAtFraction: 0.3, timeoutMs: 600_000 }),
  'api-kill': (c, q) => apiKill(c, q ? { n: 150, concurrency: 32, killAtFraction: 0.3, downMs: 1000, timeoutMs: 90_000 } : { n: 600, concurrency: 32, killAtFraction: 0.3, downMs: 5000, timeoutMs: 600_000 }),
  'postgres-crash': (c, q) => postgresCrash(c, q ? { n: 300, apiSends: 30, downMs: 3000, stopAtFraction: 0.2, timeoutMs: 120_000 } : { n: 5000, apiSends: 200, downMs: 10_000, stopAtFraction: 0.21, timeoutMs: 600_000 }),
  'provider-outage': (c, q) => providerOutage(c, q ? { n: 50, outageMs: 10_000, timeoutMs: 60_000, retryInitialMs: 200, retryMaxIntervalMs: 2000 } : { n: 500, outageMs: 60_000, timeoutMs: 300_000, retryInitialMs: 1000, retryMaxIntervalMs: 10_000 }),
  'clickhouse-outage': (c, q) => clickhouseOutage(c, q ? { n: 300, downMs: 10_000, stopAtFraction: 0.1, timeoutMs: 60_000 } : { n: 5000, downMs: 60_000, stopAtFraction: 0.05, timeoutMs: 600_000 }),
  'events-crash': (c, q) => eventsCrashScenario(c, q ? { n: 200, killAtFraction: 0.3, restartAfterMs: 1000, receiverDownMs: 10_000, timeoutMs: 120_000 } : { n: 2000, killAtFraction: 0.31, restartAfterMs: 5000, receiverDownMs: 60_000, timeoutMs: 900_000 }),
  'slow-provider': (c, q) => slowProvider(c, q ? { n: 40, high: 8, delayMs: 10_000, socketTimeoutMs: 2000, slowForMs: 15_000, timeoutMs: 90_000, highLatencyBudgetMs: 3000 } : { n: 500, high: 30, delayMs: 10_000, socketTimeoutMs: 3000, slowForMs: 60_000, timeoutMs: 300_000, highLatencyBudgetMs: 3000 }),
};

export const SCENARIOS = SCENARIO_NAMES.map((name) => [name, RUNNERS[name]] as const);
