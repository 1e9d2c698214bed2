// drizzle-kit: generates SQL migrations into drizzle/ from the TypeScript schema.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './api/src/db/schema/index.ts',
  out: './drizzle',
});
