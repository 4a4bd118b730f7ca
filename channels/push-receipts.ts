// What a push provider's receipt says about one message it sent, in one shape for every
// provider (Huawei Push Kit, Xiaomi push): the message by the id the send answered, whether it
// reached the device, and which device tokens it calls gone for good.
export interface PushReceipt {
  providerMessageId: string;
  /** `delivered`, `failed` (final), or `notice` (a state worth recording that ends nothing). */
  outcome: 'delivered' | 'failed' | 'notice';
  /** The provider's status code. */
  code: string;
  reason: string;
  /** Device tokens / registration ids the provider calls invalid: removed from the user's profile. */
  goneTargets: string[];
}

export type PushReceiptBatch = { receipts: PushReceipt[] } | { problem: string };
