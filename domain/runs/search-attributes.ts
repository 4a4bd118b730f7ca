// Herald's custom search attributes, so the Temporal Web UI can filter runs the same way
// the dashboard filters notifications. Pure: imported by workflows and clients alike.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA_TENANT = defineSearchAttributeKey('HeraldTenant', SearchAttributeType.KEYWORD);
export const SA_PRIORITY = defineSearchAttributeKey('HeraldPriority', SearchAttributeType.KEYWORD);
export const SA_STATUS = defineSearchAttributeKey('HeraldStatus', SearchAttributeType.KEYWORD);
export const SA_KIND = defineSearchAttributeKey('HeraldKind', SearchAttributeType.KEYWORD);
export const SA_CATEGORY = defineSearchAttributeKey('HeraldCategory', SearchAttributeType.KEYWORD);
export const SA_TEMPLATE = defineSearchAttributeKey('HeraldTemplate', SearchAttributeType.KEYWORD);

export const HERALD_SEARCH_ATTRIBUTES = [SA_TENANT, SA_PRIORITY, SA_STATUS, SA_KIND, SA_CATEGORY, SA_TEMPLATE];
