CREATE TABLE `ai_receptionist_activity` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`client_id` text,
	`client_name` text,
	`client_phone` text,
	`action_type` text NOT NULL,
	`channel` text NOT NULL,
	`message_in` text,
	`message_out` text,
	`confidence_score` real,
	`skill_name` text,
	`lead_stage` text,
	`outcome_status` text NOT NULL,
	`response_time_ms` integer,
	`conversation_id` text,
	`metadata` text,
	`external_id` text
);
--> statement-breakpoint
CREATE INDEX `activity_feed` ON `ai_receptionist_activity` (`tenant_id`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `activity_action_type` ON `ai_receptionist_activity` (`tenant_id`,`action_type`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `activity_client` ON `ai_receptionist_activity` (`tenant_id`,`client_id`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `activity_skill` ON `ai_receptionist_activity` (`tenant_id`,`skill_name`,`timestamp`);--> statement-breakpoint
CREATE INDEX `activity_conversation` ON `ai_receptionist_activity` (`tenant_id`,`conversation_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `activity_external_id` ON `ai_receptionist_activity` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`secret_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `api_keys_tenant` ON `api_keys` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `ai_receptionist_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` integer NOT NULL,
	`client_id` text,
	`client_name` text,
	`client_phone` text,
	`channel` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`transcript` text NOT NULL,
	`summary` text,
	`intent` text,
	`sentiment` text,
	`outcome` text,
	`ended_reason` text,
	`avg_confidence_score` real,
	`total_turns` integer DEFAULT 0 NOT NULL,
	`external_id` text
);
--> statement-breakpoint
CREATE INDEX `conversations_list` ON `ai_receptionist_conversations` (`tenant_id`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `conversations_client` ON `ai_receptionist_conversations` (`tenant_id`,`client_id`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_external_id` ON `ai_receptionist_conversations` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `ai_receptionist_error_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`error_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `error_audit_error` ON `ai_receptionist_error_audit` (`tenant_id`,`error_id`,`at`);--> statement-breakpoint
CREATE TABLE `ai_receptionist_errors` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` integer NOT NULL,
	`timestamp` integer NOT NULL,
	`error_type` text NOT NULL,
	`severity` text NOT NULL,
	`message_in` text,
	`context` text,
	`skill_name` text,
	`component` text,
	`conversation_id` text,
	`root_cause` text,
	`recommended_fix` text,
	`needs_human_review` integer DEFAULT false NOT NULL,
	`resolution_status` text DEFAULT 'unresolved' NOT NULL,
	`resolved_by` text,
	`resolved_at` integer,
	`external_id` text
);
--> statement-breakpoint
CREATE INDEX `errors_list` ON `ai_receptionist_errors` (`tenant_id`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `errors_status` ON `ai_receptionist_errors` (`tenant_id`,`resolution_status`,`timestamp`);--> statement-breakpoint
CREATE UNIQUE INDEX `errors_external_id` ON `ai_receptionist_errors` (`tenant_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`tenant_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `events_created` ON `events` (`created_at`);--> statement-breakpoint
CREATE TABLE `ai_receptionist_health_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` integer NOT NULL,
	`component_name` text NOT NULL,
	`checked_at` integer NOT NULL,
	`ok` integer NOT NULL,
	`status` text NOT NULL,
	`latency_ms` real,
	`message` text
);
--> statement-breakpoint
CREATE INDEX `health_checks_component` ON `ai_receptionist_health_checks` (`tenant_id`,`component_name`,`checked_at`);--> statement-breakpoint
CREATE TABLE `ai_receptionist_metrics_daily` (
	`tenant_id` integer NOT NULL,
	`date` text NOT NULL,
	`total_activities` integer DEFAULT 0 NOT NULL,
	`total_conversations` integer DEFAULT 0 NOT NULL,
	`inbound_calls` integer DEFAULT 0 NOT NULL,
	`inbound_texts` integer DEFAULT 0 NOT NULL,
	`outbound_followups` integer DEFAULT 0 NOT NULL,
	`appointments_booked` integer DEFAULT 0 NOT NULL,
	`faq_answered` integer DEFAULT 0 NOT NULL,
	`leads_prescreened` integer DEFAULT 0 NOT NULL,
	`crm_updates` integer DEFAULT 0 NOT NULL,
	`escalations` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`ai_uncertainty` integer DEFAULT 0 NOT NULL,
	`ai_coverage_pct` real DEFAULT 0 NOT NULL,
	`booking_rate_pct` real DEFAULT 0 NOT NULL,
	`lead_conversion_pct` real DEFAULT 0 NOT NULL,
	`avg_confidence` real,
	`avg_response_time_ms` real,
	`p95_response_time_ms` real,
	`after_hours_conversations` integer DEFAULT 0 NOT NULL,
	`missed_calls_saved` integer DEFAULT 0 NOT NULL,
	`unique_clients` integer DEFAULT 0 NOT NULL,
	`positive_sentiment_pct` real,
	`estimated_revenue` real DEFAULT 0 NOT NULL,
	`labor_hours_saved` real DEFAULT 0 NOT NULL,
	`ai_cost` real DEFAULT 0 NOT NULL,
	`cost_per_interaction` real DEFAULT 0 NOT NULL,
	`roi_pct` real DEFAULT 0 NOT NULL,
	`computed_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`tenant_id`, `date`)
);
--> statement-breakpoint
CREATE TABLE `ai_receptionist_skills` (
	`tenant_id` integer NOT NULL,
	`skill_name` text NOT NULL,
	`skill_category` text DEFAULT 'general' NOT NULL,
	`accuracy_score` real,
	`accuracy_score_7day` real,
	`trend` real,
	`usage_count` integer DEFAULT 0 NOT NULL,
	`needs_retraining` integer DEFAULT false NOT NULL,
	`last_trained_at` integer,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`tenant_id`, `skill_name`)
);
--> statement-breakpoint
CREATE TABLE `ai_receptionist_system_health` (
	`tenant_id` integer NOT NULL,
	`component_name` text NOT NULL,
	`status` text DEFAULT 'unknown' NOT NULL,
	`latency_ms` real,
	`error_rate` real,
	`uptime_percentage` real,
	`last_checked` integer,
	`down_since` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`message` text,
	PRIMARY KEY(`tenant_id`, `component_name`)
);
--> statement-breakpoint
CREATE TABLE `tenant_origins` (
	`tenant_id` integer NOT NULL,
	`origin` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `origin`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tenant_origins_origin` ON `tenant_origins` (`origin`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`timezone` text DEFAULT 'America/New_York' NOT NULL,
	`roi_assumptions` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_slug_unique` ON `tenants` (`slug`);