// Embeddings of passages and questions from the configured OpenAI-compatible server (OPENAI_EMBEDDINGS_MODEL, through
// LangChain's OpenAIEmbeddings); none when it is not set (retrieval is then full-text only).
import { OpenAIEmbeddings } from '@langchain/openai';
import type { Config } from '../../config.js';

export interface Embedder {
  /** The model's name (stored with nothing: a change of model needs the files uploaded again). */
  model: string;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/** Unit length, so cosine similarity is a dot product in SQL. */
export function normalize(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  return v.map((x) => x / norm);
}

export function createEmbedder(config: Config): Embedder | null {
  const model = config.OPENAI_EMBEDDINGS_MODEL;
  if (!model || (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL)) return null;
  const client = new OpenAIEmbeddings({
    model,
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {},
    timeout: config.OPENAI_TIMEOUT_MS,
    maxRetries: config.OPENAI_MAX_RETRIES,
    batchSize: 256,
  });
  return {
    model,
    async embedDocuments(texts) {
      return (await client.embedDocuments(texts)).map(normalize);
    },
    async embedQuery(text) {
      return normalize(await client.embedQuery(text));
    },
  };
}
