//! The fake Alipay gateway over real HTTP, with the committed test keys (`tests/keys/`: test
//! keys only, never for a real app).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use axum::{Form, Router};
use dadashop_fakes::alipay::{
    Config, FakeAlipay, NotifyState, PrivateKey, PublicKey, Switches, TradeStatus,
    parse_private_key, parse_public_key, rsa2_sign, rsa2_verify, signing_string, verify_text,
};
use serde_json::{Value, json};

const APP_PRIVATE: &str = include_str!("keys/app_private.pem");
const APP_PUBLIC: &str = include_str!("keys/app_public.pem");
const GATEWAY_PRIVATE: &str = include_str!("keys/gateway_private.pem");
const GATEWAY_PUBLIC: &str = include_str!("keys/gateway_public.pem");

type Params = BTreeMap<String, String>;
/// A notification as the shop received it: its `Content-Type` and its form.
type Received = (Option<String>, Params);

fn app_key() -> PrivateKey {
    parse_private_key(APP_PRIVATE).expect("the committed app private key")
}

fn gateway_public() -> PublicKey {
    parse_public_key(GATEWAY_PUBLIC).expect("the committed gateway public key")
}

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A fake with the committed keys and a notification schedule of a few milliseconds.
async fn start() -> FakeAlipay {
    FakeAlipay::start(
        any_port(),
        Config {
            app_public_key: APP_PUBLIC.to_owned(),
            gateway_private_key: Some(GATEWAY_PRIVATE.to_owned()),
            notify_retry: vec![Duration::from_millis(5); 2],
            notify_timeout: Duration::from_secs(2),
            ..Config::default()
        },
    )
    .await
    .expect("the fake starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The shop's common parameters for `method`, unsigned.
fn request(method: &str, biz: &Value) -> Params {
    params(&[
        ("app_id", "2021000000000001"),
        ("method", method),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", "2026-11-30 09:30:00"),
        ("version", "1.0"),
        ("biz_content", &biz.to_string()),
    ])
}

/// A page-pay request for `out_trade_no` with the test notify and return URLs, unsigned.
fn page_pay(out_trade_no: &str, amount: &str, notify_url: &str) -> Params {
    let mut p = request(
        "alipay.trade.page.pay",
        &json!({
            "out_trade_no": out_trade_no,
            "total_amount": amount,
            "subject": "达达商城订单 & 旅行箱",
            "product_code": "FAST_INSTANT_TRADE_PAY",
            "timeout_express": "29m",
        }),
    );
    p.insert("notify_url".to_owned(), notify_url.to_owned());
    p.insert(
        "return_url".to_owned(),
        "http://127.0.0.1:8080/payment/result?from=alipay".to_owned(),
    );
    p
}

/// `params` with the app's `sign`.
fn signed(mut p: Params) -> Params {
    p.remove("sign");
    let sign = rsa2_sign(&app_key(), &p, false).expect("signing");
    p.insert("sign".to_owned(), sign);
    p
}

/// GETs `/gateway.do?<params>` and returns the page.
async fn open(fake: &FakeAlipay, p: &Params) -> String {
    let answer = client()
        .get(fake.gateway_url())
        .query(p)
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(
        answer.status(),
        StatusCode::OK,
        "Alipay answers pages with 200"
    );
    answer.text().await.expect("a page")
}

/// The text of the element with `data-testid="<id>"` (no nested elements).
fn testid(html: &str, id: &str) -> Option<String> {
    let marker = format!("data-testid=\"{id}\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

/// The 收银台 form's hidden token.
fn token(html: &str) -> String {
    let marker = "name=\"token\" value=\"";
    let start = html.find(marker).expect("a token field") + marker.len();
    let end = html[start..].find('"').expect("the end of the token") + start;
    html[start..end].to_owned()
}

/// The query string of `url`, decoded.
fn query_of(url: &str) -> Params {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Polls `check` until it gives a value (at most 10 s).
async fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the trade's notification is no longer under way.
async fn notification_settles(fake: &FakeAlipay, out_trade_no: &str) -> NotifyState {
    wait_for("the notification to settle", || {
        fake.trade(out_trade_no)
            .map(|t| t.notify)
            .filter(|state| *state != NotifyState::Sending)
    })
    .await
}

/// A shop notify endpoint that records what it receives and answers from a script
/// (`success` once the script runs out).
#[derive(Clone, Default)]
struct Shop {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<&'static str>>>,
}

impl Shop {
    async fn start(answers: &[&'static str]) -> (Self, String) {
        let shop = Self::default();
        shop.answers
            .lock()
            .expect("answers")
            .extend(answers.iter().copied());
        let app = Router::new()
            .route("/notify", post(notify))
            .with_state(shop.clone());
        let listener = tokio::net::TcpListener::bind(any_port())
            .await
            .expect("a port for the shop");
        let url = format!(
            "http://{}/notify",
            listener.local_addr().expect("an address")
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        (shop, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received").clone()
    }
}

async fn notify(State(shop): State<Shop>, headers: HeaderMap, Form(form): Form<Params>) -> String {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    shop.received
        .lock()
        .expect("received")
        .push((content_type, form));
    shop.answers
        .lock()
        .expect("answers")
        .pop_front()
        .unwrap_or("success")
        .to_owned()
}

/// Posts a signed trade query and returns the HTTP status and body text.
async fn query(fake: &FakeAlipay, biz: &Value) -> (StatusCode, String) {
    query_with(fake, signed(request("alipay.trade.query", biz))).await
}

async fn query_with(fake: &FakeAlipay, p: Params) -> (StatusCode, String) {
    let answer = client()
        .post(fake.gateway_url())
        .form(&p)
        .send()
        .await
        .expect("the gateway answers");
    let status = answer.status();
    (status, answer.text().await.expect("a body"))
}

/// Checks the answer's `sign` over the raw text of `alipay_trade_query_response` with the
/// gateway's public key, and returns that object.
fn verified_response(body: &str) -> Value {
    verified_answer(body, "alipay_trade_query_response")
}

/// Posts a signed trade close and returns the HTTP status and body text.
async fn close(fake: &FakeAlipay, biz: &Value) -> (StatusCode, String) {
    query_with(fake, signed(request("alipay.trade.close", biz))).await
}

/// [`verified_response`] for the `alipay_trade_close_response` of a trade close.
fn verified_close(body: &str) -> Value {
    verified_answer(body, "alipay_trade_close_response")
}

/// Posts a signed refund and returns the verified `alipay_trade_refund_response`.
async fn refund(fake: &FakeAlipay, biz: &Value) -> Value {
    let (status, body) = query_with(fake, signed(request("alipay.trade.refund", biz))).await;
    assert_eq!(status, StatusCode::OK);
    verified_answer(&body, "alipay_trade_refund_response")
}

/// Posts a signed refund query and returns the verified
/// `alipay_trade_fastpay_refund_query_response`.
async fn refund_query(fake: &FakeAlipay, biz: &Value) -> Value {
    let p = signed(request("alipay.trade.fastpay.refund.query", biz));
    let (status, body) = query_with(fake, p).await;
    assert_eq!(status, StatusCode::OK);
    verified_answer(&body, "alipay_trade_fastpay_refund_query_response")
}

/// A trade of `amount` yuan for `out_trade_no`, paid.
async fn paid_trade(fake: &FakeAlipay, out_trade_no: &str, amount: &str) {
    open(fake, &signed(page_pay(out_trade_no, amount, ""))).await;
    fake.pay(out_trade_no).expect("paid");
}

/// Checks the answer's `sign` over the raw text of the `key` object with the gateway's public
/// key, and returns that object.
fn verified_answer(body: &str, key: &str) -> Value {
    let prefix = format!("{{\"{key}\":");
    let suffix_at = body.rfind(",\"sign\":\"").expect("a sign field");
    assert!(body.starts_with(&prefix), "{body}");
    let raw = &body[prefix.len()..suffix_at];
    let whole: Value = serde_json::from_str(body).expect("JSON");
    let sign = whole["sign"].as_str().expect("sign is a string");
    assert!(
        verify_text(&gateway_public(), raw, sign),
        "the answer's signature covers its raw JSON text: {body}"
    );
    serde_json::from_str(raw).expect("the response object")
}

#[test]
fn rsa2_signatures_match_openssl() {
    // printf '%s' "$S" | openssl dgst -sha256 -sign tests/keys/app_private.pem | base64 -w0
    const OPENSSL: &str = "Qs+uWeBFDHcxXpH/IF14puOAmh59QINujp1MmltDQvsiyq/+x6Q62brLUz1X+ylcnZfYk77pBBU/6KDxjuMXapiHnJO2KvnfaLAGCmXbmGavuY2wc9yleWccm0QtGLy4puwK6u4PLGH8p5QplGuinidUaGE5w54QLPoeueSbFvWXI+1ZCf1rYjs/kwUR+7y4O02oOSf19dwXXQhyffoPXJGW+WlKvjCy0VY/D895kLwLCnhktUXV6nywCedkH0LicIU3/DQtadjW4F/QPRBTLePzD0pKFPux4D/kC+sPvWc9TgiS+8d3wh4K2qmDY/sGBePZUiAG2v1o19P0wXIFHw==";
    let p = params(&[
        ("version", "1.0"),
        ("app_id", "2021000000000001"),
        ("method", "alipay.trade.page.pay"),
        ("sign_type", "RSA2"),
        ("charset", "utf-8"),
        ("timestamp", "2026-11-30 09:30:00"),
        (
            "biz_content",
            r#"{"out_trade_no":"20261130000001","total_amount":"88.00","subject":"达达商城订单 20261130000001","product_code":"FAST_INSTANT_TRADE_PAY"}"#,
        ),
        (
            "notify_url",
            "http://127.0.0.1:8000/v1/payments/alipay/notify",
        ),
        ("return_url", "http://127.0.0.1:8080/payment/result"),
        ("format", ""),
    ]);
    assert_eq!(
        signing_string(&p, false),
        r#"app_id=2021000000000001&biz_content={"out_trade_no":"20261130000001","total_amount":"88.00","subject":"达达商城订单 20261130000001","product_code":"FAST_INSTANT_TRADE_PAY"}&charset=utf-8&method=alipay.trade.page.pay&notify_url=http://127.0.0.1:8000/v1/payments/alipay/notify&return_url=http://127.0.0.1:8080/payment/result&sign_type=RSA2&timestamp=2026-11-30 09:30:00&version=1.0"#
    );
    assert_eq!(rsa2_sign(&app_key(), &p, false).expect("signing"), OPENSSL);
    let mut with_sign = p;
    with_sign.insert("sign".to_owned(), OPENSSL.to_owned());
    let app_public = parse_public_key(APP_PUBLIC).expect("the app public key");
    assert!(rsa2_verify(&app_public, &with_sign, false));
}

#[tokio::test]
async fn a_signed_page_pay_request_shows_the_cashier_with_subject_and_amount() {
    let fake = start().await;
    let html = open(&fake, &signed(page_pay("20261130000001", "88", ""))).await;
    assert!(html.contains("<h1>收银台</h1>"), "{html}");
    assert_eq!(
        testid(&html, "alipay-subject").as_deref(),
        Some("达达商城订单 &amp; 旅行箱")
    );
    assert_eq!(testid(&html, "alipay-amount").as_deref(), Some("¥88.00"));
    assert_eq!(
        testid(&html, "alipay-out-trade-no").as_deref(),
        Some("20261130000001")
    );
    assert!(
        testid(&html, "alipay-time-left")
            .is_some_and(|t| t.starts_with("28 分") || t.starts_with("29 分"))
    );
    assert!(html.contains("确认付款"));

    let trade = fake.trade("20261130000001").expect("the trade is recorded");
    assert_eq!(trade.status, TradeStatus::WaitBuyerPay);
    assert_eq!(trade.total_amount, "88.00");
    assert_eq!(trade.trade_no.len(), 28, "{}", trade.trade_no);
    assert!(trade.trade_no.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&trade.trade_no[8..13], "22001");
}

#[tokio::test]
async fn sdk_style_requests_put_biz_content_in_a_form_body() {
    let fake = start().await;
    let mut p = signed(page_pay("20261130000002", "12.5", ""));
    let biz = p.remove("biz_content").expect("biz_content");
    let answer = client()
        .post(fake.gateway_url())
        .query(&p)
        .form(&[("biz_content", biz)])
        .send()
        .await
        .expect("the gateway answers");
    let html = answer.text().await.expect("a page");
    assert_eq!(
        testid(&html, "alipay-amount").as_deref(),
        Some("¥12.50"),
        "{html}"
    );
}

#[tokio::test]
async fn a_tampered_parameter_shows_the_invalid_signature_page() {
    let fake = start().await;
    let mut p = signed(page_pay("20261130000003", "88.00", ""));
    p.insert(
        "biz_content".to_owned(),
        p["biz_content"].replace("88.00", "0.01"),
    );
    let html = open(&fake, &p).await;
    assert!(html.contains("<title>支付宝 - 网上支付 安全快速！</title>"));
    assert_eq!(
        testid(&html, "alipay-error").as_deref(),
        Some("invalid-signature")
    );
    assert!(html.contains("错误原因: 验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"));
    assert!(
        fake.trade("20261130000003").is_none(),
        "no trade is recorded"
    );
}

#[tokio::test]
async fn bad_page_pay_requests_show_alipays_error_codes() {
    let fake = start().await;
    let biz = |change: &dyn Fn(&mut Value)| {
        let mut p = page_pay("20261130000004", "88.00", "");
        let mut value: Value = serde_json::from_str(&p["biz_content"]).expect("JSON");
        change(&mut value);
        p.insert("biz_content".to_owned(), value.to_string());
        signed(p)
    };
    let with = |key: &str, value: &str| {
        let mut p = page_pay("20261130000004", "88.00", "");
        p.insert(key.to_owned(), value.to_owned());
        signed(p)
    };
    let cases: Vec<(&str, Params, &str)> = vec![
        (
            "another app",
            with("app_id", "2021000000000999"),
            "invalid-app-id",
        ),
        (
            "no signature",
            page_pay("20261130000004", "88.00", ""),
            "missing-signature",
        ),
        (
            "RSA (SHA-1) signatures",
            with("sign_type", "RSA"),
            "invalid-signature-type",
        ),
        ("GBK", with("charset", "gbk"), "invalid-charset"),
        (
            "a timestamp in another format",
            with("timestamp", "2026/11/30 09:30"),
            "invalid-timestamp",
        ),
        ("version 2.0", with("version", "2.0"), "invalid-parameter"),
        (
            "three decimals",
            biz(&|v| v["total_amount"] = json!("88.001")),
            "invalid-parameter",
        ),
        (
            "a zero amount",
            biz(&|v| v["total_amount"] = json!("0.00")),
            "invalid-parameter",
        ),
        (
            "another product",
            biz(&|v| v["product_code"] = json!("QUICK_WAP_WAY")),
            "invalid-parameter",
        ),
        (
            "an empty subject",
            biz(&|v| v["subject"] = json!("")),
            "invalid-parameter",
        ),
        (
            "a 65-character order number",
            biz(&|v| v["out_trade_no"] = json!("1".repeat(65))),
            "invalid-parameter",
        ),
        (
            "a 16-day timeout",
            biz(&|v| v["timeout_express"] = json!("16d")),
            "invalid-parameter",
        ),
        (
            "a relative notify_url",
            with("notify_url", "/notify"),
            "invalid-parameter",
        ),
    ];
    for (case, p, code) in cases {
        let html = open(&fake, &p).await;
        assert_eq!(
            testid(&html, "alipay-error").as_deref(),
            Some(code),
            "{case}: {html}"
        );
    }
    let html = open(&fake, &biz(&|v| v["total_amount"] = json!("88.001"))).await;
    assert!(html.contains("total_amount"), "the page names the field");
    assert!(fake.trades().is_empty());
}

#[tokio::test]
async fn reopening_an_order_shows_the_same_trade_and_a_new_amount_is_refused() {
    let fake = start().await;
    let p = signed(page_pay("20261130000005", "88.00", ""));
    open(&fake, &p).await;
    let first = fake.trade("20261130000005").expect("a trade");
    let html = open(&fake, &p).await;
    assert_eq!(testid(&html, "alipay-amount").as_deref(), Some("¥88.00"));
    assert_eq!(
        fake.trades(),
        vec![first],
        "the same trade, not a second one"
    );

    let html = open(&fake, &signed(page_pay("20261130000005", "99.00", ""))).await;
    assert_eq!(
        testid(&html, "alipay-error").as_deref(),
        Some("invalid-parameter")
    );
    assert!(html.contains("total_amount"));
}

#[tokio::test]
async fn pressing_pay_redirects_to_return_url_with_the_gateways_signature() {
    let fake = start().await;
    let html = open(&fake, &signed(page_pay("20261130000006", "88.00", ""))).await;
    let answer = client()
        .post(format!("{}/gateway.do/pay", fake.url()))
        .form(&[("token", token(&html))])
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(answer.status(), StatusCode::FOUND);
    let location = answer.headers()[header::LOCATION]
        .to_str()
        .expect("an ASCII location")
        .to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:8080/payment/result?from=alipay&"),
        "{location}"
    );
    let back = query_of(&location);
    assert_eq!(back["from"], "alipay", "the shop's own query is kept");
    let mut signed_back = back.clone();
    signed_back.remove("from");
    assert!(rsa2_verify(&gateway_public(), &signed_back, true));
    assert_eq!(back["method"], "alipay.trade.page.pay.return");
    assert_eq!(back["total_amount"], "88.00");
    assert_eq!(back["seller_id"], "2088000000000001");

    let trade = fake.trade("20261130000006").expect("a trade");
    assert_eq!(trade.status, TradeStatus::TradeSuccess);
    assert_eq!(back["trade_no"], trade.trade_no);
    assert!(trade.gmt_payment.is_some());
    assert_eq!(trade.notify, NotifyState::NotSent, "there is no notify_url");

    let html = open(&fake, &signed(page_pay("20261130000006", "88.00", ""))).await;
    assert_eq!(
        testid(&html, "alipay-error").as_deref(),
        Some("TRADE_HAS_SUCCESS")
    );
}

#[tokio::test]
async fn fake_pay_returns_a_return_url_that_verifies_with_the_gateway_public_key() {
    let fake = start().await;
    open(&fake, &signed(page_pay("20261130000007", "88.00", ""))).await;
    let answer: Value = client()
        .post(format!("{}/_fake/pay", fake.url()))
        .json(&json!({"out_trade_no": "20261130000007"}))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    let url = answer["return_url"].as_str().expect("a return_url");
    let mut back = query_of(url);
    back.remove("from");
    for key in [
        "out_trade_no",
        "trade_no",
        "total_amount",
        "seller_id",
        "auth_app_id",
        "app_id",
        "charset",
        "method",
        "timestamp",
        "version",
        "sign_type",
        "sign",
    ] {
        assert!(back.contains_key(key), "{key} in {url}");
    }
    assert!(rsa2_verify(&gateway_public(), &back, true), "{url}");
    back.insert("total_amount".to_owned(), "0.01".to_owned());
    assert!(!rsa2_verify(&gateway_public(), &back, true));

    let again = client()
        .post(format!("{}/_fake/pay", fake.url()))
        .json(&json!({"out_trade_no": "20261130000007"}))
        .send()
        .await
        .expect("the fake answers");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let unknown = fake.pay("no_such_order").expect_err("an unknown trade");
    assert!(unknown.to_string().contains("TRADE_NOT_EXIST"));
}

#[tokio::test]
async fn the_notification_is_retried_until_the_shop_answers_success() {
    let (shop, notify_url) = Shop::start(&["fail"]).await;
    let fake = start().await;
    open(
        &fake,
        &signed(page_pay("20261130000008", "88.00", &notify_url)),
    )
    .await;
    fake.pay("20261130000008").expect("paid");

    assert_eq!(
        notification_settles(&fake, "20261130000008").await,
        NotifyState::Delivered
    );
    let attempts = fake.notify_attempts("20261130000008");
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(attempts[0].body.as_deref(), Some("fail"));
    assert!(!attempts[0].delivered);
    assert!(attempts[1].delivered);
    assert_eq!(attempts[0].notify_id, attempts[1].notify_id);

    let received = shop.received();
    assert_eq!(received.len(), 2);
    let (content_type, form) = &received[1];
    assert_eq!(
        content_type.as_deref(),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    assert_eq!(form, &received[0].1, "a retry sends the same notification");
    assert!(rsa2_verify(&gateway_public(), form, true), "{form:?}");
    assert_eq!(form["trade_status"], "TRADE_SUCCESS");
    assert_eq!(form["notify_type"], "trade_status_sync");
    assert_eq!(form["total_amount"], "88.00");
    assert_eq!(form["buyer_pay_amount"], "88.00");
    assert_eq!(form["point_amount"], "0.00");
    assert_eq!(form["subject"], "达达商城订单 & 旅行箱");
    assert_eq!(form["buyer_id"].len(), 16);
    assert!(form["buyer_id"].starts_with("2088"));
    assert_eq!(
        form["fund_bill_list"],
        r#"[{"amount":"88.00","fundChannel":"ALIPAYACCOUNT"}]"#
    );
    assert_eq!(fake.notification_for("20261130000008").as_ref(), Some(form));
}

#[tokio::test]
async fn the_notification_gives_up_when_the_schedule_runs_out() {
    let (shop, notify_url) = Shop::start(&["fail", "FAIL", " error "]).await;
    let fake = start().await;
    open(
        &fake,
        &signed(page_pay("20261130000009", "88.00", &notify_url)),
    )
    .await;
    fake.pay("20261130000009").expect("paid");
    assert_eq!(
        notification_settles(&fake, "20261130000009").await,
        NotifyState::GaveUp
    );
    assert_eq!(
        shop.received().len(),
        3,
        "the first attempt and two retries"
    );
}

#[tokio::test]
async fn duplicate_and_dropped_notifications_follow_the_switches() {
    let (shop, notify_url) = Shop::start(&[]).await;
    let fake = start().await;
    fake.set(Switches {
        duplicate_notifications: 2,
        ..Switches::default()
    });
    open(
        &fake,
        &signed(page_pay("20261130000010", "88.00", &notify_url)),
    )
    .await;
    fake.pay("20261130000010").expect("paid");
    assert_eq!(
        notification_settles(&fake, "20261130000010").await,
        NotifyState::Delivered
    );
    let attempts = fake.notify_attempts("20261130000010");
    let copies: Vec<bool> = attempts.iter().map(|a| a.duplicate).collect();
    assert_eq!(copies, [false, true, true]);
    let received = shop.received();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|(_, form)| *form == received[0].1));

    fake.set(Switches {
        drop_notifications: true,
        ..Switches::default()
    });
    open(
        &fake,
        &signed(page_pay("20261130000011", "88.00", &notify_url)),
    )
    .await;
    fake.pay("20261130000011").expect("paid");
    assert_eq!(
        fake.trade("20261130000011").map(|t| t.notify),
        Some(NotifyState::Dropped)
    );
    assert!(fake.notify_attempts("20261130000011").is_empty());
    assert!(fake.notification_for("20261130000011").is_some());
}

#[tokio::test]
async fn the_trade_query_answers_each_status_with_a_signed_response() {
    let fake = start().await;
    let (status, body) = query(&fake, &json!({"out_trade_no": "20261130000012"})).await;
    assert_eq!(status, StatusCode::OK);
    let response = verified_response(&body);
    assert_eq!(response["code"], "40004");
    assert_eq!(response["sub_code"], "ACQ.TRADE_NOT_EXIST");
    assert_eq!(response["out_trade_no"], "20261130000012");

    open(&fake, &signed(page_pay("20261130000012", "88.00", ""))).await;
    let response = verified_response(
        &query(&fake, &json!({"out_trade_no": "20261130000012"}))
            .await
            .1,
    );
    assert_eq!(response["code"], "10000");
    assert_eq!(response["msg"], "Success");
    assert_eq!(response["trade_status"], "WAIT_BUYER_PAY");
    assert_eq!(response["total_amount"], "88.00");
    assert!(response.get("send_pay_date").is_none());

    fake.pay("20261130000012").expect("paid");
    let trade_no = fake.trade("20261130000012").expect("a trade").trade_no;
    let response = verified_response(&query(&fake, &json!({"trade_no": trade_no})).await.1);
    assert_eq!(response["trade_status"], "TRADE_SUCCESS");
    assert_eq!(response["out_trade_no"], "20261130000012");
    assert_eq!(response["buyer_pay_amount"], "88.00");
    assert!(response["send_pay_date"].is_string());
    assert!(
        response["buyer_user_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("2088"))
    );
}

#[tokio::test]
async fn the_trade_query_refuses_a_bad_signature_and_follows_the_error_switches() {
    let fake = start().await;
    let mut p = signed(request(
        "alipay.trade.query",
        &json!({"out_trade_no": "20261130000013"}),
    ));
    p.insert(
        "biz_content".to_owned(),
        json!({"out_trade_no": "20261130000099"}).to_string(),
    );
    let response = verified_response(&query_with(&fake, p).await.1);
    assert_eq!(response["code"], "40002");
    assert_eq!(response["sub_code"], "isv.invalid-signature");

    fake.set(Switches {
        query_error: true,
        ..Switches::default()
    });
    let response = verified_response(&query(&fake, &json!({"out_trade_no": "1"})).await.1);
    assert_eq!(response["code"], "20000");
    assert_eq!(response["sub_code"], "aop.ACQ.SYSTEM_ERROR");

    let set: Switches = client()
        .post(format!("{}/_fake/switches", fake.url()))
        .json(&json!({"query_unavailable": true}))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    assert!(set.query_unavailable && !set.query_error);
    assert_eq!(fake.switches(), set);
    let (status, body) = query(&fake, &json!({"out_trade_no": "1"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.is_empty());
}

#[tokio::test]
async fn an_expired_trade_is_closed_and_cannot_be_paid() {
    let fake = start().await;
    let html = open(&fake, &signed(page_pay("20261130000014", "88.00", ""))).await;
    assert!(fake.expire("20261130000014"));

    let response = verified_response(
        &query(&fake, &json!({"out_trade_no": "20261130000014"}))
            .await
            .1,
    );
    assert_eq!(response["trade_status"], "TRADE_CLOSED");
    let refused = fake.pay("20261130000014").expect_err("a closed trade");
    assert!(refused.to_string().contains("TRADE_HAS_CLOSE"));

    let answer = client()
        .post(format!("{}/gateway.do/pay", fake.url()))
        .form(&[("token", token(&html))])
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(answer.status(), StatusCode::OK);
    let page = answer.text().await.expect("a page");
    assert_eq!(
        testid(&page, "alipay-error").as_deref(),
        Some("TRADE_HAS_CLOSE")
    );
    let html = open(&fake, &signed(page_pay("20261130000014", "88.00", ""))).await;
    assert_eq!(
        testid(&html, "alipay-error").as_deref(),
        Some("TRADE_HAS_CLOSE")
    );
    assert_eq!(
        fake.trade("20261130000014").map(|t| t.status),
        Some(TradeStatus::TradeClosed)
    );
}

#[tokio::test]
async fn closing_a_waiting_trade_stops_its_payment_and_other_trades_answer_alipays_errors() {
    let fake = start().await;
    // Never opened: Alipay knows no trade yet.
    let (status, body) = close(&fake, &json!({"out_trade_no": "20261130000016"})).await;
    assert_eq!(status, StatusCode::OK);
    let response = verified_close(&body);
    assert_eq!(response["code"], "40004");
    assert_eq!(response["sub_code"], "ACQ.TRADE_NOT_EXIST");

    // Opened and waiting: closed, and from then on nothing pays it.
    let html = open(&fake, &signed(page_pay("20261130000016", "88.00", ""))).await;
    let trade_no = fake.trade("20261130000016").expect("a trade").trade_no;
    let response = verified_close(
        &close(&fake, &json!({"out_trade_no": "20261130000016"}))
            .await
            .1,
    );
    assert_eq!(response["code"], "10000");
    assert_eq!(response["msg"], "Success");
    assert_eq!(response["out_trade_no"], "20261130000016");
    assert_eq!(response["trade_no"], trade_no.as_str());
    assert_eq!(
        fake.trade("20261130000016").map(|t| t.status),
        Some(TradeStatus::TradeClosed)
    );
    let refused = fake.pay("20261130000016").expect_err("a closed trade");
    assert!(refused.to_string().contains("TRADE_HAS_CLOSE"));
    let page = client()
        .post(format!("{}/gateway.do/pay", fake.url()))
        .form(&[("token", token(&html))])
        .send()
        .await
        .expect("the gateway answers")
        .text()
        .await
        .expect("a page");
    assert_eq!(
        testid(&page, "alipay-error").as_deref(),
        Some("TRADE_HAS_CLOSE")
    );
    let reopened = open(&fake, &signed(page_pay("20261130000016", "88.00", ""))).await;
    assert_eq!(
        testid(&reopened, "alipay-error").as_deref(),
        Some("TRADE_HAS_CLOSE")
    );
    let response = verified_response(
        &query(&fake, &json!({"out_trade_no": "20261130000016"}))
            .await
            .1,
    );
    assert_eq!(response["trade_status"], "TRADE_CLOSED");

    // Closed already, or paid: not waiting for payment.
    let response = verified_close(&close(&fake, &json!({"trade_no": trade_no})).await.1);
    assert_eq!(response["sub_code"], "ACQ.TRADE_STATUS_ERROR");
    open(&fake, &signed(page_pay("20261130000017", "88.00", ""))).await;
    fake.pay("20261130000017").expect("paid");
    let response = verified_close(
        &close(&fake, &json!({"out_trade_no": "20261130000017"}))
            .await
            .1,
    );
    assert_eq!(response["code"], "40004");
    assert_eq!(response["sub_code"], "ACQ.TRADE_STATUS_ERROR");
    assert_eq!(
        fake.trade("20261130000017").map(|t| t.status),
        Some(TradeStatus::TradeSuccess)
    );

    // A bad signature is refused; the switch makes the gateway unavailable.
    let mut p = signed(request(
        "alipay.trade.close",
        &json!({"out_trade_no": "20261130000018"}),
    ));
    p.insert(
        "biz_content".to_owned(),
        json!({"out_trade_no": "20261130000016"}).to_string(),
    );
    let response = verified_close(&query_with(&fake, p).await.1);
    assert_eq!(response["sub_code"], "isv.invalid-signature");
    fake.set(Switches {
        close_unavailable: true,
        ..Switches::default()
    });
    open(&fake, &signed(page_pay("20261130000019", "88.00", ""))).await;
    let (status, body) = close(&fake, &json!({"out_trade_no": "20261130000019"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.is_empty());
    assert_eq!(
        fake.trade("20261130000019").map(|t| t.status),
        Some(TradeStatus::WaitBuyerPay),
        "an unavailable gateway closes nothing"
    );

    // Every request was recorded, with its answer.
    let recorded: Vec<(Option<String>, u16, String)> = fake
        .close_requests()
        .into_iter()
        .map(|c| (c.out_trade_no, c.status, c.sub_code))
        .collect();
    let id = |s: &str| Some(s.to_owned());
    assert_eq!(
        recorded,
        vec![
            (id("20261130000016"), 200, "ACQ.TRADE_NOT_EXIST".to_owned()),
            (id("20261130000016"), 200, String::new()),
            (None, 200, "ACQ.TRADE_STATUS_ERROR".to_owned()),
            (
                id("20261130000017"),
                200,
                "ACQ.TRADE_STATUS_ERROR".to_owned()
            ),
            (
                id("20261130000016"),
                200,
                "isv.invalid-signature".to_owned()
            ),
            (id("20261130000019"), 503, String::new()),
        ]
    );
    assert!(fake.close_requests_for("20261130000016")[1].closed());
    let listed: Value = client()
        .get(format!("{}/_fake/closes", fake.url()))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(6));
}

#[tokio::test]
async fn a_failing_payment_leaves_the_trade_unpaid() {
    let fake = start().await;
    let html = open(&fake, &signed(page_pay("20261130000015", "88.00", ""))).await;
    fake.set(Switches {
        fail_payment: true,
        ..Switches::default()
    });
    let page = client()
        .post(format!("{}/gateway.do/pay", fake.url()))
        .form(&[("token", token(&html))])
        .send()
        .await
        .expect("the gateway answers")
        .text()
        .await
        .expect("a page");
    assert_eq!(
        testid(&page, "alipay-error").as_deref(),
        Some("SYSTEM_ERROR")
    );
    assert_eq!(
        fake.trade("20261130000015").map(|t| t.status),
        Some(TradeStatus::WaitBuyerPay)
    );

    fake.set(Switches::default());
    assert!(fake.pay("20261130000015").is_ok(), "paying again works");
    let trades: Value = client()
        .get(format!("{}/_fake/trades", fake.url()))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(trades[0]["status"], "TRADE_SUCCESS");
    assert_eq!(trades[0]["out_trade_no"], "20261130000015");
}

#[tokio::test]
async fn a_refund_is_made_once_per_request_number_and_a_full_refund_closes_the_trade() {
    let fake = start().await;
    let id = "20261130000020";
    paid_trade(&fake, id, "88.00").await;
    let trade_no = fake.trade(id).expect("a trade").trade_no;

    let first = json!({"out_trade_no": id, "refund_amount": "30.00", "out_request_no": "R1", "refund_reason": "缺货"});
    let answer = refund(&fake, &first).await;
    assert_eq!(answer["code"], "10000");
    assert_eq!(answer["fund_change"], "Y");
    assert_eq!(answer["refund_fee"], "30.00");
    assert_eq!(answer["send_back_fee"], "30.00");
    assert_eq!(answer["trade_no"], trade_no.as_str());
    assert!(answer["gmt_refund_pay"].is_string());

    // The same number again: the same refund, no money moves.
    let again = refund(&fake, &first).await;
    assert_eq!(again["code"], "10000");
    assert_eq!(again["fund_change"], "N");
    assert_eq!(again["refund_fee"], "30.00");
    assert_eq!(again["gmt_refund_pay"], answer["gmt_refund_pay"]);
    let other_amount = refund(
        &fake,
        &json!({"out_trade_no": id, "refund_amount": "10.00", "out_request_no": "R1"}),
    )
    .await;
    assert_eq!(other_amount["sub_code"], "ACQ.DISCORDANT_REPEAT_REQUEST");

    // No more than was paid; the rest closes the trade.
    let too_much = refund(
        &fake,
        &json!({"out_trade_no": id, "refund_amount": "60.00", "out_request_no": "R2"}),
    )
    .await;
    assert_eq!(too_much["code"], "40004");
    assert_eq!(too_much["sub_code"], "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    let rest = refund(
        &fake,
        &json!({"trade_no": trade_no, "refund_amount": 58, "out_request_no": "R2"}),
    )
    .await;
    assert_eq!(rest["fund_change"], "Y");
    assert_eq!(rest["refund_fee"], "88.00", "everything refunded so far");
    assert_eq!(
        verified_response(&query(&fake, &json!({"out_trade_no": id})).await.1)["trade_status"],
        "TRADE_CLOSED"
    );
    let closed = refund(
        &fake,
        &json!({"out_trade_no": id, "refund_amount": "0.01", "out_request_no": "R3"}),
    )
    .await;
    assert_eq!(closed["sub_code"], "ACQ.TRADE_STATUS_ERROR");
    let repeat_after_close = refund(&fake, &first).await;
    assert_eq!(
        repeat_after_close["fund_change"], "N",
        "a repeat still succeeds"
    );

    // What really moved.
    assert_eq!(fake.refunded_fen(id), 8_800);
    let refunds = fake.refunds(id);
    let made: Vec<(&str, u64, u32)> = refunds
        .iter()
        .map(|r| (r.out_request_no.as_str(), r.refund_fen, r.repeats))
        .collect();
    assert_eq!(made, vec![("R1", 3_000, 2), ("R2", 5_800, 0)]);
    assert_eq!(refunds[0].refund_reason, "缺货");
    let trades: Value = client()
        .get(format!("{}/_fake/trades", fake.url()))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(trades[0]["refund_count"], 2);
    assert_eq!(trades[0]["refunded_fen"], 8_800);
    assert_eq!(trades[0]["refunds"][1]["refund_amount"], "58.00");
    // One refund request named the trade by `trade_no`: every request, not those naming `id`.
    let calls = fake.refund_calls();
    let moved = calls.iter().filter(|c| c.moved_money()).count();
    assert_eq!(moved, 2, "of {} requests", calls.len());
    assert_eq!(fake.refund_calls_for(id).len(), calls.len() - 1);

    // The refund query answers from the same records.
    let found = refund_query(
        &fake,
        &json!({"out_trade_no": id, "out_request_no": "R2", "query_options": ["gmt_refund_pay"]}),
    )
    .await;
    assert_eq!(found["code"], "10000");
    assert_eq!(found["refund_status"], "REFUND_SUCCESS");
    assert_eq!(found["refund_amount"], "58.00");
    assert_eq!(found["total_amount"], "88.00");
    assert_eq!(found["out_request_no"], "R2");
    assert_eq!(found["trade_no"], trade_no.as_str());
    assert_eq!(found["gmt_refund_pay"], rest["gmt_refund_pay"]);
    let without_time = refund_query(
        &fake,
        &json!({"trade_no": trade_no, "out_request_no": "R1"}),
    )
    .await;
    assert_eq!(without_time["refund_amount"], "30.00");
    assert_eq!(without_time["refund_reason"], "缺货");
    assert!(
        without_time.get("gmt_refund_pay").is_none(),
        "only when asked for"
    );
    let never = refund_query(&fake, &json!({"out_trade_no": id, "out_request_no": "R3"})).await;
    assert_eq!(never["code"], "10000");
    assert!(never.get("refund_status").is_none());
    assert!(never.get("refund_amount").is_none());
}

#[tokio::test]
async fn refunds_of_unknown_unpaid_or_partial_trades_answer_alipays_errors() {
    let fake = start().await;
    let unknown =
        json!({"out_trade_no": "20261130000021", "refund_amount": "1.00", "out_request_no": "R1"});
    assert_eq!(
        refund(&fake, &unknown).await["sub_code"],
        "ACQ.TRADE_NOT_EXIST"
    );
    assert_eq!(
        refund_query(
            &fake,
            &json!({"out_trade_no": "20261130000021", "out_request_no": "R1"})
        )
        .await["sub_code"],
        "ACQ.TRADE_NOT_EXIST"
    );

    open(&fake, &signed(page_pay("20261130000021", "88.00", ""))).await;
    assert_eq!(
        refund(&fake, &unknown).await["sub_code"],
        "ACQ.TRADE_STATUS_ERROR",
        "not paid yet"
    );

    // Without out_request_no only the whole amount is refunded, under the order's number.
    paid_trade(&fake, "20261130000022", "88.00").await;
    let partial = refund(
        &fake,
        &json!({"out_trade_no": "20261130000022", "refund_amount": "10.00"}),
    )
    .await;
    assert_eq!(partial["sub_code"], "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    let whole = refund(
        &fake,
        &json!({"out_trade_no": "20261130000022", "refund_amount": "88.00"}),
    )
    .await;
    assert_eq!(whole["fund_change"], "Y");
    assert_eq!(
        fake.refunds("20261130000022")[0].out_request_no,
        "20261130000022"
    );

    for (biz, why) in [
        (
            json!({"out_trade_no": "20261130000022", "out_request_no": "R1"}),
            "no amount",
        ),
        (
            json!({"out_trade_no": "20261130000022", "refund_amount": "1.001", "out_request_no": "R1"}),
            "three decimals",
        ),
        (
            json!({"refund_amount": "1.00", "out_request_no": "R1"}),
            "no trade named",
        ),
    ] {
        assert_eq!(
            refund(&fake, &biz).await["sub_code"],
            "ACQ.INVALID_PARAMETER",
            "{why}"
        );
    }

    // A request the gateway cannot verify refunds nothing.
    paid_trade(&fake, "20261130000023", "88.00").await;
    let mut p = signed(request(
        "alipay.trade.refund",
        &json!({"out_trade_no": "20261130000023", "refund_amount": "1.00", "out_request_no": "R1"}),
    ));
    p.insert(
        "biz_content".to_owned(),
        json!({"out_trade_no": "20261130000023", "refund_amount": "88.00", "out_request_no": "R1"})
            .to_string(),
    );
    let forged = verified_answer(
        &query_with(&fake, p).await.1,
        "alipay_trade_refund_response",
    );
    assert_eq!(forged["sub_code"], "isv.invalid-signature");
    assert_eq!(fake.refunded_fen("20261130000023"), 0);
}

#[tokio::test]
async fn refund_faults_follow_the_switches_and_count_down() {
    let fake = start().await;
    let id = "20261130000024";
    paid_trade(&fake, id, "88.00").await;
    let biz = json!({"out_trade_no": id, "refund_amount": "88.00", "out_request_no": "R1"});

    fake.set(Switches {
        refund_error_next: 1,
        refund_refused_next: 1,
        refund_refused_sub_code: "ACQ.SELLER_BALANCE_NOT_ENOUGH".to_owned(),
        ..Switches::default()
    });
    let error = refund(&fake, &biz).await;
    assert_eq!(error["code"], "20000");
    assert_eq!(error["sub_code"], "aop.ACQ.SYSTEM_ERROR");
    let refused = refund(&fake, &biz).await;
    assert_eq!(refused["code"], "40004");
    assert_eq!(refused["sub_code"], "ACQ.SELLER_BALANCE_NOT_ENOUGH");
    assert_eq!(fake.refunded_fen(id), 0, "neither fault refunds");
    let counted = fake.switches();
    assert_eq!(
        (counted.refund_error_next, counted.refund_refused_next),
        (0, 0)
    );

    // The lost answer: the money moves, the shop's client gives up waiting.
    let set: Switches = client()
        .post(format!("{}/_fake/switches", fake.url()))
        .json(&json!({"refund_lost_next": 1}))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(set.refund_lost_next, 1);
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("an HTTP client");
    let lost = impatient
        .post(fake.gateway_url())
        .form(&signed(request("alipay.trade.refund", &biz)))
        .send()
        .await
        .expect_err("no answer in time");
    assert!(lost.is_timeout(), "{lost}");
    assert_eq!(fake.refunded_fen(id), 8_800, "the refund was made");
    assert_eq!(fake.switches().refund_lost_next, 0);
    let found = refund_query(&fake, &json!({"out_trade_no": id, "out_request_no": "R1"})).await;
    assert_eq!(found["refund_status"], "REFUND_SUCCESS");
    let retried = refund(&fake, &biz).await;
    assert_eq!(retried["fund_change"], "N", "the retry moves nothing");
    assert_eq!(fake.refunds(id).len(), 1);

    let calls: Value = client()
        .get(format!("{}/_fake/refund_calls", fake.url()))
        .send()
        .await
        .expect("the fake answers")
        .json()
        .await
        .expect("JSON");
    let summary: Vec<(Value, Value, Value)> = calls
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["code"].clone(),
                c["fund_change"].clone(),
                c["fault"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!("20000"), json!(""), json!("system_error")),
            (json!("40004"), json!(""), json!("refused")),
            (json!("10000"), json!("Y"), json!("lost_answer")),
            (json!("10000"), json!("N"), Value::Null),
        ]
    );
}
