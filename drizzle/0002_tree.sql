ALTER TABLE "chat_sessions" ADD COLUMN "current_leaf_id" integer;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "system_prompt" text;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "temperature" real;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "pinned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "parent_id" integer;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_current_leaf_id_messages_id_fk" FOREIGN KEY ("current_leaf_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_parent_id_messages_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_parent_id_idx" ON "messages" USING btree ("parent_id");--> statement-breakpoint
-- Existing histories are linear: each message follows the previous one (by id) of its session, and each session continues from its last message.
UPDATE "messages" AS m SET "parent_id" = p."prev_id" FROM (SELECT "id", lag("id") OVER (PARTITION BY "session_id" ORDER BY "id") AS "prev_id" FROM "messages") AS p WHERE p."id" = m."id" AND p."prev_id" IS NOT NULL;--> statement-breakpoint
UPDATE "chat_sessions" AS s SET "current_leaf_id" = l."last_id" FROM (SELECT "session_id", max("id") AS "last_id" FROM "messages" GROUP BY "session_id") AS l WHERE l."session_id" = s."id";
