-- delivery_log's shape (its migration), partitioned by month, and the staging table COPY fills.
drop table if exists delivery_log;
create table delivery_log (id bigserial not null, event_key text not null, tenant_id text not null, notification_id text not null, delivery_id text, user_id text, channel text, event text not null, attempt integer, provider text, reason text, error_code text, details jsonb, at timestamptz not null default now(), notification_created_at timestamptz not null, constraint delivery_log_pk primary key (id, notification_created_at), constraint delivery_log_event_key_uq unique (event_key, notification_created_at)) partition by range (notification_created_at);
create table delivery_log_p202612 partition of delivery_log for values from ('2026-12-01') to ('2027-01-01');
create index delivery_log_notification_idx on delivery_log (notification_id, id);
create temp table log_in as select event_key, tenant_id, notification_id, delivery_id, user_id, channel, event, attempt, provider, reason, notification_created_at from delivery_log with no data;
