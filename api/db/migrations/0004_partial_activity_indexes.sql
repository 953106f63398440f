DROP INDEX `activity_skill`;--> statement-breakpoint
DROP INDEX `activity_conversation`;--> statement-breakpoint
DROP INDEX `activity_external_id`;--> statement-breakpoint
CREATE INDEX `activity_skill` ON `ai_receptionist_activity` (`tenant_id`,`skill_name`,`timestamp`) WHERE "ai_receptionist_activity"."skill_name" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `activity_conversation` ON `ai_receptionist_activity` (`tenant_id`,`conversation_id`) WHERE "ai_receptionist_activity"."conversation_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `activity_external_id` ON `ai_receptionist_activity` (`tenant_id`,`external_id`) WHERE "ai_receptionist_activity"."external_id" IS NOT NULL;