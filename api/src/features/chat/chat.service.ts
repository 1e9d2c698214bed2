// Chat business rules: sessions a user owns, their settings, the conversation tree (turns, edits, regenerations,
// branches), the prompt along the branch being continued, the final answer.
import {
  DEFAULT_SESSION_TITLE,
  type Message,
  type Session,
  type SessionDetail,
  type SessionListResponse,
  type SessionSort,
  type TokenUsage,
} from '@chatbot/shared';
import type { BaseMessage } from '@langchain/core/messages';
import type { AppContext } from '../../context.js';
import { errors } from '../../http/app-error.js';
import { fromUniqueViolation } from '../../http/error-handler.js';
import { createFileContext } from '../files/file-context.js';
import { ledgerFinish, type ModelCallReport } from '../usage/ledger.js';
import { reservationCtes } from '../usage/quota.js';
import { createUsageService } from '../usage/usage.service.js';
import { toMessage, toSession, toSessionWithSettings } from './chat.mappers.js';
import { createPromptBuilder, HISTORY_PAGE, historyContentChars } from './chat.prompt.js';
import { createChatRepo, type SessionPatch, type SessionRow } from './chat.repo.js';
import { requireOwnedSession } from './session-access.js';
import { checkSessionLimit } from './session-limit.js';
import { deriveTitle } from './title.js';
import type { AppendOutcome } from './turn.repo.js';

/** A unique violation as what it means (a second answer in a session: 409 GENERATION_IN_PROGRESS), else as it is. */
const translateConflict = (err: unknown): never => {
  throw fromUniqueViolation(err) ?? err;
};

/** Messages returned with a session after switching branches (the same default as GET). */
const DEFAULT_DETAIL_LIMIT = 100;

/** A session its user owns, as the ownership check returns it. */
export type OwnedSession = SessionRow;

/** A turn just begun: its stored rows, and the sampling temperature the session asks for (undefined: default). */
export interface BegunTurn {
  userMessage: Message;
  assistantMessage: Message;
  temperature?: number;
  /** The prompt for the answer, when it could be built while the turn was stored (saves a round trip). */
  prompt?: BaseMessage[];
}

/** A regeneration just begun: only a new answer (under the same user message as the one it replaces). */
export interface BegunRegeneration {
  assistantMessage: Message;
  temperature?: number;
  /** The user message the new answer replies to (what a stream announces first). */
  repliesTo?: Message;
}

export interface FinishResult {
  content: string;
  status: 'complete' | 'stopped' | 'error';
  usage?: TokenUsage | null;
  /** What the model call came to, for the usage ledger and the metrics (absent: the ledger row is left as is). */
  call?: ModelCallReport;
}

/** What a new message may ask for beside its text. */
export interface TurnOptions extends CallerOptions {
  model?: string;
  /** Files of this message (features/files): checked before anything is stored, then given to the model. */
  fileIds?: number[];
}

/** Who sent a turn, beside the user: recorded in the answer's usage-ledger row. */
export interface CallerOptions {
  /** The API key the request or socket authenticated with (AuthUser.apiKeyId); null or absent for an access token. */
  apiKeyId?: number | null;
}

export interface ChatService {
  listSessions(userId: number, q: { limit: number; offset: number; sort: SessionSort }): Promise<SessionListResponse>;
  createSession(userId: number, title?: string): Promise<Session>;
  getSessionDetail(userId: number, sessionId: number, q: { limit: number; before?: number }): Promise<SessionDetail>;
  /** Title and settings (PATCH): a model must be one the server offers (400 VALIDATION_ERROR field `model`). */
  updateSession(userId: number, sessionId: number, patch: SessionPatch): Promise<Session>;
  /**
   * Shows the branch through `messageId` from now on: the current leaf becomes its latest descendant. 404 for a
   * message not in this session, 409 while an answer is being generated. Returns the session with that branch.
   */
  selectBranch(userId: number, sessionId: number, messageId: number): Promise<SessionDetail>;
  /**
   * Like beginTurn, but for a new answer to the user message of assistant message `messageId`, as its sibling
   * (the old answer stays as an alternative). 400 if `messageId` is not an assistant message.
   */
  beginRegenerate(
    userId: number,
    sessionId: number,
    messageId: number,
    opts?: CallerOptions,
  ): Promise<BegunRegeneration>;
  /** Like beginTurn, but the user message is a new sibling of user message `messageId` (400 if not a user message). */
  beginEdit(
    userId: number,
    sessionId: number,
    messageId: number,
    content: string,
    opts?: CallerOptions,
  ): Promise<BegunTurn>;
  deleteSession(userId: number, sessionId: number): Promise<void>;
  /** 404 NOT_FOUND if missing, 403 FORBIDDEN if it is another user's. Returns the session row. */
  requireOwnedSession(userId: number, sessionId: number): Promise<OwnedSession>;
  /**
   * Rate-limits the user (CHAT_RATE_LIMIT_PER_MINUTE, key `chat:${userId}`) before storing anything, then in one
   * transaction stores the user message (complete) and an empty assistant message (`streaming`, with the model that
   * will answer), titles an untitled session from the content and bumps its updatedAt. 409 GENERATION_IN_PROGRESS
   * while the session already has a `streaming` answer (enforced by a unique index, so across processes too).
   */
  beginTurn(userId: number, sessionId: number, content: string, opts?: TurnOptions): Promise<BegunTurn>;
  /**
   * The session's system prompt (else SYSTEM_PROMPT) + the complete/stopped non-empty messages of the branch the
   * answer continues (its ancestors), trimmed to CONTEXT_MAX_TOKENS (newest kept).
   */
  buildPrompt(sessionId: number, assistantMessageId: number): Promise<BaseMessage[]>;
  /** Stores an answer's final content/status/usage and touches the session's updatedAt. */
  finishAnswer(messageId: number, r: FinishResult): Promise<Message>;
}

