-- Foundation schema (SQLite). Times are Unix seconds, money is integer fen, booleans are 0/1.
-- The MySQL twin lives in migrations/mysql/0001_foundation.sql; keep them in step.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    is_active      INTEGER NOT NULL DEFAULT 0,
    -- Bumped by a password change; tokens carrying an older value are refused.
    token_version  INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE addresses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    receiver        TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    receiver_mobile TEXT    NOT NULL,
    postcode        TEXT    NOT NULL,
    tag             TEXT    NOT NULL,
    is_default      INTEGER NOT NULL DEFAULT 0,
    is_deleted      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id, is_deleted);

CREATE TABLE weibo_profiles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NULL REFERENCES users(id),
    wuid         TEXT    NOT NULL UNIQUE,
    access_token TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE catalogs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE brands (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    logo         TEXT    NOT NULL DEFAULT '',
    first_letter TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE spus (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    sales      INTEGER NOT NULL DEFAULT 0,
    comments   INTEGER NOT NULL DEFAULT 0,
    brand_id   INTEGER NOT NULL REFERENCES brands(id),
    catalog_id INTEGER NOT NULL REFERENCES catalogs(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE spu_sale_attrs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    spu_id     INTEGER NOT NULL REFERENCES spus(id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sale_attr_values (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    spu_sale_attr_id INTEGER NOT NULL REFERENCES spu_sale_attrs(id),
    name             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE skus (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    caption           TEXT    NOT NULL,
    spu_id            INTEGER NOT NULL REFERENCES spus(id),
    price             INTEGER NOT NULL,
    cost_price        INTEGER NOT NULL,
    market_price      INTEGER NOT NULL,
    stock             INTEGER NOT NULL DEFAULT 0,
    sales             INTEGER NOT NULL DEFAULT 0,
    comments          INTEGER NOT NULL DEFAULT 0,
    is_launched       INTEGER NOT NULL DEFAULT 1,
    default_image_url TEXT    NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX skus_spu ON skus (spu_id);

-- Which sale attribute values a SKU has (one per sale attribute of its SPU).
CREATE TABLE sku_sale_attr_values (
    sku_id             INTEGER NOT NULL REFERENCES skus(id),
    sale_attr_value_id INTEGER NOT NULL REFERENCES sale_attr_values(id),
    PRIMARY KEY (sku_id, sale_attr_value_id)
);

CREATE TABLE sku_images (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    sku_id     INTEGER NOT NULL REFERENCES skus(id),
    image      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE spu_specs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    spu_id     INTEGER NOT NULL REFERENCES spus(id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sku_spec_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku_id      INTEGER NOT NULL REFERENCES skus(id),
    spu_spec_id INTEGER NOT NULL REFERENCES spu_specs(id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
