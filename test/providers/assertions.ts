import { expect } from 'vitest';
import { configProblems, type ConfigSchema } from '../../channels/config-schema.js';
import { DeliveryError, type DeliveryErrorType } from '../../channels/errors.js';

/** Awaits a send that must fail and returns its DeliveryError after checking type and permanence. */
export async function expectDeliveryError(p: Promise<unknown>, type: DeliveryErrorType, permanent: boolean): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'send should have failed').toBeInstanceOf(DeliveryError);
  const de = err as DeliveryError;
  expect({ type: de.type, permanent: de.permanent, message: de.message }).toMatchObject({ type, permanent });
  return de;
}

/**
 * What an adapter's config schema says is wrong with a config, as `field: message` lines (no
 * `config.` prefix). The tests' configs are what the router hands the adapter, with Herald's
 * outbound settings; a tenant's config is the rest, so those are left out here.
 */
export function configProblemLines(adapter: { configSchema: ConfigSchema }, config: object): string[] {
  const { allowPrivateNetworks: _allow, dnsServers: _dns, ...tenants } = config as Record<string, unknown>;
  return configProblems(adapter.configSchema, tenants).map((p) => `${p.path.replace(/^config\./, '')}: ${p.message}`);
}
