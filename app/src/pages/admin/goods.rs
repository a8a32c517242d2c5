//! Pieces the console's catalog pages share (issue 25): money and count checks by the
//! server's own rules, the catalog and brand choices, a list-of-names field (sale attribute
//! values, specs), a text area, the launch badge, and saving a downloaded file.

use dadashop_types::admin::{AdminBrandsResponse, AdminCatalogsResponse, PRICE_MAX_FEN, STOCK_MAX};
use dadashop_types::money::parse_yuan;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::session::use_console;
use crate::api;
use crate::state::Remote;

/// The money of a yuan field: `Ok(None)` when empty, `Ok(Some(fen))` when it is an amount of
/// 0 to ¥1,000,000 with at most two decimals (the server's rule, `PRICE_MAX_FEN`), else the
/// message. `positive` refuses 0 (a price).
pub fn check_yuan(text: &str, positive: bool) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match parse_yuan(text) {
        None => Err("请输入金额，最多两位小数，如 199.50".to_owned()),
        Some(fen) if fen > PRICE_MAX_FEN => Err("金额不能超过 1000000 元".to_owned()),
        Some(0) if positive => Err("售价须大于 0".to_owned()),
        Some(fen) => Ok(Some(fen)),
    }
}

/// The message of a yuan field, if any; `required` refuses an empty one.
pub fn yuan_error(text: &str, required: bool, positive: bool) -> Option<String> {
    match check_yuan(text, positive) {
        Ok(None) if required => Some("请填写金额".to_owned()),
        Ok(_) => None,
        Err(message) => Some(message),
    }
}

/// A whole number of units of `min..=STOCK_MAX` typed in a field, or the message.
pub fn check_units(text: &str, min: i64) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("请填写数量".to_owned());
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=STOCK_MAX).contains(&n) => Ok(n),
        _ => Err(format!("请输入 {min} 到 {STOCK_MAX} 的整数")),
    }
}

/// The message of a name of at most `max` characters (`required`: not empty).
pub fn name_error(text: &str, max: usize, required: bool) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return required.then(|| "请填写名称".to_owned());
    }
    if text.chars().count() > max {
        return Some(format!("最多{max}个字"));
    }
    text.chars()
        .any(char::is_control)
        .then(|| "含有非法字符".to_owned())
}

/// The catalogs and brands of the console's choices, each loaded once per page.
#[derive(Clone, Copy)]
pub struct Choices {
    pub catalogs: Remote<AdminCatalogsResponse>,
    pub brands: Remote<AdminBrandsResponse>,
}

impl Choices {
    /// Starts loading both.
    pub fn load() -> Self {
        let choices = Self::catalogs_only();
        let console = use_console();
        choices.brands.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::brands(&staff).await)
        });
        choices
    }

    /// Starts loading the catalogs only (the brands stay unknown: no brand choice).
    pub fn catalogs_only() -> Self {
        let console = use_console();
        let choices = Self {
            catalogs: Remote::new(),
            brands: Remote::new(),
        };
        choices.catalogs.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::catalogs(&staff).await)
        });
        choices
    }

    /// `(id, name)` of every catalog (hidden ones marked), after `first`.
    pub fn catalog_options(self, first: &str) -> Vec<(String, String)> {
        let mut options = vec![(String::new(), first.to_owned())];
        if let Some(Ok(answer)) = self.catalogs.get() {
            options.extend(answer.data.into_iter().map(|c| {
                let name = if c.is_hidden {
                    format!("{}（已隐藏）", c.name)
                } else {
                    c.name
                };
                (c.id.to_string(), name)
            }));
        }
        options
    }

    /// `(id, "A 名称")` of every brand (hidden ones marked), in the console's order, after
    /// `first`.
    pub fn brand_options(self, first: &str) -> Vec<(String, String)> {
        let mut options = vec![(String::new(), first.to_owned())];
        if let Some(Ok(answer)) = self.brands.get() {
            options.extend(answer.data.into_iter().map(|b| {
                let hidden = if b.is_hidden { "（已隐藏）" } else { "" };
                (
                    b.id.to_string(),
                    format!("{} {}{hidden}", b.first_letter, b.name),
                )
            }));
        }
        options
    }
}

/// The badge of a SKU's launch state.
pub fn launch_badge(launched: bool) -> impl IntoView {
    if launched {
        view! { <span class="badge ok" data-testid="launch-state">"已上架"</span> }
    } else {
        view! { <span class="badge off" data-testid="launch-state">"未上架"</span> }
    }
}

/// A labelled `<textarea>` bound to `value` (plain text: line breaks kept).
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] reveal: Signal<bool>,
    #[prop(default = 3)] rows: u32,
    maxlength: usize,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown = move || {
        (touched.get() || reveal.get())
            .then(|| error.get())
            .flatten()
    };
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea
                id=id
                name=id
                rows=rows.to_string()
                maxlength=maxlength.to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| touched.set(true)
                aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            ></textarea>
            <p class="field-error" id=error_id aria-live="polite">{shown}</p>
        </div>
    }
}

