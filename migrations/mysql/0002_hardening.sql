-- Hardening (issue #5), MySQL / MariaDB. The SQLite twin is migrations/sqlite/0002_hardening.sql.

-- Logged-out tokens, kept until they would have expired anyway, so that a logout survives
-- restarts of the API and of Redis (the ephemeral store is not durable).
CREATE TABLE revoked_tokens (
    jti        VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    -- Unix seconds: the token's own `exp`; rows past it are purged.
    expires_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- The username folded to lower case (usernames are ASCII word characters or CJK, so ASCII
-- folding is complete): unique, so that "Tom" cannot register beside "tom". Accounts that
-- already differ only in case keep working: all but the oldest get "#<id>" appended, which
-- no typed username can contain.
ALTER TABLE users ADD COLUMN username_key VARCHAR(96) NOT NULL DEFAULT '';
UPDATE users u
    JOIN (SELECT LOWER(username) AS k, MIN(id) AS first_id FROM users GROUP BY LOWER(username)) f
    ON f.k = LOWER(u.username)
    SET u.username_key = IF(u.id = f.first_id, LOWER(u.username), CONCAT(LOWER(u.username), '#', u.id));
CREATE UNIQUE INDEX users_username_key ON users (username_key);
