//! Input rules shared by the SPA (inline form validation) and the server (authoritative).
//!
//! Each function returns `Err(message)` with a zh-CN message fit to show next to the field.
//! Sources: the original API (docs/api.md "Input rules": username 1-11 word characters, an
//! 11-digit mainland mobile number `1[3-9]` and 9 digits); password length after OWASP ASVS
//! 5.0 V6.2 (at least 8 characters, at least 64 allowed, no composition rules).

/// Shortest accepted password, in characters (ASVS 6.2.1).
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest accepted password, in characters (ASVS 6.2.9 asks that 64 be allowed).
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Longest accepted email address, in characters (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;

/// A username: 1-11 "word" characters (ASCII letters, digits, underscore, or CJK ideographs,
/// as Python's `\w` in the original allowed Chinese names).
pub fn check_username(name: &str) -> Result<(), &'static str> {
    let count = name.chars().count();
    if count == 0 {
        return Err("请输入用户名");
    }
    if count > 11 {
        return Err("用户名最多11个字符");
    }
    if !name.chars().all(is_word_char) {
        return Err("用户名只能包含字母、数字、下划线或汉字");
    }
    Ok(())
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A mainland China mobile number: 11 digits, `1`, then `3`-`9`, then 9 digits.
pub fn check_phone(phone: &str) -> Result<(), &'static str> {
    let bytes = phone.as_bytes();
    let ok = bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err("请输入11位中国大陆手机号")
    }
}

/// A practical email check: one `@`, a non-empty local part, a dotted domain of letters,
/// digits and hyphens, no spaces, at most [`EMAIL_MAX_CHARS`] characters.
pub fn check_email(email: &str) -> Result<(), &'static str> {
    const MSG: &str = "请输入有效的邮箱地址";
    if email.is_empty() || email.chars().count() > EMAIL_MAX_CHARS {
        return Err(MSG);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(MSG);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(MSG)
    }
}

/// A password: [`PASSWORD_MIN_CHARS`] to [`PASSWORD_MAX_CHARS`] characters, not only spaces.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let count = password.chars().count();
    if count < PASSWORD_MIN_CHARS {
        return Err("密码至少8个字符");
    }
    if count > PASSWORD_MAX_CHARS {
        return Err("密码最多128个字符");
    }
    if password.trim().is_empty() {
        return Err("密码不能全是空格");
    }
    Ok(())
}

/// A Chinese postcode: exactly 6 ASCII digits.
pub fn check_postcode(postcode: &str) -> Result<(), &'static str> {
    if postcode.len() == 6 && postcode.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("邮编为6位数字")
    }
}

/// Longest receiver name, in characters.
pub const RECEIVER_MAX_CHARS: usize = 20;
/// Longest street address, in characters.
pub const ADDRESS_MAX_CHARS: usize = 100;
/// Longest address tag ("家", "公司"), in characters.
pub const TAG_MAX_CHARS: usize = 10;

/// Whether `c` is an invisible formatting character that can disguise text: zero-width
/// characters, bidirectional embeddings, overrides and isolates (the "Trojan Source" set of
/// Unicode TR #36 / CVE-2021-42574), the word joiner family, the byte-order mark and the
/// soft hyphen.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// `value` without [`is_invisible_format`] characters.
pub fn strip_invisible(value: &str) -> String {
    value.chars().filter(|c| !is_invisible_format(*c)).collect()
}

/// A non-blank text of at most `max` characters (receiver, address, tag).
pub fn check_text(value: &str, max: usize, what: &'static str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("请填写{what}"));
    }
    if value.chars().count() > max {
        return Err(format!("{what}最多{max}个字符"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{what}含有非法字符"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_one_to_eleven_word_characters() {
        for ok in ["a", "tom_1", "张三", "abcdefghijk"] {
            assert!(check_username(ok).is_ok(), "{ok} should pass");
        }
        for bad in ["", "abcdefghijkl", "tom smith", "tom-1", "a@b", "<script>"] {
            assert!(check_username(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn phones_are_mainland_mobile_numbers() {
        assert!(check_phone("13812345678").is_ok());
        assert!(check_phone("19912345678").is_ok());
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "1381234567a",
            "+8613812345678",
            "",
        ] {
            assert!(check_phone(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(check_email("tom@example.com").is_ok());
        assert!(check_email("a.b+c@mail.example.cn").is_ok());
        for bad in [
            "",
            "tom",
            "tom@",
            "@example.com",
            "tom@example",
            "tom @example.com",
            "tom@-x.com",
            "a@@b.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn invisible_formatting_characters_are_stripped() {
        assert_eq!(
            strip_invisible("北京\u{202E}市\u{200B}海淀\u{FEFF}区"),
            "北京市海淀区"
        );
        assert_eq!(strip_invisible("plain 文本"), "plain 文本");
    }

    #[test]
    fn passwords_follow_asvs_length_rules() {
        assert!(check_password("12345678").is_ok());
        assert!(check_password("1234567").is_err());
        assert!(check_password(&"x".repeat(129)).is_err());
        assert!(check_password("        ").is_err());
    }
}
