//! Users, tokens and addresses (docs/api.md, tag "users").
//!
//! Request fields are `Option`s so that the server can answer a missing field with the
//! documented business code instead of a generic parse error; the SPA fills them all.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/users`: register. The legacy page sends `uname`; `username` is accepted too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// When present it must equal `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password2: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// SMS verification code (checked once SMS codes exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    /// The "I agree" checkbox of the legacy page; any JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub allow: Option<Value>,
    /// Offline cart to merge (array of `{id, count, ...}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub carts: Option<Value>,
}

/// `POST /v1/tokens`: log in with username and password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// Offline cart to merge (array of `{id, count, ...}`); `carts` is accepted too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub cart: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub carts: Option<Value>,
    /// The `captcha_id` of `POST /v1/users/captcha`, when the last answer was 10133.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    /// The text of that captcha's picture (letter case does not matter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha: Option<String>,
}

/// `POST /v1/users/captcha` answer: an image captcha, valid 5 minutes and for one login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptchaResponse {
    pub code: u32,
    pub data: Captcha,
}

/// An image captcha: its id and its picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Captcha {
    /// Send it back as `captcha_id` with the login.
    pub captcha_id: String,
    /// The picture, a `data:image/png;base64,...` URL (220 × 120 pixels).
    pub image: String,
}

/// The `data` object of a token answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenData {
    pub token: String,
    /// Number of lines in the shopper's cart (the legacy `len`).
    pub len: u32,
}

/// Answer of register and login: the compatible superset of both legacy shapes
/// (`token` and `data.token`, `username`, `len`, `carts_count`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub code: u32,
    pub username: String,
    /// HS256 JWT; send it back as `Authorization: <token>` or `Authorization: Bearer <token>`.
    pub token: String,
    pub len: u32,
    pub data: TokenData,
    /// Number of lines in the shopper's cart after any merge.
    pub carts_count: u32,
}

/// `GET /v1/users/<username>` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub username: String,
    pub email: String,
    pub phone: String,
    /// Whether the email address has been confirmed through the activation mail.
    pub is_active: bool,
    /// Registration time, Unix seconds.
    pub created_at: i64,
}

/// `GET /v1/users/<username>` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserResponse {
    pub code: u32,
    pub data: UserProfile,
}

/// `POST /v1/users/<username>/password`: change the password while logged in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    #[serde(default)]
    pub oldpassword: Option<String>,
    #[serde(default)]
    pub password1: Option<String>,
    #[serde(default)]
    pub password2: Option<String>,
}

/// One entry of an address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Address {
    pub id: i64,
    /// Street address, at most 100 characters.
    pub address: String,
    pub receiver: String,
    /// 11-digit mainland mobile number.
    pub receiver_mobile: String,
    /// Free label such as "家" or "公司", at most 10 characters.
    pub tag: String,
    /// 6 digits.
    pub postcode: String,
    pub is_default: bool,
    /// The 省 / 市 / 区 chosen in the picker; absent for an address written as free text
    /// before regions existed (its `address` then holds the whole line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<AddressRegion>,
}

/// An address's region: GB/T 2260 codes (6 digits) and names as they were chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressRegion {
    pub province_code: String,
    pub province: String,
    pub city_code: String,
    pub city: String,
    /// Absent for a city without districts (东莞市, 中山市, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
}

impl AddressRegion {
    /// The names as an address line starts: `广东省 深圳市 南山区`. The placeholder city
    /// level of the municipalities (北京市 市辖区 海淀区, 重庆市 县 巫山县) is left out:
    /// `北京市 海淀区`.
    pub fn names(&self) -> String {
        let mut parts = vec![self.province.as_str()];
        if !matches!(self.city.as_str(), "市辖区" | "县") {
            parts.push(&self.city);
        }
        if let Some(d) = &self.district {
            parts.push(d);
        }
        parts.join(" ")
    }

    /// The code of the last level chosen (the district, or the city without districts):
    /// what a request's `region_code` carries.
    pub fn leaf_code(&self) -> &str {
        self.district_code.as_deref().unwrap_or(&self.city_code)
    }
}

