//! A SKU's pictures in the SKU editor: thumbnails in the shop's order with the default one
//! marked; with `goods.change`, uploads of several files at once (a file choice or a drop on
//! the drop zone), each with its own progress bar and, when refused, the server's reason;
//! reordering by dragging a thumbnail onto another (HTML5 drag and drop; 前移 / 后移 buttons
//! do the same from a keyboard or a phone, where drag events do not fire); 设为默认 and 删除.
//!
//! Files go up one after the other, in the order chosen, so that the thumbnails come in that
//! order; each is sent as it is (`api::admin_catalog::upload_picture`), and the server
//! decides what it is by its content.

use dadashop_types::admin::{AdminPicture, PictureOrderRequest};
use leptos::prelude::*;

use super::session::use_console;
use super::widgets::{ConfirmDialog, Question};
use crate::api;
use crate::components::FormError;
use crate::state::Task;

/// Where an upload is.
#[derive(Debug, Clone, PartialEq)]
enum Sending {
    /// Waiting for the files before it.
    Queued,
    /// Going up: the share sent, 0.0 to 1.0.
    Going(f64),
    /// Stored (`true`: the SKU already had the same picture).
    Done(bool),
    /// Refused or lost, with the reason.
    Failed(String),
}

/// A file being uploaded.
#[derive(Debug, Clone, PartialEq)]
struct Upload {
    key: u32,
    name: String,
    bytes: f64,
    state: Sending,
}

/// A size in bytes as read: `812 B`, `35.2 KB`, `2.4 MB`.
fn size_text(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KB", bytes / 1024.0)
    } else {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0)
    }
}

/// `ids` with `moved` put where `target` is (before it when moving back, after it when moving
/// forward), the others in their order; unchanged when either is unknown.
fn move_to(ids: &[i64], moved: i64, target: i64) -> Vec<i64> {
    let (Some(from), Some(to)) = (
        ids.iter().position(|i| *i == moved),
        ids.iter().position(|i| *i == target),
    ) else {
        return ids.to_vec();
    };
    let mut out = ids.to_vec();
    let id = out.remove(from);
    out.insert(to, id);
    out
}

/// `pictures` in the order of `ids`.
fn in_order(pictures: &[AdminPicture], ids: &[i64]) -> Vec<AdminPicture> {
    ids.iter()
        .filter_map(|id| pictures.iter().find(|p| p.id == *id).cloned())
        .collect()
}

