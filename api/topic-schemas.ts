// Schemas of self-service topics, shared by the admin routes, the end-user routes and the
// preference center.
import { z } from 'zod';

export const TopicRequest = z
  .object({
    name: z.string().trim().min(1).max(200).meta({ description: 'What users see, e.g. "Product updates".' }),
    description: z.string().max(1000).nullable().optional().meta({ description: 'One sentence on what the topic sends and how often.' }),
  })
  .strict()
  .meta({ id: 'TopicRequest' });

export const Topic = z
  .object({
    id: z.string().meta({ description: 'The category the topic is; a send to it is of this category unless it names another.' }),
    name: z.string(),
    description: z.string().nullable(),
    subscribers: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Topic', description: 'A category users may subscribe to and unsubscribe from themselves.' });

export const TopicChoice = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    subscribed: z.boolean().meta({ description: 'Subscribed, and not unsubscribed from the category (e.g. by an email link).' }),
  })
  .meta({ id: 'TopicChoice', description: "A topic and whether this user is subscribed." });

export const TopicSubscriber = z
  .object({ userId: z.string(), source: z.enum(['self', 'api']).meta({ description: '`self`: the user; `api`: a backend on their behalf.' }), subscribedAt: z.string() })
  .meta({ id: 'TopicSubscriber' });
