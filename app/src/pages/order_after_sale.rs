//! After the sale, on an order's own page (`order_detail.rs`; docs/features.md "Shoppers:
//! regions, favourites, order detail, reviews, returns"):
//!
//! - 评价商品 once the order is completed (`after_sale.can_review`): per line a form (1–5
//!   stars as radio buttons, the text with its character count against
//!   [`REVIEW_MAX_CHARS`], 匿名评价), then the review as written, with 修改 while it may still
//!   be edited (`editable_until`) and a word when an operator has hidden it. A written or
//!   edited review replaces the form in place: nothing else on the page changes with it.
//! - 退货退款: while `after_sale.return_until` is there, 申请退货 opens a form (the lines with
//!   a count each, at most what is left of the line; the reason; up to
//!   [`RETURN_PICTURES_MAX`] pictures, each sent on its own as soon as it is picked and shown
//!   by the URL the server answers, its refusal by the server's message); every return of the
//!   order is listed with its status, lines, amount, reason, the shop's reply, pictures and
//!   refund. Asking for a return reloads the order: its timeline gains 申请退货 and the form
//!   goes (one open return per order).
//!
//! Texts are the shopper's plain text: text nodes, never markup.

use dadashop_types::after_sales::{
    AfterSale, MyReview, OrderReturn, RETURN_PICTURES_MAX, RETURN_REASON_MAX_CHARS,
    REVIEW_MAX_CHARS,
};
use dadashop_types::orders::{CartItem, OrderLine};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::not_logged_in;
use crate::api;
use crate::api::body::{NewReturn, ReturnLineBody, ReviewBody};
use crate::components::{FormError, LineInfo, MAX_STARS, Stars};
use crate::format::{beijing_time, fen, yuan};
use crate::state::{Task, use_auth};

/// The after-sale sections of the order `order_id`: 评价商品 and 退货退款, each where it
/// applies. `on_returned` runs once a return was asked for (the page reloads the order);
/// `notice` is the page's word on it.
#[component]
pub(super) fn AfterSaleSections(
    order_id: String,
    /// The order's lines.
    lines: Vec<OrderLine>,
    base_url: String,
    after_sale: AfterSale,
    notice: RwSignal<Option<&'static str>>,
    on_returned: Callback<()>,
) -> impl IntoView {
    let AfterSale {
        reviews,
        can_review,
        return_until,
        returns,
    } = after_sale;
    let items: Vec<CartItem> = lines.into_iter().map(|line| line.item).collect();
    let review_section = can_review.then(|| {
        let rows = items
            .iter()
            .map(|line| {
                let review = reviews.iter().find(|r| r.sku_id == line.id).cloned();
                view! {
                    <LineReview
                        order_id=order_id.clone()
                        line=line.clone()
                        base_url=base_url.clone()
                        review
                    />
                }
            })
            .collect_view();
        view! {
            <section class="panel" aria-labelledby="reviews-title">
                <h2 id="reviews-title">"评价商品"</h2>
                <ul class="review-lines">{rows}</ul>
            </section>
        }
    });
    let return_section = (return_until.is_some() || !returns.is_empty()).then(|| {
        view! {
            <Returns
                order_id=order_id.clone()
                lines=items.clone()
                return_until
                returns
                notice
                on_returned
            />
        }
    });
    view! {
        {review_section}
        {return_section}
    }
}

/// Now, in Unix seconds (the browser's clock).
fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// One line of the order and the shopper's review of it: the form until one is written,
/// then the review.
#[component]
fn LineReview(
    order_id: String,
    line: CartItem,
    base_url: String,
    review: Option<MyReview>,
) -> impl IntoView {
    let sku_id = line.id;
    let editing = RwSignal::new(review.is_none());
    let current = RwSignal::new(review);
    let on_saved = Callback::new(move |review: MyReview| {
        current.set(Some(review));
        editing.set(false);
    });
    let on_cancel = Callback::new(move |()| editing.set(false));
    let body = move || {
        let review = current.get();
        if editing.get() {
            let cancel = review.is_some().then_some(on_cancel);
            view! {
                <ReviewForm order_id=order_id.clone() sku_id review on_saved on_cancel=cancel />
            }
            .into_any()
        } else if let Some(review) = review {
            view! { <WrittenReview review on_edit=Callback::new(move |()| editing.set(true)) /> }
                .into_any()
        } else {
            ().into_any()
        }
    };
    view! {
        <li class="review-line" data-testid="review-line" data-sku-id=sku_id.to_string()>
            <div class="line review-line-goods">
                <LineInfo line base_url />
            </div>
            {body}
        </li>
    }
}

