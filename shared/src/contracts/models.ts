// The models this server offers (GET /api/models).
import { z } from 'zod';

export const modelsResponseSchema = z.object({
  /** Every model a session may use (OPENAI_MODELS; "offline" for the built-in model). The default is first. */
  models: z.array(z.string()),
  /** The model used when a session names none. */
  default: z.string(),
});
export type ModelsResponse = z.infer<typeof modelsResponseSchema>;
