// Where a message goes, per channel and provider kind, from a user's profile and
// identities. Read at send time, so an identity changed after the notification was
// created is honoured. Used by prepare (is there any target at all?) and deliver.
import type { WebPushSubscription } from '../../channels/types.js';
import type { Channel } from '../../channels/types.js';

/** The `identities` object of a user (API.md: PUT /v1/users/{id}). */
export interface Identities {
  dingtalk?: string;
  wecom?: string;
  feishu?: string;
  slack?: string;
  telegram?: string;
  discord?: string;
  /** The follower's openid under the tenant's WeChat Official Account. */
  wechat?: string;
  webpush?: WebPushSubscription[];
  fcm?: string[];
  apns?: string[];
  /** JPush registration ids. */
  jpush?: string[];
  /** Huawei Push Kit tokens. */
  huawei?: string[];
  /** Xiaomi push (MiPush) registration ids. */
  xiaomi?: string[];
  webhook?: string;
}

export interface TargetUser {
  email: string | null;
  phone: string | null;
  identities: Identities;
}

export type Target = string | WebPushSubscription;

const CHAT_IDENTITY_OF_KIND: Record<string, keyof Identities> = {
  telegram: 'telegram',
  'dingtalk-work-notice': 'dingtalk',
  'wecom-app': 'wecom',
  'feishu-app': 'feishu',
  'slack-bot': 'slack',
};

/** The targets of one send: several for push (every subscription or device). */
export function targetsFor(channel: Channel, providerKind: string, user: TargetUser): Target[] {
  const ids = user.identities;
  switch (channel) {
    case 'email':
      return user.email ? [user.email] : [];
    case 'sms':
      return user.phone ? [user.phone] : [];
    case 'webhook':
      return ids.webhook ? [ids.webhook] : [];
    case 'chat': {
      // Group robots reach a group, never one user: a notification posts there once (chat-groups.ts).
      const key = CHAT_IDENTITY_OF_KIND[providerKind];
      const id = key ? ids[key] : undefined;
      return typeof id === 'string' && id ? [id] : [];
    }
    case 'push':
      if (providerKind === 'webpush') return ids.webpush ?? [];
      if (providerKind === 'fcm') return ids.fcm ?? [];
      if (providerKind === 'apns') return ids.apns ?? [];
      if (providerKind === 'jpush') return ids.jpush ?? [];
      if (providerKind === 'huawei-push') return ids.huawei ?? [];
      if (providerKind === 'xiaomi-push') return ids.xiaomi ?? [];
      if (providerKind === 'wechat-template') return typeof ids.wechat === 'string' && ids.wechat ? [ids.wechat] : [];
      return [];
    case 'inapp':
      return ['inbox'];
  }
}

/** Whether any of these provider kinds could reach the user on the channel. */
export function hasAnyTarget(channel: Channel, providerKinds: readonly string[], user: TargetUser): boolean {
  if (channel === 'email' || channel === 'sms' || channel === 'webhook' || channel === 'inapp') return targetsFor(channel, '', user).length > 0;
  return providerKinds.some((k) => targetsFor(channel, k, user).length > 0);
}

/** A short, loggable description of where a delivery went (never a push secret). */
export function describeTarget(t: Target): string {
  return typeof t === 'string' ? t : new URL(t.endpoint).host;
}
