import { expect } from 'vitest';
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
