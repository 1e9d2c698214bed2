ALTER TABLE "chat_sessions" ADD COLUMN "title_search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, title), 'A')) STORED;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED;--> statement-breakpoint
CREATE INDEX "chat_sessions_title_search_idx" ON "chat_sessions" USING gin ("title_search");--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector");