// The worker process's admission (domain/delivery/admission.ts) as activities see it: by the
// task queue the activity came from, which names its priority.
export interface QueueAdmission {
  /** Waits until a batch from this queue may start one more delivery; resolves to its release. */
  lane(taskQueue: string): Promise<() => void>;
  /** Whether work of this queue's priority is yielding to a higher priority now. */
  yielding(taskQueue: string): boolean;
}
