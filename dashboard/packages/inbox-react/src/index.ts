export { useHeraldInbox, type HeraldInbox as HeraldInboxState, type HeraldInboxOptions } from './useHeraldInbox.js';
export { HeraldInbox, ENGLISH, SIMPLIFIED_CHINESE, type HeraldInboxLabels, type HeraldInboxProps } from './HeraldInbox.js';
export type { InboxAction, InboxCounts, InboxMessage } from '../../../src/widget/inbox-connection.js';
