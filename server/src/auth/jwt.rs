//! JSON Web Tokens: HS256 only (RFC 7519, RFC 7518 §3.2), algorithm pinned so that
//! `alg: none` or an RS/HS confusion is refused.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// Claims of a dadashop token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user's id as a decimal string (RFC 7519 §4.1.2: a StringOrURI). The
    /// server finds the user by this, never by name, so a token outlives neither its account
    /// nor a later account that reuses the name.
    pub sub: String,
    /// The user's name (the legacy pages read it); must still match the account.
    pub username: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Issue time, Unix seconds.
    pub iat: i64,
    /// Unique token id (UUID v4); logout puts it on the deny-list.
    pub jti: String,
    /// The user's `token_version` at issue time; a password change bumps it, which revokes
    /// every earlier token.
    pub ver: i64,
}

/// Issues and checks tokens with one HS256 secret.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// `secret`: at least 32 bytes (checked by the settings); `ttl_secs`: token lifetime.
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(86_400),
        }
    }

    /// A new token for user `user_id` named `username` at `token_version`, issued at `now`
    /// (Unix seconds).
    pub fn issue(
        &self,
        user_id: i64,
        username: &str,
        token_version: i64,
        now: i64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_string(),
            username: username.to_owned(),
            exp: now + self.ttl_secs,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            ver: token_version,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid, unexpired HS256 token signed with our secret; `None` otherwise.
    /// A token is expired from the second its `exp` names (RFC 7519 §4.1.4: "on or after").
    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.verify_at(token, crate::db::now_secs())
    }

    /// [`Self::verify`] at the time `now` (Unix seconds).
    pub fn verify_at(&self, token: &str, now: i64) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
            .filter(|c| c.exp > now)
    }

    /// The user id of `claims.sub`, when it is a positive decimal number.
    pub fn user_id(claims: &Claims) -> Option<i64> {
        claims.sub.parse::<i64>().ok().filter(|id| *id > 0)
    }
}

/// Claims of an operator's console token (issue 24). Signed with a key of its own (derived
/// from the shop's secret, so a staff token never verifies as a shopper token nor the other
/// way round) and carrying `aud` = [`dadashop_types::admin::STAFF_AUDIENCE`] (RFC 7519
/// §4.1.3), which the console requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffClaims {
    /// The staff account's id, decimal.
    pub sub: String,
    pub username: String,
    /// The role at issue time.
    pub role: String,
    pub aud: String,
    /// Expiry and issue time, Unix seconds.
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The account's `token_version` at issue time: disabling the account, a role change,
    /// a new password or a logout bump it, which revokes every earlier token at once.
    pub ver: i64,
}

/// Issues and checks operators' console tokens (HS256 with a key derived from the shop's
/// secret by HMAC-SHA256 over a fixed label, RFC 2104).
pub struct StaffTokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl std::fmt::Debug for StaffTokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffTokenService")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

impl StaffTokenService {
    /// `secret`: the shop's `JWT_SECRET`; `ttl_secs`: `STAFF_TOKEN_TTL_SECS`.
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(b"dadashop console token key v1");
        let key = mac.finalize().into_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud"]);
        validation.set_audience(&[dadashop_types::admin::STAFF_AUDIENCE]);
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(28_800),
        }
    }

    /// A new token for staff `id` named `username` with `role` at `token_version`, issued at
    /// `now` (Unix seconds), and its expiry (Unix seconds).
    pub fn issue(
        &self,
        id: i64,
        username: &str,
        role: &str,
        token_version: i64,
        now: i64,
    ) -> anyhow::Result<(String, i64)> {
        let claims = StaffClaims {
            sub: id.to_string(),
            username: username.to_owned(),
            role: role.to_owned(),
            aud: dadashop_types::admin::STAFF_AUDIENCE.to_owned(),
            exp: now + self.ttl_secs,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            ver: token_version,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims.exp))
    }

    /// The claims of a valid, unexpired console token; `None` otherwise (a shopper token, a
    /// wrong audience, another key, `alg` other than HS256, expired).
    pub fn verify(&self, token: &str) -> Option<StaffClaims> {
        let now = crate::db::now_secs();
        decode::<StaffClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
            .filter(|c| c.exp > now)
            .filter(|c| c.sub.parse::<i64>().is_ok_and(|id| id > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn staff_and_shopper_tokens_never_stand_for_each_other() {
        let shop = TokenService::new(SECRET, 60);
        let staff = StaffTokenService::new(SECRET, 60);
        let now = crate::db::now_secs();
        let shopper_token = shop.issue(7, "tom", 0, now).expect("issue");
        let (staff_token, exp) = staff.issue(7, "tom", "orders", 0, now).expect("issue");
        assert_eq!(exp, now + 60);
        assert!(staff.verify(&staff_token).is_some());
        assert!(staff.verify(&shopper_token).is_none());
        assert!(shop.verify(&staff_token).is_none());
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let svc = TokenService::new(SECRET, 60);
        let token = svc
            .issue(7, "tom", 3, crate::db::now_secs())
            .expect("issue");
        let claims = svc.verify(&token).expect("valid");
        assert_eq!((claims.username.as_str(), claims.ver), ("tom", 3));
        assert_eq!(
            (claims.sub.as_str(), TokenService::user_id(&claims)),
            ("7", Some(7))
        );
        assert_eq!(claims.exp - claims.iat, 60);
    }

    #[test]
    fn a_token_is_expired_at_its_exp_second() {
        let svc = TokenService::new(SECRET, 60);
        let now = crate::db::now_secs();
        let token = svc.issue(1, "tom", 0, now).expect("issue");
        assert!(svc.verify_at(&token, now + 59).is_some());
        assert!(
            svc.verify_at(&token, now + 60).is_none(),
            "exp == now is expired"
        );
    }

    #[test]
    fn alg_none_and_foreign_secrets_are_refused() {
        let svc = TokenService::new(SECRET, 60);
        let now = crate::db::now_secs();
        let body = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"1","username":"tom","exp":{},"iat":{now},"jti":"x","ver":0}}"#,
            now + 60
        ));
        let none = format!(
            "{}.{body}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
        );
        assert!(svc.verify(&none).is_none());
        let other = TokenService::new(b"another-secret-another-secret-xx", 60);
        assert!(
            svc.verify(&other.issue(1, "tom", 0, now).expect("issue"))
                .is_none()
        );
        assert!(
            svc.verify(&svc.issue(1, "tom", 0, now - 120).expect("issue"))
                .is_none(),
            "expired"
        );
    }
}
