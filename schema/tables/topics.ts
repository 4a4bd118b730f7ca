import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A category the tenant made self-service: users subscribe to it themselves; a send can target its subscribers. */
export interface TopicsTable {
  tenant_id: string;
  /** The category name. */
  id: string;
  name: string;
  description: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A user subscribed to a topic. */
export interface TopicSubscriptionsTable {
  tenant_id: string;
  topic_id: string;
  user_id: string;
  /** `self` (the user) or `api` (a backend on the user's behalf). */
  source: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type TopicRow = Selectable<TopicsTable>;
export type NewTopic = Insertable<TopicsTable>;
export type TopicSubscriptionRow = Selectable<TopicSubscriptionsTable>;