/// A review as its author wrote it, with 修改 while it may be edited.
#[component]
fn WrittenReview(review: MyReview, on_edit: Callback<()>) -> impl IntoView {
    let editable = now_secs() < review.editable_until;
    let until = beijing_time(review.editable_until);
    let hidden = review.hidden.then(|| {
        view! {
            <p class="notice review-hidden" data-testid="review-hidden">
                "这条评价已被商家隐藏，商品页不再显示。"
            </p>
        }
    });
    let edit = editable.then(|| {
        view! {
            <button type="button" class="btn small" on:click=move |_| on_edit.run(())>
                "修改"
            </button>
            <span class="muted review-until">{format!("可修改至 {until}")}</span>
        }
    });
    view! {
        <div class="my-review" data-testid="my-review">
            <div class="review-head">
                <Stars score=review.score />
                {review.anonymous.then(|| view! { <span class="tag">"匿名"</span> })}
                <time class="review-time">{review.time}</time>
            </div>
            <p class="review-text" data-testid="my-review-text">{review.content}</p>
            {hidden}
            <div class="actions">{edit}</div>
        </div>
    }
}

/// What a score means, beside the stars.
fn score_word(score: i64) -> &'static str {
    match score {
        1 => "非常差",
        2 => "差",
        3 => "一般",
        4 => "好",
        5 => "非常好",
        _ => "",
    }
}

/// What is wrong with a review's score and text, for the form: a score must be picked and
/// the text must hold 1 to [`REVIEW_MAX_CHARS`] characters after trimming (the server's
/// rule, counted as it counts: Unicode scalar values).
fn review_problem(score: i64, content: &str) -> Option<String> {
    if !(1..=MAX_STARS).contains(&score) {
        return Some("请选择评分".to_owned());
    }
    let chars = content.trim().chars().count();
    if chars == 0 {
        Some("请填写评价内容".to_owned())
    } else if chars > REVIEW_MAX_CHARS {
        Some(format!("评价内容最多 {REVIEW_MAX_CHARS} 个字"))
    } else {
        None
    }
}

