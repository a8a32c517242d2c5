//! The fake gateway's HTML: the 收银台 (cashier), Alipay's error page and a 支付成功 page for
//! trades without a `return_url`. Plain HTML and CSS, readable at 390 px; Alipay answers its
//! errors with HTTP 200 and a page, so do these.

use axum::response::{Html, IntoResponse, Response};

/// Alipay's page title, on every page of the real cashier too.
const TITLE: &str = "支付宝 - 网上支付 安全快速！";

const STYLE: &str = "*{box-sizing:border-box}\
body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f5f6f7;color:#333}\
header{background:#1677ff;color:#fff;padding:12px 16px;font-size:18px;font-weight:600}\
header small{font-weight:400;font-size:12px;opacity:.85;margin-left:8px}\
main{max-width:480px;margin:16px auto;padding:0 12px}\
.card{background:#fff;border-radius:8px;padding:20px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
h1{font-size:20px;margin:0 0 12px}\
.subject{font-size:15px;margin:0;word-break:break-all}\
.amount{font-size:32px;color:#ff5000;font-weight:600;margin:8px 0 16px}\
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;font-size:14px;margin:0 0 20px}\
dt{color:#888}dd{margin:0;word-break:break-all}\
button{width:100%;padding:12px;font-size:17px;background:#1677ff;color:#fff;border:0;border-radius:6px;cursor:pointer}\
.error h1{color:#d4380d}.code{font-family:monospace;font-size:15px}\
pre{white-space:pre-wrap;word-break:break-all;background:#fafafa;border:1px solid #eee;padding:8px;font-size:12px}\
.note{font-size:12px;color:#999;margin-top:16px}";

/// Text safe inside HTML text and double-quoted attributes.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(body: &str) -> Response {
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{TITLE}</title><style>{STYLE}</style></head>\
         <body><header>支付宝<small>本地模拟网关，不会真的扣款</small></header><main>{body}</main></body></html>"
    ))
    .into_response()
}

/// Alipay's error page: `错误代码 <code>` (the code also in `data-testid="alipay-error"`),
/// `错误原因: <reason>`, and for a bad signature the string the gateway verified.
pub(super) fn error(code: &str, reason: &str, signed_string: Option<&str>) -> Response {
    let detail = signed_string.map_or_else(String::new, |s| {
        format!(
            "<p>网关生成的验签字符串为：</p><pre data-testid=\"alipay-signed-string\">{}</pre>",
            escape(s)
        )
    });
    page(&format!(
        "<section class=\"card error\"><h1>抱歉，支付请求出错了</h1>\
         <p>错误代码 <span class=\"code\" data-testid=\"alipay-error\">{}</span></p>\
         <p>错误原因: {}</p>{detail}</section>",
        escape(code),
        escape(reason),
    ))
}

/// What the 收银台 shows of a trade.
pub(super) struct Cashier<'a> {
    pub subject: &'a str,
    /// Yuan with two decimals, `88.00`.
    pub amount: &'a str,
    pub out_trade_no: &'a str,
    pub trade_no: &'a str,
    pub seller_id: &'a str,
    /// `yyyy-MM-dd HH:mm:ss`, China time.
    pub deadline: &'a str,
    /// Seconds until the trade closes.
    pub seconds_left: i64,
    /// The hidden field naming the trade to `POST /gateway.do/pay`.
    pub token: &'a str,
    pub buyer_logon_id: &'a str,
}

/// The 收银台: subject, amount, order number, time left, and a 确认付款 button.
pub(super) fn cashier(c: &Cashier<'_>) -> Response {
    page(&format!(
        "<section class=\"card\"><h1>收银台</h1>\
         <p class=\"subject\" data-testid=\"alipay-subject\">{subject}</p>\
         <p class=\"amount\" data-testid=\"alipay-amount\">¥{amount}</p>\
         <dl><dt>商户订单号</dt><dd data-testid=\"alipay-out-trade-no\">{out_trade_no}</dd>\
         <dt>支付宝交易号</dt><dd>{trade_no}</dd>\
         <dt>收款方</dt><dd>{seller_id}</dd>\
         <dt>付款账户</dt><dd>{buyer}</dd>\
         <dt>剩余时间</dt><dd data-testid=\"alipay-time-left\">{left}（{deadline} 关闭交易）</dd></dl>\
         <form method=\"post\" action=\"/gateway.do/pay\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button type=\"submit\">确认付款</button></form>\
         <p class=\"note\">这是本地模拟的支付宝收银台：确认付款后回到商户页面，并向商户发送异步通知。</p>\
         </section>",
        subject = escape(c.subject),
        amount = escape(c.amount),
        out_trade_no = escape(c.out_trade_no),
        trade_no = escape(c.trade_no),
        seller_id = escape(c.seller_id),
        buyer = escape(c.buyer_logon_id),
        left = time_left(c.seconds_left),
        deadline = escape(c.deadline),
        token = escape(c.token),
    ))
}

/// After paying a trade that named no `return_url`.
pub(super) fn paid(subject: &str, amount: &str, out_trade_no: &str) -> Response {
    page(&format!(
        "<section class=\"card\"><h1 data-testid=\"alipay-paid\">支付成功</h1>\
         <p class=\"subject\">{}</p><p class=\"amount\">¥{}</p>\
         <dl><dt>商户订单号</dt><dd>{}</dd></dl>\
         <p class=\"note\">商户没有提供 return_url，请自行回到商户页面。</p></section>",
        escape(subject),
        escape(amount),
        escape(out_trade_no),
    ))
}

/// `29 分 59 秒`, `5 小时 3 分`, `2 天 4 小时`.
fn time_left(seconds: i64) -> String {
    if seconds <= 0 {
        return "已超时".to_owned();
    }
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    if days > 0 {
        format!("{days} 天 {hours} 小时")
    } else if hours > 0 {
        format!("{hours} 小时 {minutes} 分")
    } else {
        format!("{minutes} 分 {secs} 秒")
    }
}

#[cfg(test)]
mod tests {
    use super::time_left;

    #[test]
    fn time_left_reads_in_the_largest_two_units() {
        for (seconds, expected) in [
            (0, "已超时"),
            (59, "0 分 59 秒"),
            (29 * 60 + 59, "29 分 59 秒"),
            (5 * 3_600 + 3 * 60 + 7, "5 小时 3 分"),
            (15 * 86_400, "15 天 0 小时"),
        ] {
            assert_eq!(time_left(seconds), expected, "{seconds} s");
        }
    }
}
