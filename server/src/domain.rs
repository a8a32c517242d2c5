//! Validated domain values, built only through `parse` at the HTTP edge ("parse, don't
//! validate"): past a handler's first lines an invalid username, phone or email cannot exist.
//! The rules themselves live in `dadashop_types::rules`, shared with the SPA.

use dadashop_types::{codes, rules};

use crate::error::ApiError;

macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $check:path, $code:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Checks `raw` (surrounding spaces removed) against the shared rule.
            ///
            /// # Errors
            /// 400 with the field's business code and the rule's message.
            pub fn parse(raw: &str) -> Result<Self, ApiError> {
                let value = raw.trim();
                $check(value).map_err(|m| ApiError::bad_request($code, m))?;
                Ok(Self(value.to_owned()))
            }

            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

text_newtype!(
    /// 1-11 word characters (code 10127 when not).
    Username, rules::check_username, codes::INVALID_USERNAME
);
text_newtype!(
    /// An 11-digit mainland mobile number (code 10117 when not).
    Phone, rules::check_phone, codes::INVALID_PHONE
);
text_newtype!(
    /// An email address (code 10126 when not).
    Email, rules::check_email, codes::INVALID_EMAIL
);
text_newtype!(
    /// A 6-digit postcode (code 10123 when not).
    Postcode, rules::check_postcode, codes::BAD_PARAMETERS
);

/// A new password that meets the length rules; kept as given (spaces are significant).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// # Errors
    /// 400 / 10123 with the rule's message.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        rules::check_password(raw).map_err(ApiError::bad_params)?;
        Ok(Self(raw.to_owned()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A non-blank text of at most `max` characters, trimmed (receiver, street address, tag).
/// Invisible formatting characters (zero-width, bidirectional overrides, BOM; see
/// [`rules::is_invisible_format`]) are removed first, so an address cannot display
/// differently from what it says.
///
/// # Errors
/// 400 / 10123 naming the field.
pub fn bounded_text(raw: &str, max: usize, what: &'static str) -> Result<String, ApiError> {
    let visible = rules::strip_invisible(raw);
    let value = visible.trim();
    rules::check_text(value, max, what).map_err(ApiError::bad_params)?;
    Ok(value.to_owned())
}
