-- Favourites (收藏, issue 27 item 4), SQLite. The MySQL / MariaDB twin is
-- migrations/mysql/0015_favourites.sql. One row per shopper and SKU; listed newest first.
CREATE TABLE favourites (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    sku_id     INTEGER NOT NULL REFERENCES skus(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, sku_id)
);
CREATE INDEX favourites_newest ON favourites (user_id, created_at);