/// The picture panel of the SKU `sku_id`.
#[component]
pub fn PictureManager(
    sku_id: i64,
    /// The pictures as the SKU's detail listed them.
    initial: Vec<AdminPicture>,
    /// Told the pictures in order after every change.
    on_changed: Callback<Vec<AdminPicture>>,
) -> impl IntoView {
    let console = use_console();
    let pictures = RwSignal::new(initial);
    let uploads = RwSignal::new(Vec::<Upload>::new());
    let next_key = StoredValue::new(0_u32);
    let task = Task::new();
    let busy = task.pending();
    let may_change = move || console.can("goods.change");

    let set_state = move |key: u32, state: Sending| {
        uploads.try_update(|list| {
            if let Some(u) = list.iter_mut().find(|u| u.key == key) {
                u.state = state;
            }
        });
    };

    // Uploads: queued at once, sent one after the other.
    let upload = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        let mut queued = Vec::new();
        uploads.update(|list| {
            // Finished uploads of an earlier batch make way for the new one.
            list.retain(|u| matches!(u.state, Sending::Queued | Sending::Going(_)));
            for file in files {
                let key = next_key.get_value();
                next_key.set_value(key.wrapping_add(1));
                list.push(Upload {
                    key,
                    name: file.name(),
                    bytes: file.size(),
                    state: Sending::Queued,
                });
                queued.push((key, file));
            }
        });
        leptos::task::spawn_local(async move {
            for (key, file) in queued {
                let Ok(staff) = console.require() else {
                    return;
                };
                set_state(key, Sending::Going(0.0));
                let progress = move |share: f64| set_state(key, Sending::Going(share));
                let answer = console.check(
                    api::admin_catalog::upload_picture(&staff, sku_id, &file, progress).await,
                );
                match answer {
                    Ok(answer) => {
                        let picture = answer.data;
                        let mut known = false;
                        let updated = pictures.try_update(|list| {
                            known = list.iter().any(|p| p.id == picture.id);
                            if !known {
                                list.push(picture);
                            }
                            list.clone()
                        });
                        set_state(key, Sending::Done(known));
                        if let Some(list) = updated {
                            on_changed.run(list);
                        }
                    }
                    Err(error) => set_state(key, Sending::Failed(error.to_string())),
                }
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        upload(files_of(input.files()));
        // The same file may be chosen again later.
        input.set_value("");
    };

    // Order and default: the new order shows at once; the server's answer is the truth.
    let save_order = move |ids: Vec<i64>, default_id: Option<i64>| {
        let before = pictures.get_untracked();
        pictures.set(in_order(&before, &ids));
        task.run(async move {
            let staff = console.require()?;
            let body = PictureOrderRequest {
                order: ids,
                default_id,
            };
            match console.check(api::admin_catalog::order_pictures(&staff, sku_id, &body).await) {
                Ok(answer) => {
                    pictures.set(answer.data.clone());
                    on_changed.run(answer.data);
                    Ok(())
                }
                Err(error) => {
                    pictures.set(before);
                    Err(error)
                }
            }
        });
    };
    let ids = move || pictures.with_untracked(|list| list.iter().map(|p| p.id).collect::<Vec<_>>());

    // Dragging a thumbnail: which one, and which one it is over.
    let dragging = RwSignal::new(None::<i64>);
    let over = RwSignal::new(None::<i64>);
    let drop_on = move |target: i64| {
        let moved = dragging.get_untracked();
        dragging.set(None);
        over.set(None);
        if let Some(moved) = moved.filter(|m| *m != target) {
            let now = ids();
            let next = move_to(&now, moved, target);
            if next != now {
                save_order(next, None);
            }
        }
    };
    let step = move |id: i64, forward: bool| {
        let now = ids();
        if let Some(at) = now.iter().position(|i| *i == id) {
            let target = if forward {
                now.get(at + 1)
            } else {
                at.checked_sub(1).and_then(|b| now.get(b))
            };
            if let Some(target) = target.copied() {
                save_order(move_to(&now, id, target), None);
            }
        }
    };

    // 删除, asked first.
    let asking = RwSignal::new(None::<(Question, i64)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, picture_id)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        task.run(async move {
            let staff = console.require()?;
            let answer = console
                .check(api::admin_catalog::delete_picture(&staff, sku_id, picture_id).await)?;
            pictures.set(answer.data.clone());
            on_changed.run(answer.data);
            Ok(())
        });
    });

    let thumbnails = move || {
        let list = pictures.get();
        let count = list.len();
        if count == 0 {
            return view! { <p class="muted" data-testid="no-pictures">"还没有图片"</p> }
                .into_any();
        }
        list.into_iter()
            .enumerate()
            .map(|(at, p)| {
                let id = p.id;
                let class = move || {
                    let mut class = String::from("picture");
                    if over.get() == Some(id) && dragging.get().is_some_and(|d| d != id) {
                        class.push_str(" drop-target");
                    }
                    if dragging.get() == Some(id) {
                        class.push_str(" dragging");
                    }
                    class
                };
                let alt = format!("第 {} 张图片", at + 1);
                let default_mark = p
                    .is_default
                    .then(|| view! { <span class="tag default picture-default" data-testid="picture-default">"默认"</span> });
                let controls = may_change().then(|| {
                    let is_default = p.is_default;
                    view! {
                        <div class="picture-actions">
                            <button type="button" class="btn small icon" aria-label=format!("前移第 {} 张", at + 1) disabled=move || busy.get() || at == 0 on:click=move |_| step(id, false)>"←"</button>
                            <button type="button" class="btn small icon" aria-label=format!("后移第 {} 张", at + 1) disabled=move || busy.get() || at + 1 == count on:click=move |_| step(id, true)>"→"</button>
                            {(!is_default).then(|| view! {
                                <button type="button" class="btn small" disabled=move || busy.get() on:click=move |_| save_order(ids(), Some(id))>"设为默认"</button>
                            })}
                            <button
                                type="button"
                                class="btn small danger"
                                disabled=move || busy.get()
                                on:click=move |_| asking.set(Some((
                                    Question {
                                        title: "确认删除图片".to_owned(),
                                        detail: format!("第 {} 张图片将从该商品删除。", at + 1),
                                        yes: "删除",
                                        danger: true,
                                    },
                                    id,
                                )))
                            >
                                "删除"
                            </button>
                        </div>
                    }
                });
                let draggable = if may_change() { "true" } else { "false" };
                view! {
                    <li
                        class=class
                        data-testid="picture"
                        data-picture-id=id.to_string()
                        draggable=draggable
                        on:dragstart=move |ev: web_sys::DragEvent| {
                            dragging.set(Some(id));
                            if let Some(data) = ev.data_transfer() {
                                data.set_effect_allowed("move");
                                let _ = data.set_data("text/plain", &id.to_string());
                            }
                        }
                        on:dragend=move |_| {
                            dragging.set(None);
                            over.set(None);
                        }
                        on:dragover=move |ev: web_sys::DragEvent| {
                            ev.prevent_default();
                            over.set(Some(id));
                        }
                        on:drop=move |ev: web_sys::DragEvent| {
                            ev.prevent_default();
                            if dragging.get_untracked().is_some() {
                                drop_on(id);
                            } else {
                                upload(files_of(ev.data_transfer().and_then(|d| d.files())));
                            }
                        }
                    >
                        <img src=p.thumbnail_url.clone() alt=alt width="120" height="120" loading="lazy" draggable="false" />
                        {default_mark}
                        {(p.width > 0 && p.height > 0).then(|| view! {
                            <span class="picture-size">{format!("{}×{} 像素", p.width, p.height)}</span>
                        })}
                        {controls}
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };

    let progress = move || {
        uploads
            .get()
            .into_iter()
            .map(|u| {
                let (percent, text, class) = match &u.state {
                    Sending::Queued => (0.0, "等待上传".to_owned(), "upload"),
                    Sending::Going(share) => {
                        (share * 100.0, format!("上传中 {:.0}%", share * 100.0), "upload")
                    }
                    Sending::Done(false) => (100.0, "已上传".to_owned(), "upload done"),
                    Sending::Done(true) => (100.0, "已有相同图片".to_owned(), "upload done"),
                    Sending::Failed(reason) => (100.0, reason.clone(), "upload failed"),
                };
                view! {
                    <li class=class data-testid="upload" data-state=match u.state {
                        Sending::Queued => "queued",
                        Sending::Going(_) => "going",
                        Sending::Done(_) => "done",
                        Sending::Failed(_) => "failed",
                    }>
                        <span class="upload-name">{u.name.clone()}</span>
                        <span class="upload-size">{size_text(u.bytes)}</span>
                        <progress max="100" value=format!("{percent:.0}") aria-label=format!("{} 上传进度", u.name)></progress>
                        <span class="upload-state" data-testid="upload-state">{text}</span>
                    </li>
                }
            })
            .collect_view()
    };

    let drop_zone_over = RwSignal::new(false);
    let drop_zone = move || {
        may_change().then(|| {
            view! {
                <div
                    class=move || if drop_zone_over.get() { "drop-zone over" } else { "drop-zone" }
                    data-testid="drop-zone"
                    on:dragover=move |ev: web_sys::DragEvent| {
                        ev.prevent_default();
                        drop_zone_over.set(dragging.get_untracked().is_none());
                    }
                    on:dragleave=move |_| drop_zone_over.set(false)
                    on:drop=move |ev: web_sys::DragEvent| {
                        ev.prevent_default();
                        drop_zone_over.set(false);
                        if dragging.get_untracked().is_none() {
                            upload(files_of(ev.data_transfer().and_then(|d| d.files())));
                        }
                    }
                >
                    <p>"把图片拖到这里，或"</p>
                    <label class="btn small primary file-button">
                        "选择图片"
                        <input
                            type="file"
                            accept="image/jpeg,image/png,image/webp"
                            multiple=true
                            data-testid="picture-input"
                            on:change=on_pick
                        />
                    </label>
                    <p class="muted">"JPEG、PNG 或 WebP，可一次选择多张；拖动缩略图调整顺序。"</p>
                </div>
            }
        })
    };

    view! {
        <section class="panel" aria-labelledby="pictures-title" data-testid="pictures">
            <h2 id="pictures-title">"图片"</h2>
            <ol class="pictures" aria-label="图片（按顺序）">{thumbnails}</ol>
            <FormError message=task.error() />
            {drop_zone}
            <ul class="uploads" aria-label="上传" aria-live="polite">{progress}</ul>
        </section>
        <ConfirmDialog question on_answer />
    }
}

/// The files of a file list, in order.
fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::{move_to, size_text};

    #[test]
    fn a_dragged_picture_takes_the_place_of_the_one_it_is_dropped_on() {
        assert_eq!(move_to(&[1, 2, 3, 4], 4, 1), vec![4, 1, 2, 3]);
        assert_eq!(move_to(&[1, 2, 3, 4], 1, 3), vec![2, 3, 1, 4]);
        assert_eq!(move_to(&[1, 2, 3], 2, 3), vec![1, 3, 2]);
        assert_eq!(move_to(&[1, 2, 3], 2, 2), vec![1, 2, 3]);
        assert_eq!(move_to(&[1, 2, 3], 9, 2), vec![1, 2, 3]);
    }

    #[test]
    fn sizes_read_in_the_largest_unit_below_them() {
        assert_eq!(size_text(812.0), "812 B");
        assert_eq!(size_text(36_045.0), "35.2 KB");
        assert_eq!(size_text(2.5 * 1024.0 * 1024.0), "2.5 MB");
    }
}
