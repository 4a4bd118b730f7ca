// Run as its own process by rate-limit.test.ts: takes tokens from one provider's shared
// bucket as fast as it can for a while and prints how many it got.
import { createDb } from '../../schema/connect.js';
import { takeProviderToken } from '../../schema/queries/providers.js';

const [url, tenant, provider, perSecond, burst, durationMs] = process.argv.slice(2);
const db = createDb(url ?? '', { max: 2 });
const until = Date.now() + Number(durationMs);
let taken = 0;
while (Date.now() < until) {
  const wait = await takeProviderToken(db, tenant ?? '', provider ?? '', Number(perSecond), Number(burst));
  if (wait === 0) taken += 1;
  else await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, until - Date.now()))));
}
await db.destroy();
process.stdout.write(`${taken}\n`);
