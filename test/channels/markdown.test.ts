import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../channels/markdown.js';

const SAMPLE = ['# Title', '**bold** and *italic* and _also_ with snake_case_name', 'a [link](https://x.example/p?q=1&r=2) and `a*b<c>`', '- one', '- two', '1. first', '', '```', 'if (a < b) {}', '```', 'Price: 5.00 (net) !'].join('\n');

describe('renderMarkdown', () => {
  it('slack mrkdwn', () => {
    expect(renderMarkdown(SAMPLE, 'slack')).toBe(
      [
        '*Title*',
        '*bold* and _italic_ and _also_ with snake_case_name',
        'a <https://x.example/p?q=1&amp;r=2|link> and `a*b&lt;c&gt;`',
        '• one',
        '• two',
        '1. first',
        '',
        '```',
        'if (a &lt; b) {}',
        '```',
        'Price: 5.00 (net) !',
      ].join('\n'),
    );
  });

  it('telegram MarkdownV2 escapes every reserved character outside entities', () => {
    expect(renderMarkdown(SAMPLE, 'telegram-markdownv2')).toBe(
      [
        '*Title*',
        '*bold* and _italic_ and _also_ with snake\\_case\\_name',
        'a [link](https://x.example/p?q=1&r=2) and `a*b<c>`',
        '• one',
        '• two',
        '1\\. first',
        '',
        '```',
        'if (a < b) {}',
        '```',
        'Price: 5\\.00 \\(net\\) \\!',
      ].join('\n'),
    );
  });

  it('telegram HTML escapes text and attributes', () => {
    expect(renderMarkdown('**a & b** [x](https://e.example/?a="1"&b=2) <i>', 'telegram-html')).toBe(
      '<b>a &amp; b</b> <a href="https://e.example/?a=&quot;1&quot;&amp;b=2">x</a> &lt;i&gt;',
    );
  });

  it('dingtalk needs blank lines between paragraphs; lists stay together', () => {
    expect(renderMarkdown('line one\nline two\n- a\n- b', 'dingtalk')).toBe('line one\n\nline two\n\n- a\n- b');
  });

  it('wecom drops italic and writes code blocks as inline code', () => {
    expect(renderMarkdown('*it* **b**\n```\nx = 1\n```', 'wecom')).toBe('it **b**\n`x = 1`');
  });

  it('feishu keeps standard markdown', () => {
    expect(renderMarkdown('**b** *i* [l](https://l.example) `c`\n- x', 'feishu')).toBe('**b** *i* [l](https://l.example) `c`\n- x');
  });

  it('teams renders headings as bold and code as plain text', () => {
    expect(renderMarkdown('## Head\n`code` _i_', 'teams')).toBe('**Head**\n\ncode _i_');
  });

  it('treats unmatched markers and backslash escapes as text', () => {
    expect(renderMarkdown('2 * 3 = 6, \\*not italic\\*, a_b', 'slack')).toBe('2 * 3 = 6, *not italic*, a_b');
    expect(renderMarkdown('2 * 3', 'telegram-markdownv2')).toBe('2 \\* 3');
  });
});
