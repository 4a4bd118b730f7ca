// Handlebars rendering on an isolated instance: nothing is registered globally, html parts
// are escaped, subjects and plain text are not (they are not html). Compiled templates are
// cached per renderer, keyed by their source.
import Handlebars from 'handlebars';
import type { EmailContent } from '../channels/types.js';

export class RenderError extends Error {
  override name = 'RenderError';
}

export interface Renderer {
  renderEmail(content: EmailContent, data: Record<string, unknown>): EmailContent;
}

type Compiled = (data: unknown) => string;

export function createRenderer(maxCached = 1000): Renderer {
  const hb = Handlebars.create();
  const cache = new Map<string, Compiled>();

  function compile(source: string, escape: boolean): Compiled {
    const key = `${escape ? 'h' : 't'}:${source}`;
    let fn = cache.get(key);
    if (!fn) {
      try {
        fn = hb.compile(source, { noEscape: !escape, strict: false });
        fn({}); // surface syntax errors now rather than at first use with real data
      } catch (err) {
        throw new RenderError(`template does not compile: ${(err as Error).message}`);
      }
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      cache.set(key, fn);
    }
    return fn;
  }

  function render(source: string | undefined, data: Record<string, unknown>, escape: boolean): string | undefined {
    if (source === undefined) return undefined;
    try {
      return compile(source, escape)(data);
    } catch (err) {
      if (err instanceof RenderError) throw err;
      throw new RenderError(`template failed to render: ${(err as Error).message}`);
    }
  }

  return {
    renderEmail(content, data) {
      return {
        subject: render(content.subject, data, false) ?? '',
        html: render(content.html, data, true),
        text: render(content.text, data, false),
      };
    },
  };
}
