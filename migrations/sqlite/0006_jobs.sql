-- Background jobs, activation and password reset (issue #6), SQLite. The MySQL twin is
-- migrations/mysql/0006_jobs.sql.

-- One row per job whose side effect (an SMS, a mail) is being done or is done, so that a job
-- delivered twice (at-least-once queues redeliver after a lost acknowledgement or a worker
-- restart) sends nothing twice. `state` is 'sending' while a worker holds it (the claim
-- lapses after a lease, when that worker died) and 'done' once sent.
CREATE TABLE job_runs (
    job_key    TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    -- Unix seconds of the claim or of the completion.
    updated_at INTEGER NOT NULL
);
CREATE INDEX job_runs_updated ON job_runs (updated_at);

-- Activation codes of the activation mails: only their SHA-256 is stored. Single use
-- (`used_at`), valid until `expires_at` (3 days after they were made).
CREATE TABLE activation_codes (
    code_hash  TEXT    NOT NULL PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX activation_codes_user ON activation_codes (user_id);