/// Writes (no `review`) or edits a review of the line `sku_id`.
#[component]
fn ReviewForm(
    order_id: String,
    sku_id: i64,
    /// The review being edited.
    review: Option<MyReview>,
    on_saved: Callback<MyReview>,
    /// 取消 (only when editing).
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let auth = use_auth();
    let editing = review.is_some();
    let score = RwSignal::new(review.as_ref().map_or(0, |r| r.score));
    let content = RwSignal::new(
        review
            .as_ref()
            .map(|r| r.content.clone())
            .unwrap_or_default(),
    );
    let anonymous = RwSignal::new(review.as_ref().is_some_and(|r| r.anonymous));
    let submitted = RwSignal::new(false);
    let problem = Signal::derive(move || content.with(|c| review_problem(score.get(), c)));
    let task = Task::new();
    let pending = task.pending();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if problem.get_untracked().is_some() {
            return;
        }
        let order_id = order_id.clone();
        let body = ReviewBody {
            sku_id: (!editing).then_some(sku_id),
            score: score.get_untracked(),
            content: content.get_untracked().trim().to_owned(),
            anonymous: anonymous.get_untracked(),
        };
        task.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let answer = if editing {
                api::after_sales::edit_review(&credentials, &order_id, sku_id, &body).await
            } else {
                api::after_sales::write_review(&credentials, &order_id, &body).await
            };
            on_saved.run(auth.check(answer)?);
            Ok(())
        });
    };
    let ids = |what: &str| format!("review-{sku_id}-{what}");
    let (text_id, count_id, anonymous_id, error_id) =
        (ids("text"), ids("count"), ids("anonymous"), ids("error"));
    let stars = (1..=MAX_STARS)
        .map(|n| {
            view! {
                <label class="star-choice" class:on=move || { score.get() >= n }>
                    <input
                        type="radio"
                        name=ids("score")
                        value=n.to_string()
                        prop:checked=move || score.get() == n
                        on:change=move |_| score.set(n)
                    />
                    <span aria-hidden="true">"★"</span>
                    <span class="visually-hidden">{format!("{n} 星")}</span>
                </label>
            }
        })
        .collect_view();
    let chars = move || content.with(|c| c.trim().chars().count());
    let shown_problem = move || submitted.get().then(|| problem.get()).flatten();
    view! {
        <form class="review-form" on:submit=on_submit novalidate aria-label="评价">
            <fieldset class="star-picker">
                <legend>"评分"</legend>
                <div class="stars-input">
                    {stars}
                    <span class="score-word" aria-hidden="true">
                        {move || score_word(score.get())}
                    </span>
                </div>
            </fieldset>
            <div class="field">
                <label for=text_id.clone()>"评价内容"</label>
                <textarea
                    id=text_id
                    rows="4"
                    placeholder="说说商品怎么样，帮其他买家参考"
                    aria-describedby=format!("{count_id} {error_id}")
                    aria-invalid=move || if shown_problem().is_some() { "true" } else { "false" }
                    prop:value=move || content.get()
                    on:input=move |ev| content.set(event_target_value(&ev))
                ></textarea>
                <span
                    class="char-count"
                    class:over=move || { chars() > REVIEW_MAX_CHARS }
                    id=count_id
                    data-testid="review-count"
                >
                    {move || format!("{}/{REVIEW_MAX_CHARS}", chars())}
                </span>
            </div>
            <div class="field checkbox">
                <input id=anonymous_id.clone() type="checkbox" bind:checked=anonymous />
                <label for=anonymous_id>"匿名评价"</label>
            </div>
            <p class="field-error" id=error_id aria-live="polite">{shown_problem}</p>
            <FormError message=task.error() />
            <div class="actions">
                <button type="submit" class="btn primary small" disabled=move || pending.get()>
                    {if editing { "保存修改" } else { "发表评价" }}
                </button>
                {on_cancel
                    .map(|cancel| {
                        view! {
                            <button type="button" class="btn small" on:click=move |_| cancel.run(())>
                                "取消"
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

/// Units of `sku_id` still returnable: `bought` less those of returns that were not refused.
fn units_left(sku_id: i64, bought: i64, returns: &[OrderReturn]) -> i64 {
    let taken: i64 = returns
        .iter()
        .filter(|r| r.status != "refused")
        .flat_map(|r| &r.lines)
        .filter(|l| l.sku_id == sku_id)
        .map(|l| l.count)
        .sum();
    (bought - taken).max(0)
}

/// 退货退款: 申请退货 and its form while a return may be asked, and the order's returns.
#[component]
fn Returns(
    order_id: String,
    lines: Vec<CartItem>,
    return_until: Option<i64>,
    returns: Vec<OrderReturn>,
    notice: RwSignal<Option<&'static str>>,
    on_returned: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let ask = return_until.map(|until| {
        let choices: Vec<(CartItem, i64)> = lines
            .iter()
            .map(|line| (line.clone(), units_left(line.id, line.count, &returns)))
            .collect();
        let order_id = order_id.clone();
        let on_done = Callback::new(move |()| {
            open.set(false);
            notice.set(Some("退货申请已提交，请等待商家审核"));
            on_returned.run(());
        });
        view! {
            <div class="return-ask">
                <Show when=move || !open.get()>
                    <button
                        type="button"
                        class="btn small"
                        on:click=move |_| {
                            notice.set(None);
                            open.set(true);
                        }
                    >
                        "申请退货"
                    </button>
                </Show>
                <span class="muted" data-testid="return-until">
                    {format!("可申请至 {}", beijing_time(until))}
                </span>
            </div>
            <Show when=move || open.get()>
                <ReturnForm
                    order_id=order_id.clone()
                    choices=choices.clone()
                    on_done
                    on_cancel=Callback::new(move |()| open.set(false))
                />
            </Show>
        }
    });
    let list = (!returns.is_empty()).then(|| {
        let cards = returns
            .into_iter()
            .map(|r| view! { <ReturnCard r /> })
            .collect_view();
        view! { <ol class="returns">{cards}</ol> }
    });
    view! {
        <section class="panel" aria-labelledby="returns-title" data-testid="returns">
            <h2 id="returns-title">"退货退款"</h2>
            {move || {
                notice.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })
            }}
            {ask}
            {list}
        </section>
    }
}

/// A line of the return form: whether it is returned and how many of its units.
#[derive(Debug, Clone, Copy)]
struct LineChoice {
    sku_id: i64,
    /// Units still returnable.
    left: i64,
    chosen: RwSignal<bool>,
    count: RwSignal<String>,
}

impl LineChoice {
    /// The units typed, when they are a whole number from 1 to `left`.
    fn units(self) -> Option<i64> {
        self.count
            .with(|c| c.trim().parse::<i64>().ok())
            .filter(|n| (1..=self.left).contains(n))
    }
}

/// An uploaded picture of the return form.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Picture {
    id: i64,
    url: String,
}

/// What is wrong with a return request, for the form.
fn return_problem(choices: &[LineChoice], reason: &str) -> Option<String> {
    let chosen: Vec<&LineChoice> = choices.iter().filter(|c| c.chosen.get()).collect();
    if chosen.is_empty() {
        return Some("请选择要退货的商品".to_owned());
    }
    if let Some(bad) = chosen.iter().find(|c| c.units().is_none()) {
        return Some(format!("退货数量应为 1 到 {} 件", bad.left));
    }
    let chars = reason.trim().chars().count();
    if chars == 0 {
        Some("请填写退货原因".to_owned())
    } else if chars > RETURN_REASON_MAX_CHARS {
        Some(format!("退货原因最多 {RETURN_REASON_MAX_CHARS} 个字"))
    } else {
        None
    }
}

/// 申请退货: the lines with their counts, the reason and the pictures.
#[component]
fn ReturnForm(
    order_id: String,
    /// The order's lines with the units still returnable of each.
    choices: Vec<(CartItem, i64)>,
    on_done: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
    let returnable = choices.iter().filter(|(_, left)| *left > 0).count();
    let lines: Vec<LineChoice> = choices
        .iter()
        .map(|(line, left)| LineChoice {
            sku_id: line.id,
            left: *left,
            // One line to return: it is the one.
            chosen: RwSignal::new(returnable == 1 && *left > 0),
            count: RwSignal::new(left.max(&1).to_string()),
        })
        .collect();
    let reason = RwSignal::new(String::new());
    let pictures = RwSignal::new(Vec::<Picture>::new());
    let uploading = RwSignal::new(0usize);
    let refusals = RwSignal::new(Vec::<String>::new());
    let submitted = RwSignal::new(false);
    let task = Task::new();
    let pending = task.pending();
    let checks = lines.clone();
    let problem = Signal::derive(move || reason.with(|r| return_problem(&checks, r)));
    let shown_problem = move || submitted.get().then(|| problem.get()).flatten();

    let picked_order = order_id.clone();
    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let mut files = Vec::new();
        if let Some(list) = input.files() {
            for i in 0..list.length() {
                files.extend(list.get(i));
            }
        }
        // The same file may be picked again after a refusal or a removal.
        input.set_value("");
        refusals.set(Vec::new());
        let room = RETURN_PICTURES_MAX
            .saturating_sub(pictures.with_untracked(Vec::len) + uploading.get_untracked());
        if files.len() > room {
            let left_out: Vec<String> = files.drain(room..).map(|f| f.name()).collect();
            refusals.update(|r| {
                r.push(format!(
                    "最多上传 {RETURN_PICTURES_MAX} 张图片，未上传：{}",
                    left_out.join("、")
                ))
            });
        }
        if files.is_empty() {
            return;
        }
        uploading.update(|n| *n += files.len());
        let order_id = picked_order.clone();
        // One request per file, one after the other: each shows as soon as it is stored.
        leptos::task::spawn_local(async move {
            for file in files {
                let answer = match auth.credentials() {
                    Some(credentials) => auth.check(
                        api::after_sales::upload_return_picture(&credentials, &order_id, &file)
                            .await,
                    ),
                    None => Err(not_logged_in()),
                };
                // The form may be gone by now (the order reloaded): nothing to update then.
                let _ = uploading.try_update(|n| *n = n.saturating_sub(1));
                let _ = match answer {
                    Ok(picture) => pictures.try_update(|p| {
                        p.push(Picture {
                            id: picture.id,
                            url: picture.url,
                        })
                    }),
                    Err(error) => {
                        refusals.try_update(|r| r.push(format!("{}：{error}", file.name())))
                    }
                };
            }
        });
    };

    let submit_lines = lines.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if problem.get_untracked().is_some() || uploading.get_untracked() > 0 {
            return;
        }
        let body = NewReturn {
            lines: submit_lines
                .iter()
                .filter(|c| c.chosen.get_untracked())
                .filter_map(|c| {
                    c.units().map(|count| ReturnLineBody {
                        sku_id: c.sku_id,
                        count,
                    })
                })
                .collect(),
            reason: reason.get_untracked().trim().to_owned(),
            pictures: pictures.with_untracked(|p| p.iter().map(|p| p.id).collect()),
        };
        let order_id = order_id.clone();
        task.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::after_sales::ask_return(&credentials, &order_id, &body).await)?;
            on_done.run(());
            Ok(())
        });
    };

    let rows = choices
        .into_iter()
        .zip(lines)
        .map(|((line, left), choice)| {
            let id = format!("return-line-{}", line.id);
            let count_id = format!("return-count-{}", line.id);
            let name = line.name.clone();
            let none_left = left <= 0;
            view! {
                <li class="return-choice" class:unavailable=none_left data-testid="return-line">
                    <input
                        id=id.clone()
                        type="checkbox"
                        disabled=none_left
                        bind:checked=choice.chosen
                    />
                    <label for=id class="return-choice-name">{name.clone()}</label>
                    {if none_left {
                        view! { <span class="muted">"已申请退货"</span> }.into_any()
                    } else {
                        view! {
                            <span class="return-count">
                                <label for=count_id.clone()>"数量"</label>
                                <input
                                    id=count_id
                                    type="number"
                                    inputmode="numeric"
                                    min="1"
                                    max=left.to_string()
                                    aria-label=format!("{name} 退货数量")
                                    disabled=move || !choice.chosen.get()
                                    bind:value=choice.count
                                />
                                <span class="muted">{format!("共 {} 件，可退 {left} 件", line.count)}</span>
                            </span>
                        }
                            .into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    let reason_chars = move || reason.with(|r| r.trim().chars().count());
    let thumbs = move || {
        pictures
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, picture)| {
                let id = picture.id;
                view! {
                    <li class="return-thumb" data-testid="return-picture">
                        <img src=picture.url alt=format!("退货图片 {}", i + 1) width="72" height="72" />
                        <button
                            type="button"
                            class="btn small"
                            aria-label=format!("删除图片 {}", i + 1)
                            on:click=move |_| pictures.update(|p| p.retain(|p| p.id != id))
                        >
                            "删除"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let full = move || pictures.with(Vec::len) + uploading.get() >= RETURN_PICTURES_MAX;
    view! {
        <form class="return-form" on:submit=on_submit novalidate aria-label="申请退货">
            <fieldset class="return-lines-choice">
                <legend>"退货商品"</legend>
                <ul>{rows}</ul>
            </fieldset>
            <div class="field">
                <label for="return-reason">"退货原因"</label>
                <textarea
                    id="return-reason"
                    rows="3"
                    placeholder="请说明退货原因，如：商品破损、与描述不符"
                    aria-describedby="return-reason-count return-error"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
                <span
                    class="char-count"
                    class:over=move || { reason_chars() > RETURN_REASON_MAX_CHARS }
                    id="return-reason-count"
                >
                    {move || format!("{}/{RETURN_REASON_MAX_CHARS}", reason_chars())}
                </span>
            </div>
            <div class="field return-pictures-field">
                <span class="field-label">"图片（选填）"</span>
                <ul class="return-thumbs">{thumbs}</ul>
                <div class="return-picture-actions">
                    <label class="btn small file-button" class:disabled=full>
                        "添加图片"
                        <input
                            type="file"
                            accept="image/jpeg,image/png,image/webp"
                            multiple
                            disabled=full
                            on:change=on_files
                        />
                    </label>
                    <span class="muted">
                        {move || {
                            let n = pictures.with(Vec::len);
                            match uploading.get() {
                                0 => format!("{n}/{RETURN_PICTURES_MAX} 张，JPEG、PNG 或 WebP"),
                                busy => format!("{n}/{RETURN_PICTURES_MAX} 张，正在上传 {busy} 张…"),
                            }
                        }}
                    </span>
                </div>
                {move || {
                    let refused = refusals.get();
                    (!refused.is_empty())
                        .then(|| {
                            view! {
                                <ul class="notice error upload-refusals" role="alert">
                                    {refused.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                </ul>
                            }
                        })
                }}
            </div>
            <p class="field-error" id="return-error" aria-live="polite">{shown_problem}</p>
            <FormError message=task.error() />
            <div class="actions">
                <button
                    type="submit"
                    class="btn primary small"
                    disabled=move || { pending.get() || uploading.get() > 0 }
                >
                    "提交申请"
                </button>
                <button type="button" class="btn small" on:click=move |_| on_cancel.run(())>
                    "取消"
                </button>
            </div>
        </form>
    }
}

/// One return of the order as the shop handles it.
#[component]
fn ReturnCard(r: OrderReturn) -> impl IntoView {
    let lines = r
        .lines
        .into_iter()
        .map(|line| {
            view! {
                <li>
                    <span class="return-line-name">{line.name}</span>
                    <span class="muted">{format!("{} × {}", yuan(fen(&line.price)), line.count)}</span>
                </li>
            }
        })
        .collect_view();
    let reply = r.reply.map(|reply| {
        view! {
            <dt>"商家回复"</dt>
            <dd class="return-text" data-testid="return-reply">{reply}</dd>
        }
    });
    let refunded = r.refunded_amount.map(|amount| {
        let when = r
            .refunded_time
            .map(|t| format!("（{t}）"))
            .unwrap_or_default();
        view! {
            <dt>"已退款"</dt>
            <dd data-testid="return-refunded">
                <strong>{yuan(fen(&amount))}</strong>
                <span class="muted">{when}</span>
            </dd>
        }
    });
    let pictures = (!r.pictures.is_empty()).then(|| {
        let items = r
            .pictures
            .into_iter()
            .enumerate()
            .map(|(i, url)| {
                let href = url.clone();
                view! {
                    <li class="return-thumb">
                        <a href=href target="_blank" rel="noopener">
                            <img
                                src=url
                                alt=format!("退货图片 {}", i + 1)
                                width="72"
                                height="72"
                                loading="lazy"
                            />
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="return-thumbs">{items}</ul> }
    });
    view! {
        <li class="return-card" data-testid="return" data-status=r.status>
            <div class="return-head">
                <strong class="return-status" data-testid="return-status">{r.status_name}</strong>
                <span class="muted">{format!("申请时间 {}", r.time)}</span>
            </div>
            <ul class="return-goods">{lines}</ul>
            <dl class="facts">
                <dt>"退款金额"</dt>
                <dd data-testid="return-amount">{yuan(fen(&r.amount))}</dd>
                <dt>"退货原因"</dt>
                <dd class="return-text">{r.reason}</dd>
                {reply}
                {refunded}
            </dl>
            {pictures}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use dadashop_types::after_sales::{OrderReturn, ReturnLine};

    use super::{review_problem, score_word, units_left};

    fn a_return(status: &str, lines: &[(i64, i64)]) -> OrderReturn {
        OrderReturn {
            id: 1,
            order_id: "1".into(),
            status: status.into(),
            status_name: String::new(),
            reason: "破损".into(),
            reply: None,
            lines: lines
                .iter()
                .map(|&(sku_id, count)| ReturnLine {
                    sku_id,
                    name: String::new(),
                    count,
                    price: "1.00".into(),
                })
                .collect(),
            amount: "1.00".into(),
            pictures: Vec::new(),
            time: String::new(),
            refunded_amount: None,
            refunded_time: None,
            version: 1,
        }
    }

    #[test]
    fn the_units_left_to_return_leave_out_refused_returns() {
        let returns = [
            a_return("refunded", &[(7, 1), (8, 2)]),
            a_return("refused", &[(7, 2)]),
        ];
        assert_eq!(units_left(7, 3, &returns), 2);
        assert_eq!(units_left(8, 2, &returns), 0);
        assert_eq!(units_left(9, 1, &returns), 1);
    }

    #[test]
    fn a_review_needs_a_score_and_a_text_within_the_limit() {
        assert_eq!(review_problem(0, "好").as_deref(), Some("请选择评分"));
        assert_eq!(review_problem(5, "  \n").as_deref(), Some("请填写评价内容"));
        assert_eq!(
            review_problem(5, &"好".repeat(501)).as_deref(),
            Some("评价内容最多 500 个字")
        );
        assert_eq!(review_problem(5, &"好".repeat(500)), None);
        assert_eq!(score_word(5), "非常好");
    }
}
