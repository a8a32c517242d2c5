-- Background jobs, activation and password reset (issue #6), MySQL/MariaDB. See
-- migrations/sqlite/0006_jobs.sql for what the tables mean.

CREATE TABLE job_runs (
    job_key    VARCHAR(64) NOT NULL PRIMARY KEY,
    kind       VARCHAR(16) NOT NULL,
    state      VARCHAR(16) NOT NULL,
    updated_at BIGINT      NOT NULL,
    INDEX job_runs_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE activation_codes (
    code_hash  VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id    BIGINT      NOT NULL,
    expires_at BIGINT      NOT NULL,
    used_at    BIGINT      NULL,
    created_at BIGINT      NOT NULL,
    INDEX activation_codes_user (user_id),
    CONSTRAINT activation_codes_user_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
