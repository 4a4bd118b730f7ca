// "Takes high before medium before low" inside one worker process (ARCHITECTURE.md, the
// outbound handler). Slot weights decide how many tasks of each queue a process accepts, but
// once a campaign's batches hold their slots, each keeps its deliveries in flight, and every
// step of a one-off high-priority send waits behind theirs for the event loop, the database
// pool and the machine's cores. So while work of a higher priority runs in the process, or ran
// within the last `graceMs` (the gaps between one send's steps), the batches of each lower
// priority share `yieldLanes` deliveries in flight between them; the rest wait their turn. A
// campaign keeps moving, only slower, and is back to full speed `graceMs` after the last
// higher-priority step. Its audience pages end early meanwhile (prepare.ts, PAGE_PART_USERS).
import { PRIORITIES, type Priority } from '../../common/priorities.js';

export interface AdmissionOptions {
  /** Deliveries in flight for the batches of one priority while a higher priority is busy; 0: never yield. */
  yieldLanes: number;
  /** How long after its last step a higher priority still counts as busy. */
  graceMs: number;
  now?: () => number;
}

export interface Admission {
  /** Marks work at `priority` as running until the returned function is called. */
  working(priority: Priority): () => void;
  /** Waits until a batch at `priority` may start one more delivery; call the returned function when it is done. */
  lane(priority: Priority): Promise<() => void>;
  /** Whether the batches of `priority` are held to `yieldLanes` now. */
  yielding(priority: Priority): boolean;
}

const LOWEST = PRIORITIES[PRIORITIES.length - 1];
type PerPriority<T> = Record<Priority, T>;
const perPriority = <T>(make: () => T): PerPriority<T> => ({ high: make(), medium: make(), low: make() });

export function createAdmission({ yieldLanes, graceMs, now = () => performance.now() }: AdmissionOptions): Admission {
  const running = perPriority(() => 0);
  const lastEnded = perPriority(() => -Infinity);
  const lanes = perPriority(() => 0);
  const waiting = perPriority<Array<() => void>>(() => []);
  let wake: ReturnType<typeof setTimeout> | undefined;

  const busy = (p: Priority, at: number) => running[p] > 0 || at - lastEnded[p] < graceMs;
  function yielding(p: Priority): boolean {
    if (yieldLanes === 0) return false;
    const at = now();
    return PRIORITIES.slice(0, PRIORITIES.indexOf(p)).some((higher) => busy(higher, at));
  }
  const mayStart = (p: Priority) => lanes[p] < yieldLanes || !yielding(p);

  function release(p: Priority): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      lanes[p] -= 1;
      admit();
    };
  }
  function admit(): void {
    for (const p of PRIORITIES) {
      const queue = waiting[p];
      while (queue.length > 0 && mayStart(p)) {
        lanes[p] += 1;
        queue.shift()?.();
      }
    }
  }
  /** Once the grace after the last higher-priority step has passed, the held lanes go. */
  function admitAfterGrace(): void {
    if (wake) clearTimeout(wake);
    wake = setTimeout(() => {
      wake = undefined;
      admit();
    }, graceMs + 1);
    wake.unref();
  }

  return {
    working(p) {
      // Nothing yields to the lowest priority: its work is not counted, and its ends (every
      // batch of a campaign) do not push back the wake of lanes held for a higher priority.
      if (p === LOWEST) return () => undefined;
      running[p] += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        running[p] -= 1;
        lastEnded[p] = now();
        if (running[p] === 0) admitAfterGrace();
      };
    },
    lane(p) {
      if (waiting[p].length === 0 && mayStart(p)) {
        lanes[p] += 1;
        return Promise.resolve(release(p));
      }
      return new Promise((resolve) => waiting[p].push(() => resolve(release(p))));
    },
    yielding,
  };
}
