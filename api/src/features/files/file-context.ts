// The files of an answer, for the chat feature (its one hook): checks a message's `fileIds` before anything is
// stored, and adds the conversation's files to the prompt (numbered sources, whole small files, images for vision
// models), storing the answer's sources on its row.
import type { MessageSource } from '@chatbot/shared';
import { type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { AppError, errors } from '../../http/app-error.js';
import { sourcesBlock } from '../../llm/sources-prompt.js';
import { contentToText } from '../../llm/token-counter.js';
import { isImageType } from './detect.js';
import { createEmbedder } from './embeddings.js';
import { createFilesRepo } from './files.repo.js';
import { retrieve } from './retrieval.js';
import { takesImages } from './vision.js';

export interface AugmentArgs {
  sessionId: number;
  assistantMessageId: number;
  /** Known when the turn was just stored; otherwise read from the answer's row. */
  userId?: number;
  fileIds?: number[];
}

export interface FileContext {
  /**
   * A message's `fileIds`, before anything is stored: 404 for a file that is not this user's, 409 while one is still
   * processing, 400 for a failed one, 400 MODEL_NO_VISION for an image to a model not in OPENAI_VISION_MODELS.
   */
  checkAttachments(userId: number, fileIds: number[], model: string): Promise<void>;
  /** Keeps a user message's files with it, so a regeneration of its answer sends them again. */
  remember(userMessageId: number, fileIds: number[]): Promise<void>;
  /** The prompt with the answer's files in it (unchanged when there are none); the sources are stored on the answer. */
  augment(prompt: BaseMessage[], args: AugmentArgs): Promise<BaseMessage[]>;
}

export function createFileContext(ctx: AppContext): FileContext {
  const repo = createFilesRepo(ctx.db);
  const embedder = createEmbedder(ctx.config);
  const { config } = ctx;

  async function answerOwner(assistantMessageId: number) {
    const res = await ctx.db.execute<{ user_id: number; file_ids: number[] | null }>(sql`
      select s.user_id, u.file_ids from messages a
      join chat_sessions s on s.id = a.session_id
      left join messages u on u.id = a.parent_id
      where a.id = ${assistantMessageId}`);
    return res.rows[0];
  }

  async function images(userId: number, fileIds: number[]) {
    if (fileIds.length === 0) return [];
    const res = await ctx.db.execute<{ id: number; mime_type: string; content: Buffer | null }>(sql`
      select id, mime_type, content from files
      where user_id = ${userId} and id = any(${sql.param(fileIds)}::int[]) and mime_type like 'image/%'
        and content is not null
      order by array_position(${sql.param(fileIds)}::int[], id)`);
    return res.rows;
  }

  return {
    async checkAttachments(userId, fileIds, model) {
      const ids = [...new Set(fileIds)];
      if (ids.length === 0) return;
      const found = await repo.owned(userId, ids);
      if (found.length !== ids.length) {
        throw new AppError('NOT_FOUND', 'File not found', { field: 'fileIds' });
      }
      for (const f of found) {
        if (f.status === 'processing') {
          throw new AppError('CONFLICT', `"${f.name}" is still being processed; send it once it is ready`, {
            field: 'fileIds',
          });
        }
        if (f.status === 'failed') throw errors.validation(`"${f.name}" could not be read`, 'fileIds');
      }
      const image = found.find((f) => isImageType(f.mime_type));
      if (image && !takesImages(model, config.OPENAI_VISION_MODELS)) {
        throw new AppError('MODEL_NO_VISION', `The model ${model} does not take images ("${image.name}")`, {
          field: 'fileIds',
        });
      }
    },

    async remember(userMessageId, fileIds) {
      if (fileIds.length === 0) return;
      await ctx.db.execute(
        sql`update messages set file_ids = ${sql.param([...new Set(fileIds)])}::int[] where id = ${userMessageId}`,
      );
    },

    async augment(prompt, args) {
      let { userId, fileIds } = args;
      if (userId === undefined) {
        const owner = await answerOwner(args.assistantMessageId);
        if (!owner) return prompt;
        userId = owner.user_id;
        fileIds ??= owner.file_ids ?? [];
      }
      const ids = fileIds ?? [];
      const lastHuman = prompt.findLastIndex((m) => m.getType() === 'human');
      const question = lastHuman >= 0 ? contentToText(prompt[lastHuman]!.content) : '';
      const [found, pictures] = await Promise.all([
        retrieve(
          ctx.db,
          embedder,
          { userId, sessionId: args.sessionId, fileIds: ids, question },
          {
            topK: config.RAG_TOP_K,
            fullDocumentTokens: config.RAG_FULL_DOCUMENT_TOKENS,
            onEmbeddingError: (err) =>
              ctx.logger.warn(
                { err: { message: (err as Error).message }, sessionId: args.sessionId },
                'embedding the question failed; retrieving by full-text only',
              ),
          },
        ),
        images(userId, ids),
      ]);
      if (found.prompt.length === 0 && pictures.length === 0) return prompt;
      const out = [...prompt];
      if (found.prompt.length > 0) {
        const block = sourcesBlock(found.prompt);
        const first = out[0];
        if (first && first.getType() === 'system') {
          out[0] = new SystemMessage(`${contentToText(first.content)}\n\n${block}`);
        } else {
          out.unshift(new SystemMessage(block));
        }
        await storeSources(args.assistantMessageId, found.sources);
      }
      if (pictures.length > 0 && lastHuman >= 0) {
        const at = out.findLastIndex((m) => m.getType() === 'human');
        out[at] = new HumanMessage({
          content: [
            { type: 'text', text: question },
            ...pictures.map((p) => ({
              type: 'image_url' as const,
              image_url: { url: `data:${p.mime_type};base64,${p.content!.toString('base64')}` },
            })),
          ],
        });
      }
      return out;
    },
  };

  async function storeSources(messageId: number, sources: MessageSource[]) {
    await ctx.db.execute(sql`update messages set sources = ${JSON.stringify(sources)}::jsonb where id = ${messageId}`);
  }
}
