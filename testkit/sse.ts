// Reads a server-sent-events stream (the inbox's) into an array, with fetch so credentials go
// in headers, until the signal aborts it or the server ends it.

export interface SseEvent {
  event: string;
  data: any;
}

export function readSse(url: string, headers: Record<string, string>, into: SseEvent[], signal: AbortSignal): Promise<void> {
  return fetch(url, { headers, signal })
    .then(async (res) => {
      const reader = res.body?.getReader();
      let buf = '';
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return;
        buf += Buffer.from(chunk.value).toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) into.push({ event, data: JSON.parse(data) });
        }
      }
    })
    .catch(() => undefined);
}
