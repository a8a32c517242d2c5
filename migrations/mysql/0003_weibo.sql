-- Weibo login (issue #7), MySQL / MariaDB. The SQLite twin is migrations/sqlite/0003_weibo.sql.

-- One row per bound Weibo account. Both columns are unique: one Weibo uid binds to one
-- user and one user to one uid, so of two concurrent binds only one insert can succeed.
-- No Weibo access token is kept: it is only needed during the login that fetched it.
CREATE TABLE weibo_users (
    uid        VARCHAR(32)  NOT NULL PRIMARY KEY,
    user_id    BIGINT       NOT NULL UNIQUE REFERENCES users(id),
    -- The Weibo screen name when the binding was made (shown in the personal center).
    nickname   VARCHAR(128) NOT NULL DEFAULT '',
    -- Unix seconds.
    created_at BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
