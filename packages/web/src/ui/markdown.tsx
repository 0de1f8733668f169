import type { ComponentChildren, JSX } from 'preact';

/**
 * A small markdown subset rendered straight to elements, never through HTML strings: text is
 * always text, so nothing a sender types can inject markup. Supported: **bold**, *italic* or
 * _italic_, ~~strike~~, `code`, ``` code blocks ```, > quotes, [links](https://…), bare URLs
 * and @mentions. Links only for http, https and mailto.
 */
const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+?\*\*)|(~~[^~\n]+?~~)|(\*[^*\s][^*\n]*?\*|\b_[^_\s][^_\n]*?_\b)|(\[[^\]\n]{1,200}\]\([^)\s]{1,2000}\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])|((?:^|(?<=[^\w@]))@[a-z0-9][a-z0-9._-]{0,63})/gi;

export function safeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function Link({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

function inline(text: string, me: string, depth = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const token = m[0];
    const key = `${depth}-${at}`;
    if (m[1]) out.push(<code key={key} class="md-code">{token.slice(1, -1)}</code>);
    else if (m[2]) out.push(<strong key={key}>{depth < 3 ? inline(token.slice(2, -2), me, depth + 1) : token.slice(2, -2)}</strong>);
    else if (m[3]) out.push(<s key={key}>{depth < 3 ? inline(token.slice(2, -2), me, depth + 1) : token.slice(2, -2)}</s>);
    else if (m[4]) out.push(<em key={key}>{depth < 3 ? inline(token.slice(1, -1), me, depth + 1) : token.slice(1, -1)}</em>);
    else if (m[5]) {
      const close = token.indexOf('](');
      const label = token.slice(1, close);
      const href = safeUrl(token.slice(close + 2, -1));
      out.push(href ? <Link key={key} href={href}>{label}</Link> : token);
    } else if (m[6]) {
      const href = safeUrl(token);
      out.push(href ? <Link key={key} href={href}>{token}</Link> : token);
    } else if (m[7]) {
      const name = token.slice(1).replace(/[._-]+$/, '');
      const rest = token.slice(1 + name.length);
      out.push(
        <span key={key} class={`mention${name === me || name === 'here' || name === 'channel' ? ' me' : ''}`}>
          @{name}
        </span>,
      );
      if (rest) out.push(rest);
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function lines(text: string, me: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push(<br key={`br${i}`} />);
    out.push(...inline(line, me, 0).map((c, j) => (typeof c === 'string' ? c : <span key={`${i}-${j}`}>{c}</span>)));
  });
  return out;
}

/** Renders message text as elements. */
export function Markdown({ text, me }: { text: string; me: string }): JSX.Element {
  const blocks: JSX.Element[] = [];
  const parts = text.split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const code = part.replace(/^[a-z0-9+-]*\n/i, '').replace(/\n$/, '');
      blocks.push(<pre key={`pre${i}`} class="md-pre"><code>{code}</code></pre>);
      return;
    }
    const chunk = i % 2 === 1 ? '```' + part : part;
    const trimmed = chunk.replace(/^\n+|\n+$/g, '');
    if (!trimmed) return;
    // Consecutive "> " lines form a quote; other lines a paragraph.
    let buffer: string[] = [];
    let quoting = false;
    const flush = (k: string) => {
      if (!buffer.length) return;
      const body = lines(buffer.join('\n'), me);
      blocks.push(quoting ? <blockquote key={k} class="md-quote">{body}</blockquote> : <p key={k}>{body}</p>);
      buffer = [];
    };
    trimmed.split('\n').forEach((line, j) => {
      const isQuote = /^>\s?/.test(line);
      if (isQuote !== quoting) {
        flush(`b${i}-${j}`);
        quoting = isQuote;
      }
      buffer.push(isQuote ? line.replace(/^>\s?/, '') : line);
    });
    flush(`b${i}-end`);
  });
  return <>{blocks}</>;
}
