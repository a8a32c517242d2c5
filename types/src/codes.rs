//! Business codes of the original dadashop API (docs/api.md "Business codes").
//!
//! They travel in the `code` field of every JSON answer; `200` means success.

/// Success.
pub const OK: u32 = 200;
/// Weibo login: the uid is not bound yet; the answer carries the bind ticket.
pub const WEIBO_UNBOUND: u32 = 201;
/// Username already taken (registration).
pub const USERNAME_TAKEN: u32 = 206;
/// Missing, invalid, expired or revoked token; also someone else's resource (with HTTP 403).
pub const NOT_LOGGED_IN: u32 = 10101;
/// The two new passwords differ.
pub const PASSWORDS_DIFFER: u32 = 10102;
/// The old password is wrong.
pub const OLD_PASSWORD_WRONG: u32 = 10103;
/// User not found, or username and password do not match (login does not say which).
pub const USER_NOT_FOUND: u32 = 10104;
/// A verification code could not be stored.
pub const CODE_STORAGE_FAILED: u32 = 10105;
/// A verification code expired.
pub const CODE_EXPIRED: u32 = 10106;
/// The new password equals the old one.
pub const NEW_PASSWORD_EQUALS_OLD: u32 = 10109;
/// Passwords inconsistent.
pub const PASSWORDS_INCONSISTENT: u32 = 10110;
/// Activation link invalid.
pub const ACTIVATION_INVALID: u32 = 10112;
/// Activation parameter missing.
pub const ACTIVATION_MISSING: u32 = 10113;
/// Address query error.
pub const ADDRESS_QUERY_ERROR: u32 = 10114;
/// Invalid mainland mobile number.
pub const INVALID_PHONE: u32 = 10117;
/// Address storage error (also: the address book is full).
pub const ADDRESS_STORAGE_ERROR: u32 = 10120;
/// Address read error.
pub const ADDRESS_READ_ERROR: u32 = 10121;
/// Unknown or foreign address id.
pub const BAD_ADDRESS_ID: u32 = 10122;
/// Missing or malformed parameters (also: body not JSON, wrong types, too long).
pub const BAD_PARAMETERS: u32 = 10123;
/// Weibo login: the authorize URL cannot be built (Weibo login is off).
pub const WEIBO_URL_FAILED: u32 = 10124;
/// Weibo login: no Weibo token (bad, replayed or expired state or code; Weibo refused or
/// could not be reached).
pub const WEIBO_TOKEN_FAILED: u32 = 10125;
/// Invalid email address.
pub const INVALID_EMAIL: u32 = 10126;
/// Invalid username (1-11 word characters).
pub const INVALID_USERNAME: u32 = 10127;
/// Creating the user failed.
pub const CREATE_USER_FAILED: u32 = 10128;
/// Weibo binding failed: the ticket expired, or the uid or the account is bound already.
pub const WEIBO_BIND_FAILED: u32 = 10130;
/// Too many attempts (login throttling, SMS frequency).
pub const TOO_MANY_REQUESTS: u32 = 10131;
/// Wrong verification code (SMS code at registration, mailed code of a password reset).
pub const WRONG_CODE: u32 = 10132;
/// An image captcha must come with this login (HTTP 429 with `Retry-After`): the account is
/// under attack and this address is unknown to it, or a known address reached its limit.
/// Ask `POST /v1/users/captcha` and send its `captcha_id` with the `captcha` text.
pub const CAPTCHA_REQUIRED: u32 = 10133;
/// The image captcha's text is wrong, or the captcha is unknown, used or expired (HTTP 400).
pub const CAPTCHA_WRONG: u32 = 10134;
/// No SKU of the SPU has exactly the chosen sale attribute values (`POST /v1/goods/sku`).
pub const NO_SKU_WITH_VALUES: u32 = 40050;
/// Unknown catalog (`GET /v1/goods/catalogs/<catalog_id>`); not in the original, which
/// answered an empty list.
pub const CATALOG_NOT_FOUND: u32 = 40100;
/// Bad page number in a goods list: not a whole number, below 1 or past the last page.
pub const BAD_PAGE: u32 = 40200;
/// SKU not found, or not launched (unlaunched SKUs never reach shoppers).
pub const SKU_NOT_FOUND: u32 = 40300;
/// A dependency (database, Redis) is unavailable.
pub const SERVICE_UNAVAILABLE: u32 = 503;
/// Unexpected server failure; details are only in the server log.
pub const INTERNAL: u32 = 500;
/// Cart: the SKU does not exist, is not launched, or is not in the cart.
pub const CART_SKU_NOT_FOUND: u32 = 30101;
/// Cart: bad `sku_id` or `count` (not a positive whole number, over the per-line limit), bad
/// `state`, or the cart is full.
pub const CART_BAD_PARAMS: u32 = 30102;
/// Cart: the count would exceed the SKU's stock.
pub const CART_EXCEEDS_STOCK: u32 = 30103;
/// Cart: the token's user is not the user of the path (HTTP 403).
pub const CART_NOT_YOURS: u32 = 30104;
/// Orders: nothing to settle (no selected cart line; bad `settlement_type`, `sku_id` or
/// `buy_num` / `buy_count`). Chosen by this shop: the original left 50101 undocumented.
pub const ORDER_NOTHING_TO_SETTLE: u32 = 50101;
/// Orders: the address is missing, unknown, deleted or another user's.
pub const ORDER_BAD_ADDRESS: u32 = 50102;
/// Orders: a SKU has fewer units in stock than ordered (the message names it), or is no
/// longer launched.
pub const ORDER_STOCK_SHORT: u32 = 50103;
/// Orders: the stock update lost to concurrent orders after every retry; try again.
pub const ORDER_CONCURRENT_UPDATE: u32 = 50104;
/// Orders: the order is not paid (payment result).
pub const ORDER_NOT_PAID: u32 = 50105;
/// Orders: no such order of this user (an addition).
pub const ORDER_NOT_FOUND: u32 = 50106;
/// Orders: the order's status does not allow this (cancel an order that is no longer
/// unpaid, confirm receipt of an order not shipped). An addition.
pub const ORDER_WRONG_STATUS: u32 = 50107;
/// Orders: the `Idempotency-Key` was used before with a different request (HTTP 422, as the
/// IETF draft "The Idempotency-Key HTTP Header Field" says). An addition.
pub const ORDER_IDEMPOTENCY_MISMATCH: u32 = 50108;
/// Payment: the return parameters are not signed by the gateway, name another app, or do
/// not match the order (HTTP 400). An addition.
pub const PAYMENT_BAD_SIGNATURE: u32 = 50109;
/// Payment: online payment is not configured, or the gateway cannot be reached to confirm a
/// payment (HTTP 503; nothing is lost, the reconciliation job finishes the work). An
/// addition.
pub const PAYMENT_UNAVAILABLE: u32 = 50110;
/// Login: the shopper's account was disabled by an operator (HTTP 403). An addition.
pub const ACCOUNT_DISABLED: u32 = 10135;
/// Console: the staff account's role does not grant this (HTTP 403). An addition.
pub const ADMIN_FORBIDDEN: u32 = 60101;
/// Console: the record changed since it was read (`version`); reload and try again (HTTP
/// 409). An addition.
pub const ADMIN_STALE: u32 = 60102;
/// Console: no such record (HTTP 404). An addition.
pub const ADMIN_NOT_FOUND: u32 = 60103;
/// Console: the gateway refused the refund (HTTP 409), or could not be reached (HTTP 503,
/// nothing refunded twice: a retry asks it first). An addition.
pub const ADMIN_REFUND_REFUSED: u32 = 60104;
/// Console: the staff name is taken (HTTP 409). An addition.
pub const ADMIN_NAME_TAKEN: u32 = 60105;
/// Console: the catalog or brand is still used by SPUs and cannot be deleted (HTTP 409). An
/// addition.
pub const ADMIN_IN_USE: u32 = 60106;
/// Console: the uploaded file is not a picture the shop takes (not JPEG, PNG or WebP by its
/// content, an SVG, unreadable, or larger than `PICTURE_MAX_SIDE_PX` a side; HTTP 422), or it
/// is over `PICTURE_MAX_BYTES` (HTTP 413). An addition.
pub const ADMIN_PICTURE_REFUSED: u32 = 60107;
