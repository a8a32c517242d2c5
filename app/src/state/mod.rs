//! App-wide state shared through Leptos contexts, each a `Copy` newtype over signals:
//! [`Auth`] (who is logged in, restored from browser storage) and [`Flash`] (a one-off
//! message carried to the next page, such as "密码已修改，请重新登录").

mod action;
mod auth;
mod flash;
mod handover;
mod storage;

pub use action::failure_message;
pub use auth::{Auth, Session, use_auth};
pub use flash::{Flash, use_flash};
pub use handover::adopt_session_from_open_tabs;
pub use storage::{PendingWeiboLogin, save_weibo_login, take_weibo_login};
