// `chatbot chat`: an interactive chat over SSE. Ctrl+C stops the answer being written (the program stays);
// Ctrl+C with no answer running, a second Ctrl+C, or Ctrl+D (end of input) exits.
import { createInterface } from 'node:readline';
import type { ChatbotClient } from '../sdk/client.js';
import { ApiError, isAbortError } from '../sdk/errors.js';
import type { Output } from './cli.output.js';

interface Turn {
  controller: AbortController;
  stopping: boolean;
}

export async function runChat(client: ChatbotClient, sessionId: number | undefined, out: Output): Promise<number> {
  const tty = Boolean(process.stdin.isTTY);
  const id = sessionId ?? (await client.sessions.create()).id;
  if (out.json) out.stdout.write(`${JSON.stringify({ event: 'session', data: { sessionId: id } })}\n`);
  else out.stderr.write(`Session ${id}. Ctrl+C stops an answer; Ctrl+D exits.\n`);

  const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
  let turn: Turn | undefined;
  let exiting = false;

  const interrupt = () => {
    if (turn && !turn.stopping) {
      // First Ctrl+C: ask the server to stop; the stream then ends with `done` (status stopped).
      turn.stopping = true;
      client.chat.stop(id).catch(() => {
        // The answer may have just ended on its own: nothing to stop.
      });
      return;
    }
    exiting = true;
    turn?.controller.abort();
    rl.close();
  };
  // A terminal's Ctrl+C reaches readline; a signal (kill -INT, a non-terminal parent) reaches the process.
  rl.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);

  let code = 0;
  const prompt = () => {
    if (tty && !exiting) rl.prompt();
  };
  rl.setPrompt('> ');
  prompt();
  try {
    for await (const line of rl) {
      const content = line.trim();
      if (content === '/exit' || content === '/quit') break;
      if (content) {
        turn = { controller: new AbortController(), stopping: false };
        code = (await answer(client, id, content, turn, out)) || code;
        turn = undefined;
      }
      if (exiting) break;
      prompt();
    }
  } finally {
    process.off('SIGINT', interrupt);
    rl.close();
  }
  if (!out.json && tty) out.stdout.write('\n');
  return code;
}

/** Streams one answer to stdout; returns 1 when it failed (the chat goes on). */
async function answer(client: ChatbotClient, id: number, content: string, turn: Turn, out: Output): Promise<number> {
  try {
    for await (const ev of client.chat.stream(id, content, { signal: turn.controller.signal })) {
      if (out.json) {
        out.stdout.write(`${JSON.stringify(ev)}\n`);
        if (ev.event === 'error') return 1;
        continue;
      }
      if (ev.event === 'chunk') out.stdout.write(ev.data.content);
      else if (ev.event === 'done') {
        const status = ev.data.assistantMessage.status;
        out.stdout.write(status === 'complete' ? '\n' : `\n[${status}]\n`);
      } else if (ev.event === 'error') {
        out.stdout.write('\n');
        out.stderr.write(`error: ${ev.data.message} (${ev.data.code})\n`);
        return 1;
      }
    }
    return 0;
  } catch (err) {
    if (isAbortError(err)) return 0;
    if (err instanceof ApiError) {
      out.stderr.write(
        out.json
          ? `${JSON.stringify({ error: { status: err.status, code: err.code, message: err.message, field: err.field } })}\n`
          : `error: ${err.message} (${err.code})\n`,
      );
      return 1;
    }
    throw err;
  }
}
