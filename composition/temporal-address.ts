import type { HeraldConfig } from '../common/config.js';

/** TEMPORAL_ADDRESS, else a Temporal on this machine's default port. */
export function temporalAddressOf(config: Pick<HeraldConfig, 'temporalAddress'>): string {
  return config.temporalAddress ?? '127.0.0.1:7233';
}
