// The explicit list of adapters. Adding a provider means adding a file and a line here.
import { createSmtpAdapter } from './smtp.js';
import type { ChannelAdapter } from './types.js';

export interface ChannelRegistry {
  get(kind: string): ChannelAdapter | undefined;
  kinds(): string[];
  close(): Promise<void>;
}

export function createChannelRegistry(): ChannelRegistry {
  const adapters = new Map<string, ChannelAdapter>();
  for (const a of [createSmtpAdapter()] as ChannelAdapter[]) adapters.set(a.kind, a);
  return {
    get: (kind) => adapters.get(kind),
    kinds: () => [...adapters.keys()],
    async close() {
      await Promise.all([...adapters.values()].map((a) => a.close()));
    },
  };
}
