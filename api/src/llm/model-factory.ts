// Builds the LlmProvider from config. (Placeholder until the model layer lands.)
import type { Config } from '../config.js';
import type { LlmProvider } from './provider.js';

export function createLlmProvider(_config: Config): LlmProvider {
  return {
    kind: 'offline',
    defaultModel: 'offline',
    models: ['offline'],
    chatModel() {
      throw new Error('model layer not built yet');
    },
  };
}
