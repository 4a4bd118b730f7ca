import { CHANNELS, type Channel } from '../../channels/types.js';
import type { TemplateContent } from '../../schema/tables/templates.js';

/** The channels a template has content for, in the canonical channel order. */
export function templateChannels(content: TemplateContent): Channel[] {
  return CHANNELS.filter((c) => content[c] !== undefined);
}