export function createChatService(ctx: AppContext): ChatService {
  const repo = createChatRepo(ctx.db);
  const { config } = ctx;
  // Quotas are reserved with the turn, and the ledger row of each answer is written and completed with it.
  const usage = createUsageService(ctx);

  const prompts = createPromptBuilder(ctx, repo);
  // The conversation's files (features/files): checked with the turn, added to every prompt it builds.
  const files = createFileContext(ctx);

  const ownedRow = (userId: number, sessionId: number) => requireOwnedSession(ctx.db, userId, sessionId, repo);

  /** Sessions from before the tree (or written without parents, by an import) become one branch on first use. */
  async function ensureTree(session: SessionRow): Promise<number | null> {
    if (session.currentLeafId !== null) return session.currentLeafId;
    return repo.linkLinearHistory(ctx.db, session.id);
  }

  /** The session with a page of its current branch (root → leaf), each message with its alternatives. */
  async function detailOf(session: SessionRow, q: { limit: number; before?: number }): Promise<SessionDetail> {
    const leaf = await ensureTree(session);
    const rows = leaf === null ? [] : await repo.pageBranch(leaf, q);
    const hasMore = rows.length > q.limit;
    const page = rows.slice(0, q.limit).reverse();
    const siblings = await repo.siblingIds(
      session.id,
      page.map((m) => m.id),
    );
    const messages = page.map((m) => {
      const ids = siblings.get(m.id) ?? [m.id];
      return { ...toMessage(m), siblings: { index: ids.indexOf(m.id), count: ids.length, ids } };
    });
    return { ...toSessionWithSettings(session), messages, hasMore };
  }

  type BranchSpec =
    | { kind: 'append'; content: string }
    | { kind: 'edit'; messageId: number; content: string }
    | { kind: 'regenerate'; messageId: number };

  /**
   * The one way rows enter the tree. Ownership, then the message being replaced, then the rate limit (nothing is
   * stored when it refuses), then in one transaction with the session row locked: the new user message (append:
   * under the current leaf; edit: beside the edited one), the empty `streaming` answer, and the leaf moved to it.
   */
  async function beginBranch(
    userId: number,
    sessionId: number,
    spec: BranchSpec,
    opts: { model?: string } & CallerOptions = {},
  ): Promise<BegunTurn | BegunRegeneration> {
    if (spec.kind === 'append') return beginAppend(userId, sessionId, spec.content, opts);
    const session = await ownedRow(userId, sessionId);
    await ensureTree(session);
    const target = await repo.findMessage(spec.messageId);
    if (!target || target.sessionId !== sessionId) throw errors.notFound('Message');
    const want = spec.kind === 'edit' ? 'user' : 'assistant';
    if (target.role !== want) {
      throw errors.validation(
        spec.kind === 'edit' ? 'Only your own messages can be edited' : 'Only answers can be regenerated',
        'messageId',
      );
    }
    await ctx.rateLimiter.hit(`chat:${userId}`, config.CHAT_RATE_LIMIT_PER_MINUTE);
    const model = [opts.model, session.model].find((m) => m && ctx.llm.models.includes(m)) ?? ctx.llm.defaultModel;
    const temperature = session.temperature ?? undefined;
    // A second answer in the same session fails the one-streaming index (409).
    return ctx.db.transaction(async (tx) => {
      const locked = await repo.lockSession(tx, sessionId);
      if (!locked) throw errors.notFound('Session');
      let userMessage: Message | undefined;
      let parentId: number | null;
      if (spec.kind === 'regenerate') {
        parentId = target.parentId;
      } else {
        const user = await repo.insertMessage(tx, {
          sessionId,
          role: 'user',
          content: spec.content,
          status: 'complete',
          parentId: target.parentId,
        });
        userMessage = toMessage(user);
        parentId = user.id;
      }
      const assistant = await repo.insertMessage(tx, {
        sessionId,
        role: 'assistant',
        content: '',
        status: 'streaming',
        model,
        parentId,
      });
      // Refused over a quota: 429, and the transaction (both messages) rolls back.
      const apiKeyId = opts.apiKeyId ?? null;
      await usage.reserveInTx(tx, { userId, apiKeyId, sessionId, messageId: assistant.id, model });
      await repo.setLeaf(tx, sessionId, assistant.id);
      // Only edits and regenerations get here (appends go through beginAppend): neither names the session.
      await repo.touchSession(tx, sessionId);
      const assistantMessage = toMessage(assistant);
      ctx.metrics.answersStarted.inc();
      if (userMessage) return { userMessage, assistantMessage, temperature };
      const parent = parentId === null ? undefined : await repo.findMessage(parentId);
      return { assistantMessage, temperature, repliesTo: parent ? toMessage(parent) : undefined };
    });
  }

  /**
   * A new message under the current leaf: the hot path of every streamed answer (bench/stream.bench.ts), so it is
   * one round trip when the rate limit is off and two when it is on (the count, then the checked insert, which
   * also reads the prompt's history). The same refusals in the same order as beginBranch: 404/403, then 429 before
   * anything is stored, then 409 from the one-streaming index.
   */
  async function beginAppend(
    userId: number,
    sessionId: number,
    content: string,
    opts: TurnOptions,
  ): Promise<BegunTurn> {
    const fileIds = opts.fileIds ?? [];
    if (fileIds.length > 0) {
      // Before anything is stored: the files must be this user's and ready, and images need a model that takes them.
      const session = await ownedRow(userId, sessionId);
      const model = [opts.model, session.model].find((m) => m && ctx.llm.models.includes(m)) ?? ctx.llm.defaultModel;
      await files.checkAttachments(userId, fileIds, model);
    }
    try {
      await ctx.rateLimiter.hit(`chat:${userId}`, config.CHAT_RATE_LIMIT_PER_MINUTE);
    } catch (err) {
      // A missing or foreign session is refused as such, even past the limit.
      await ownedRow(userId, sessionId);
      throw err;
    }
    const requestedModel = opts.model && ctx.llm.models.includes(opts.model) ? opts.model : null;
    const append = () =>
      repo.appendTurnChecked({
        userId,
        apiKeyId: opts.apiKeyId ?? null,
        sessionId,
        content,
        requestedModel,
        models: ctx.llm.models,
        defaultModel: ctx.llm.defaultModel,
        titleIfUntitled: deriveTitle(content),
        historyLimit: HISTORY_PAGE,
        historyContentChars: historyContentChars(config.CONTEXT_MAX_TOKENS),
        reservation: (gate) => reservationCtes(userId, config, gate),
      });
    // A second answer in the same session fails the one-streaming index (409).
    let outcome: AppendOutcome = await append().catch(translateConflict);
    if (outcome.kind === 'needs-tree') {
      // Messages from before the tree (an import, an old database): linked into one branch once, then stored.
      await ensureTree(await ownedRow(userId, sessionId));
      outcome = await append().catch(translateConflict);
    }
    if (outcome.kind === 'missing') throw errors.notFound('Session');
    if (outcome.kind === 'foreign') throw errors.forbidden();
    if (outcome.kind === 'quota') throw await usage.refusal(userId);
    if (outcome.kind !== 'stored') throw errors.internal();
    ctx.metrics.answersStarted.inc();
    const turn: BegunTurn = {
      userMessage: toMessage(outcome.user),
      assistantMessage: toMessage(outcome.assistant),
      temperature: outcome.temperature ?? undefined,
    };
    if (fileIds.length > 0) {
      // The turn is stored: a failure here must not leave its answer without a generation (the prompt below has the
      // files anyway; only a later regeneration would miss them).
      await files.remember(outcome.user.id, fileIds).catch((err: unknown) => {
        ctx.logger.warn({ err: { message: (err as Error).message } }, 'could not keep the files of a message');
      });
    }
    try {
      const history = await prompts.collectHistory([outcome.user], outcome.history, outcome.assistant.id);
      const composed = prompts.compose(sessionId, outcome.assistant.id, outcome.systemPrompt, history);
      turn.prompt = await files.augment(composed, {
        sessionId,
        assistantMessageId: outcome.assistant.id,
        userId,
        fileIds,
      });
    } catch {
      // The generation builds the prompt again (and reports a failure as its own).
    }
    return turn;
  }

  const service: ChatService = {
    requireOwnedSession: ownedRow,

    async listSessions(userId, q) {
      const { rows, total } = await repo.listSessions(userId, q);
      return {
        // The repo's rows are already the API's shape (timestamps written by PostgreSQL as toISOString writes them).
        sessions: rows,
        total,
      };
    },

    async createSession(userId, title) {
      const named = title?.trim();
      // MAX_SESSIONS_PER_USER: checked and inserted under the user's lock (409 LIMIT_REACHED past it).
      const row = await ctx.db.transaction(async (tx) => {
        await checkSessionLimit(tx, userId, 1, config.MAX_SESSIONS_PER_USER);
        return repo.insertSession(userId, named || DEFAULT_SESSION_TITLE, Boolean(named), tx);
      });
      return toSession(row);
    },

    async getSessionDetail(userId, sessionId, q) {
      const session = await ownedRow(userId, sessionId);
      return detailOf(session, q);
    },

    async updateSession(userId, sessionId, patch) {
      await ownedRow(userId, sessionId);
      if (patch.model !== undefined && patch.model !== null && !ctx.llm.models.includes(patch.model)) {
        throw errors.validation(
          `model must be one of the models this server offers: ${ctx.llm.models.join(', ')}`,
          'model',
        );
      }
      const clean: SessionPatch = { ...patch };
      if (patch.title !== undefined) clean.title = patch.title.trim();
      // An empty system prompt means "no prompt of my own", the same as clearing it.
      if (typeof patch.systemPrompt === 'string') clean.systemPrompt = patch.systemPrompt.trim() || null;
      return toSessionWithSettings(await repo.updateSession(sessionId, clean));
    },

    async selectBranch(userId, sessionId, messageId) {
      const session = await ownedRow(userId, sessionId);
      await ensureTree(session);
      const target = await repo.findMessage(messageId);
      if (!target || target.sessionId !== sessionId) throw errors.notFound('Message');
      // Moving the leaf under an answer being written would hide it, and the answer would land off-branch.
      if (await repo.hasStreaming(sessionId)) throw errors.generationInProgress();
      const leaf = await repo.latestDescendant(messageId);
      await repo.setLeaf(ctx.db, sessionId, leaf);
      return detailOf({ ...session, currentLeafId: leaf }, { limit: DEFAULT_DETAIL_LIMIT });
    },

    beginTurn(userId, sessionId, content, opts = {}) {
      return beginBranch(userId, sessionId, { kind: 'append', content }, opts) as Promise<BegunTurn>;
    },

    beginEdit(userId, sessionId, messageId, content, opts = {}) {
      return beginBranch(userId, sessionId, { kind: 'edit', messageId, content }, opts) as Promise<BegunTurn>;
    },

    beginRegenerate(userId, sessionId, messageId, opts = {}) {
      return beginBranch(userId, sessionId, { kind: 'regenerate', messageId }, opts);
    },

    async deleteSession(userId, sessionId) {
      await ownedRow(userId, sessionId);
      await repo.deleteSession(sessionId);
    },

    async buildPrompt(sessionId, assistantMessageId) {
      const built = await prompts.build(sessionId, assistantMessageId);
      return files.augment(built, { sessionId, assistantMessageId });
    },

    async finishAnswer(messageId, r) {
      const row = await repo.finishMessage(
        messageId,
        {
          content: r.content,
          status: r.status,
          promptTokens: r.usage?.promptTokens ?? null,
          completionTokens: r.usage?.completionTokens ?? null,
        },
        r.call ? ledgerFinish(messageId, r.status, r.call) : undefined,
      );
      if (!row) throw errors.notFound('Message');
      const { metrics } = ctx;
      metrics.answersFinished.inc({ status: r.status });
      if (r.call) {
        const model = row.model ?? ctx.llm.defaultModel;
        if (r.call.ttftMs !== null) metrics.ttft.observe(r.call.ttftMs / 1000);
        metrics.tokens.inc({ model, kind: 'prompt' }, r.call.promptTokens);
        metrics.tokens.inc({ model, kind: 'completion' }, r.call.completionTokens);
      }
      return toMessage(row);
    },
  };
  return service;
}
