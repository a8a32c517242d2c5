-- Foundation schema (MySQL 8 / MariaDB 10.6+, InnoDB, utf8mb4). Times are Unix seconds, money is integer fen, booleans are 0/1.
-- The SQLite twin lives in migrations/sqlite/0001_foundation.sql; keep them in step.

CREATE TABLE users (
    id             BIGINT PRIMARY KEY AUTO_INCREMENT,
    username       VARCHAR(64)  NOT NULL UNIQUE,
    password_hash  VARCHAR(255)    NOT NULL,
    email          VARCHAR(512)    NOT NULL,
    phone          VARCHAR(512)    NOT NULL,
    is_active      BIGINT NOT NULL DEFAULT 0,
    -- Bumped by a password change; tokens carrying an older value are refused.
    token_version  BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE addresses (
    id              BIGINT PRIMARY KEY AUTO_INCREMENT,
    user_id         BIGINT NOT NULL REFERENCES users(id),
    receiver        VARCHAR(512)    NOT NULL,
    address         VARCHAR(512)    NOT NULL,
    receiver_mobile VARCHAR(512)    NOT NULL,
    postcode        VARCHAR(512)    NOT NULL,
    tag             VARCHAR(512)    NOT NULL,
    is_default      BIGINT NOT NULL DEFAULT 0,
    is_deleted      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX addresses_user ON addresses (user_id, is_deleted);

CREATE TABLE weibo_profiles (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    user_id      BIGINT NULL REFERENCES users(id),
    wuid         VARCHAR(64)  NOT NULL UNIQUE,
    access_token VARCHAR(512)    NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE catalogs (
    id         BIGINT PRIMARY KEY AUTO_INCREMENT,
    name       VARCHAR(512)    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE brands (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    name         VARCHAR(512)    NOT NULL,
    logo         VARCHAR(512)    NOT NULL DEFAULT '',
    first_letter VARCHAR(512)    NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE spus (
    id         BIGINT PRIMARY KEY AUTO_INCREMENT,
    name       VARCHAR(512)    NOT NULL,
    sales      BIGINT NOT NULL DEFAULT 0,
    comments   BIGINT NOT NULL DEFAULT 0,
    brand_id   BIGINT NOT NULL REFERENCES brands(id),
    catalog_id BIGINT NOT NULL REFERENCES catalogs(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE spu_sale_attrs (
    id         BIGINT PRIMARY KEY AUTO_INCREMENT,
    spu_id     BIGINT NOT NULL REFERENCES spus(id),
    name       VARCHAR(512)    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sale_attr_values (
    id               BIGINT PRIMARY KEY AUTO_INCREMENT,
    spu_sale_attr_id BIGINT NOT NULL REFERENCES spu_sale_attrs(id),
    name             VARCHAR(512)    NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE skus (
    id                BIGINT PRIMARY KEY AUTO_INCREMENT,
    name              VARCHAR(512)    NOT NULL,
    caption           VARCHAR(512)    NOT NULL,
    spu_id            BIGINT NOT NULL REFERENCES spus(id),
    price             BIGINT NOT NULL,
    cost_price        BIGINT NOT NULL,
    market_price      BIGINT NOT NULL,
    stock             BIGINT NOT NULL DEFAULT 0,
    sales             BIGINT NOT NULL DEFAULT 0,
    comments          BIGINT NOT NULL DEFAULT 0,
    is_launched       BIGINT NOT NULL DEFAULT 1,
    default_image_url VARCHAR(512)    NOT NULL DEFAULT '',
    version           BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX skus_spu ON skus (spu_id);

-- Which sale attribute values a SKU has (one per sale attribute of its SPU).
CREATE TABLE sku_sale_attr_values (
    sku_id             BIGINT NOT NULL REFERENCES skus(id),
    sale_attr_value_id BIGINT NOT NULL REFERENCES sale_attr_values(id),
    PRIMARY KEY (sku_id, sale_attr_value_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sku_images (
    id         BIGINT PRIMARY KEY AUTO_INCREMENT,
    sku_id     BIGINT NOT NULL REFERENCES skus(id),
    image      VARCHAR(512)    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE spu_specs (
    id         BIGINT PRIMARY KEY AUTO_INCREMENT,
    spu_id     BIGINT NOT NULL REFERENCES spus(id),
    name       VARCHAR(512)    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE sku_spec_values (
    id          BIGINT PRIMARY KEY AUTO_INCREMENT,
    sku_id      BIGINT NOT NULL REFERENCES skus(id),
    spu_spec_id BIGINT NOT NULL REFERENCES spu_specs(id),
    name        VARCHAR(512)    NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