/// One administrative division (GB/T 2260) of the address picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    /// 6 digits: `440000` 广东省, `440300` 深圳市, `440305` 南山区.
    pub code: String,
    pub name: String,
    /// Whether a level below exists (false: the picker stops here; a city without
    /// districts is a complete choice).
    pub has_children: bool,
}

/// `GET /v1/regions` (the provinces) and `GET /v1/regions/{code}` (the divisions under
/// `code`). Cacheable for a day: the divisions change once a year at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionsResponse {
    pub code: u32,
    /// The division whose children these are; absent for the provinces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Region>,
    /// By code.
    pub regions: Vec<Region>,
}

/// Answer of every address endpoint: the whole live address book, default first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressListResponse {
    pub code: u32,
    pub addresslist: Vec<Address>,
    /// A short message after a change, absent on a plain read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// `POST /v1/users/<username>/address`: add an address. Note the legacy name
/// `receiver_phone` here versus `receiver_mobile` in updates and answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAddressRequest {
    #[serde(default)]
    pub receiver: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub receiver_phone: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    /// The last level chosen in the 省/市/区 picker (a district, or a city without districts;
    /// 6 digits), optional: without it the address is free text as in the original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
}

/// `PUT /v1/users/<username>/address/<id>`: edit an address. `id`, when sent, must equal the
/// path id (number or numeric string). `postcode` is optional (kept when absent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateAddressRequest {
    #[serde(default)]
    pub receiver: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub receiver_mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub id: Option<Value>,
    /// As in [`NewAddressRequest`]; absent keeps the address's region, `""` removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
}

/// `POST /v1/users/<username>/address/default`: make `id` the default address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DefaultAddressRequest {
    /// Address id, number or numeric string.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub id: Option<Value>,
}

/// `POST /v1/users/sms/code`: send a 6-digit registration code to `phone`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmsCodeRequest {
    /// 11-digit mainland mobile number.
    #[serde(default)]
    pub phone: Option<String>,
}

/// `GET /v1/users/activation?code=`: the code from the activation mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ActivationQuery {
    /// The code of the activation link (43 URL-safe characters).
    #[serde(default)]
    pub code: Option<String>,
}

/// `POST /v1/users/password/sms`: mail a 6-digit reset code to `email`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetCodeRequest {
    #[serde(default)]
    pub email: Option<String>,
}

/// `POST /v1/users/password/verification`: check the mailed reset code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetVerifyRequest {
    #[serde(default)]
    pub email: Option<String>,
    /// The 6 digits of the reset mail.
    #[serde(default)]
    pub code: Option<String>,
}

/// Answer of `POST /v1/users/password/verification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetVerifyResponse {
    /// Always 200.
    pub code: u32,
    /// `"OK"`.
    pub data: String,
    /// The address the code was sent to.
    pub email: String,
    /// The reset proof that `POST /v1/users/password/new` must present: single use, valid
    /// 10 minutes, bound to `email`.
    pub proof: String,
}

/// `POST /v1/users/password/new`: set a new password with the proof of step 2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub password1: Option<String>,
    #[serde(default)]
    pub password2: Option<String>,
    /// The `proof` answered by `POST /v1/users/password/verification`.
    #[serde(default)]
    pub proof: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::AddressRegion;

    fn region(province: &str, city: &str, district: Option<&str>) -> AddressRegion {
        AddressRegion {
            province_code: "110000".into(),
            province: province.into(),
            city_code: "110100".into(),
            city: city.into(),
            district_code: district.map(|_| "110108".into()),
            district: district.map(Into::into),
        }
    }

    #[test]
    fn an_address_line_names_the_levels_a_courier_reads() {
        assert_eq!(
            region("广东省", "深圳市", Some("南山区")).names(),
            "广东省 深圳市 南山区"
        );
        assert_eq!(
            region("北京市", "市辖区", Some("海淀区")).names(),
            "北京市 海淀区"
        );
        assert_eq!(
            region("重庆市", "县", Some("巫山县")).names(),
            "重庆市 巫山县"
        );
        assert_eq!(region("广东省", "东莞市", None).names(), "广东省 东莞市");
        assert_eq!(region("广东省", "东莞市", None).leaf_code(), "110100");
    }
}
