// Templates write chat text once, in a small common markdown (bold, italic, inline code,
// code blocks, links, bullet and numbered lists, headings). Each chat platform speaks its own
// dialect with its own escaping, so the text is parsed once and rendered per platform.
// Anything outside that subset is treated as plain text, which each dialect escapes.

export type ChatDialect = 'slack' | 'telegram-markdownv2' | 'telegram-html' | 'dingtalk' | 'wecom' | 'feishu' | 'teams' | 'discord';

type Inline =
  | { t: 'text'; s: string }
  | { t: 'bold'; c: Inline[] }
  | { t: 'italic'; c: Inline[] }
  | { t: 'code'; s: string }
  | { t: 'link'; c: Inline[]; url: string };

type Block =
  | { t: 'para'; c: Inline[] }
  | { t: 'heading'; level: number; c: Inline[] }
  | { t: 'bullet'; c: Inline[] }
  | { t: 'ordered'; n: number; c: Inline[] }
  | { t: 'codeblock'; s: string }
  | { t: 'blank' };

// One level of balanced parentheses inside a URL, as in Wikipedia links.
const LINK = /^\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/;

function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ t: 'text', s: text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    const rest = src.slice(i);
    if (ch === '\\' && i + 1 < src.length) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'code', s: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (rest.startsWith('**') || rest.startsWith('__')) {
      const marker = rest.slice(0, 2);
      const end = src.indexOf(marker, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ t: 'bold', c: parseInline(src.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    // `_` inside a word (snake_case) is not emphasis; `*` always is.
    if ((ch === '*' || ch === '_') && !(ch === '_' && /\w/.test(src[i - 1] ?? ''))) {
      let end = src.indexOf(ch, i + 1);
      while (ch === '_' && end > 0 && /\w/.test(src[end + 1] ?? '')) end = src.indexOf(ch, end + 1);
      if (end > i + 1 && src[i + 1] !== ' ') {
        flush();
        out.push({ t: 'italic', c: parseInline(src.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '[') {
      const m = LINK.exec(rest);
      if (m) {
        flush();
        out.push({ t: 'link', c: parseInline(m[1] as string), url: m[2] as string });
        i += m[0].length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*```/.test(line)) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i] as string)) body.push(lines[i++] as string);
      blocks.push({ t: 'codeblock', s: body.join('\n') });
      continue;
    }
    let m: RegExpExecArray | null;
    if (line.trim() === '') blocks.push({ t: 'blank' });
    else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) blocks.push({ t: 'heading', level: (m[1] as string).length, c: parseInline(m[2] as string) });
    else if ((m = /^\s*[-*+]\s+(.*)$/.exec(line))) blocks.push({ t: 'bullet', c: parseInline(m[1] as string) });
    else if ((m = /^\s*(\d+)[.)]\s+(.*)$/.exec(line))) blocks.push({ t: 'ordered', n: Number(m[1]), c: parseInline(m[2] as string) });
    else blocks.push({ t: 'para', c: parseInline(line) });
  }
  return blocks;
}

interface Renderer {
  text(s: string): string;
  bold(inner: string): string;
  italic(inner: string): string;
  code(s: string): string;
  link(inner: string, url: string, plain: string): string;
  codeblock(s: string): string;
  heading(inner: string, level: number): string;
  bullet(inner: string): string;
  ordered(n: number, inner: string): string;
}

function plainText(c: Inline[]): string {
  return c.map((x) => (x.t === 'text' || x.t === 'code' ? x.s : plainText(x.c))).join('');
}

const standard: Renderer = {
  text: (s) => s,
  bold: (s) => `**${s}**`,
  italic: (s) => `*${s}*`,
  code: (s) => `\`${s}\``,
  link: (inner, url) => `[${inner}](${url})`,
  codeblock: (s) => `\`\`\`\n${s}\n\`\`\``,
  heading: (s, level) => `${'#'.repeat(level)} ${s}`,
  bullet: (s) => `- ${s}`,
  ordered: (n, s) => `${n}. ${s}`,
};

const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const htmlEscape = (s: string): string => slackEscape(s).replace(/"/g, '&quot;');
// Telegram rejects the whole message if any of these appears unescaped in MarkdownV2 text.
const tgEscape = (s: string): string => s.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');

const RENDERERS: Record<ChatDialect, Renderer> = {
  slack: {
    text: slackEscape,
    bold: (s) => `*${s}*`,
    italic: (s) => `_${s}_`,
    code: (s) => `\`${slackEscape(s)}\``,
    // Inside <url|label> a `|` or `>` would end the label early.
    link: (_inner, url, plain) => `<${slackEscape(url)}|${slackEscape(plain).replace(/\|/g, '¦')}>`,
    codeblock: (s) => `\`\`\`\n${slackEscape(s)}\n\`\`\``,
    heading: (s) => `*${s}*`,
    bullet: (s) => `• ${s}`,
    ordered: (n, s) => `${n}. ${s}`,
  },
  'telegram-markdownv2': {
    text: tgEscape,
    bold: (s) => `*${s}*`,
    italic: (s) => `_${s}_`,
    code: (s) => `\`${s.replace(/[`\\]/g, '\\$&')}\``,
    link: (inner, url) => `[${inner}](${url.replace(/[)\\]/g, '\\$&')})`,
    codeblock: (s) => `\`\`\`\n${s.replace(/[`\\]/g, '\\$&')}\n\`\`\``,
    heading: (s) => `*${s}*`,
    bullet: (s) => `• ${s}`,
    ordered: (n, s) => `${n}\\. ${s}`,
  },
  'telegram-html': {
    text: htmlEscape,
    bold: (s) => `<b>${s}</b>`,
    italic: (s) => `<i>${s}</i>`,
    code: (s) => `<code>${htmlEscape(s)}</code>`,
    link: (inner, url) => `<a href="${htmlEscape(url)}">${inner}</a>`,
    codeblock: (s) => `<pre>${htmlEscape(s)}</pre>`,
    heading: (s) => `<b>${s}</b>`,
    bullet: (s) => `• ${s}`,
    ordered: (n, s) => `${n}. ${s}`,
  },
  discord: { ...standard, italic: (s) => `_${s}_`, heading: (s, level) => `${'#'.repeat(Math.min(level, 3))} ${s}` },
  dingtalk: standard,
  feishu: standard,
  // WeCom's markdown has bold, links and inline code, but no italic and no code blocks.
  wecom: {
    ...standard,
    italic: (s) => s,
    codeblock: (s) =>
      s
        .split('\n')
        .map((l) => (l ? `\`${l}\`` : ''))
        .join('\n'),
  },
  // Adaptive Card TextBlocks support bold, italic, links and lists only.
  teams: { ...standard, italic: (s) => `_${s}_`, code: (s) => s, codeblock: (s) => s, heading: (s) => `**${s}**` },
};

// DingTalk and Teams drop single newlines between paragraphs; a blank line is needed.
const PARAGRAPH_BREAK: Record<ChatDialect, string> = {
  slack: '\n',
  'telegram-markdownv2': '\n',
  'telegram-html': '\n',
  discord: '\n',
  dingtalk: '\n\n',
  feishu: '\n',
  wecom: '\n',
  teams: '\n\n',
};

function renderInline(c: Inline[], r: Renderer): string {
  return c
    .map((x) => {
      switch (x.t) {
        case 'text':
          return r.text(x.s);
        case 'code':
          return r.code(x.s);
        case 'bold':
          return r.bold(renderInline(x.c, r));
        case 'italic':
          return r.italic(renderInline(x.c, r));
        case 'link':
          return r.link(renderInline(x.c, r), x.url, plainText(x.c));
      }
    })
    .join('');
}

export function renderMarkdown(src: string, dialect: ChatDialect): string {
  const r = RENDERERS[dialect];
  const out: string[] = [];
  let prev: Block['t'] | undefined;
  for (const b of parseMarkdown(src)) {
    let line: string | undefined;
    switch (b.t) {
      case 'blank':
        prev = 'blank';
        continue;
      case 'para':
        line = renderInline(b.c, r);
        break;
      case 'heading':
        line = r.heading(renderInline(b.c, r), b.level);
        break;
      case 'bullet':
        line = r.bullet(renderInline(b.c, r));
        break;
      case 'ordered':
        line = r.ordered(b.n, renderInline(b.c, r));
        break;
      case 'codeblock':
        line = r.codeblock(b.s);
        break;
    }
    if (out.length > 0) {
      const inList = (b.t === 'bullet' || b.t === 'ordered') && (prev === 'bullet' || prev === 'ordered');
      out.push(prev === 'blank' ? '\n\n' : inList ? '\n' : PARAGRAPH_BREAK[dialect]);
    }
    out.push(line);
    prev = b.t;
  }
  return out.join('');
}