/// Why `name` cannot join `values` (empty, too long, already there, or the list is full).
pub fn check_new_name(
    values: &[String],
    name: &str,
    max_count: usize,
    max_chars: usize,
) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return Some("请输入名称".to_owned());
    }
    if name.chars().count() > max_chars {
        return Some(format!("最多{max_chars}个字"));
    }
    if values.iter().any(|v| v == name) {
        return Some(format!("“{name}”已经有了"));
    }
    (values.len() >= max_count).then(|| format!("最多{max_count}个"))
}

/// A list of names in order (the values of a sale attribute, the specs): the names as chips
/// with a remove button each, and a field with 添加 (Enter adds too, without submitting the
/// form around it). A form takes in a name still in the field with [`take_draft`].
#[component]
pub fn NameList(
    /// `id` of the field; the message is `<id>-error`.
    id: &'static str,
    label: &'static str,
    values: RwSignal<Vec<String>>,
    #[prop(optional)] placeholder: Option<&'static str>,
    max_count: usize,
    max_chars: usize,
    /// The form's own message for the whole list (none yet, say), once submitted.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The name being typed, not added yet: a form may take it in on submit.
    draft: RwSignal<String>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let add = move || {
        let name = draft.get_untracked().trim().to_owned();
        let refused = values.with_untracked(|v| check_new_name(v, &name, max_count, max_chars));
        problem.set(refused.clone());
        if refused.is_none() {
            values.update(|v| v.push(name));
            draft.set(String::new());
        }
    };
    let chips = move || {
        values
            .get()
            .into_iter()
            .enumerate()
            .map(|(at, name)| {
                let label = format!("删除 {name}");
                view! {
                    <li class="chip" data-testid="chip">
                        <span>{name}</span>
                        <button
                            type="button"
                            class="chip-remove"
                            aria-label=label
                            on:click=move |_| values.update(|v| {
                                if at < v.len() {
                                    v.remove(at);
                                }
                            })
                        >
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let error_id = format!("{id}-error");
    let shown = move || problem.get().or_else(|| error.get());
    view! {
        <div class="field name-list">
            <label for=id>{label}</label>
            <ul class="chips" aria-label=label>{chips}</ul>
            <div class="inline-add">
                <input
                    id=id
                    type="text"
                    placeholder=placeholder
                    maxlength=max_chars.to_string()
                    bind:value=draft
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            add();
                        }
                    }
                    aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                    aria-describedby=error_id.clone()
                />
                <button type="button" class="btn small" on:click=move |_| add()>"添加"</button>
            </div>
            <p class="field-error" id=error_id aria-live="polite">{shown}</p>
        </div>
    }
}

/// Adds the name typed in a [`NameList`]'s field but not added yet (a 保存 straight after
/// typing it), when it may join the list; empties the field.
pub fn take_draft(
    values: RwSignal<Vec<String>>,
    draft: RwSignal<String>,
    max_count: usize,
    max_chars: usize,
) {
    let name = draft.get_untracked().trim().to_owned();
    if name.is_empty() {
        return;
    }
    if values
        .with_untracked(|v| check_new_name(v, &name, max_count, max_chars))
        .is_none()
    {
        values.update(|v| v.push(name));
        draft.set(String::new());
    }
}

/// Saves `blob` as the file `name` (the browser's download), through a temporary object
/// URL and link.
pub fn save_blob(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let link = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.set_hidden(true);
        if let Some(body) = document().body() {
            let _ = body.append_child(&link);
            link.click();
            let _ = body.remove_child(&link);
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Today in China time, `YYYYMMDD` (the export's file name).
pub fn today_stamp() -> String {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    crate::format::beijing_time(now)
        .get(..10)
        .unwrap_or_default()
        .replace('-', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_checked_by_the_servers_rule() {
        assert_eq!(check_yuan("", true), Ok(None));
        assert_eq!(check_yuan(" 199.5 ", true), Ok(Some(19_950)));
        assert_eq!(check_yuan("0", false), Ok(Some(0)));
        assert!(check_yuan("0", true).is_err());
        for bad in ["-1", "1.234", "abc", "1e3", "¥5", "1000000.01"] {
            assert!(check_yuan(bad, false).is_err(), "{bad}");
        }
        assert_eq!(yuan_error("", true, true).as_deref(), Some("请填写金额"));
        assert_eq!(yuan_error("", false, false), None);
    }

    #[test]
    fn units_are_whole_numbers_in_range() {
        assert_eq!(check_units("5", 1), Ok(5));
        assert_eq!(check_units("0", 0), Ok(0));
        for bad in ["", "0", "-3", "1.5", "1000001", "x"] {
            assert!(check_units(bad, 1).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_join_a_list_once_and_within_its_limits() {
        let values = vec!["红色".to_owned()];
        assert_eq!(check_new_name(&values, "白色", 20, 20), None);
        assert!(check_new_name(&values, " 红色 ", 20, 20).is_some());
        assert!(check_new_name(&values, "", 20, 20).is_some());
        assert!(check_new_name(&values, "白色", 1, 20).is_some());
        assert!(check_new_name(&values, &"长".repeat(21), 20, 20).is_some());
        assert_eq!(name_error("", 20, false), None);
        assert!(name_error("", 20, true).is_some());
        assert!(name_error(&"长".repeat(21), 20, true).is_some());
    }
}
