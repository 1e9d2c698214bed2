// A hand-written Server-Sent Events parser over a fetch body stream (the WHATWG rules: CRLF/CR/LF, multi-line data, comments, ids).

export interface RawSseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen so far in the stream (it carries over to later events, as in EventSource). */
  id: string;
}

/**
 * Yields each event of an SSE byte stream. Comments (`: heartbeat`) and events without data are skipped.
 * Stops reading (and cancels the stream) when the consumer stops iterating.
 */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<RawSseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let first = true;
  let eventType = '';
  let data: string[] = [];
  let lastId = '';

  // Returns the event a blank line completes, if any; otherwise updates the fields.
  const processLine = (line: string): RawSseEvent | undefined => {
    if (line === '') {
      const done = data.length > 0 ? { event: eventType || 'message', data: data.join('\n'), id: lastId } : undefined;
      eventType = '';
      data = [];
      return done;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    // `retry` and unknown fields are ignored: reconnecting is the caller's choice here.
    return undefined;
  };

  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i);
        if (ch !== 10 && ch !== 13) continue;
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
        if (ch === 13 && i === buffer.length - 1) break;
        const line = buffer.slice(start, i);
        if (ch === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
        const ev = processLine(line);
        if (ev) yield ev;
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.decode();
    // A stream ending in a lone CR ended a line; any other unterminated tail (and an event with no blank line
    // after it) is dropped, as the spec says.
    if (buffer.endsWith('\r')) {
      const ev = processLine(buffer.slice(0, -1));
      if (ev) yield ev;
    }
  } finally {
    // Consumer left early (break, abort): release the connection.
    reader.cancel().catch(() => {});
  }
}
