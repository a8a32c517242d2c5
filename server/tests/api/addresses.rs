//! The address book: CRUD, the default rule, soft delete, ownership.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, address_body};
use crate::on_both_backends;

on_both_backends!(
    the_first_address_becomes_the_default_and_the_list_shows_it,
    an_address_can_be_edited_made_default_and_deleted,
    deleting_the_default_promotes_the_oldest_remaining_address,
    another_users_addresses_are_out_of_reach,
    two_first_addresses_at_once_leave_exactly_one_default,
);

fn ids(list: &[Value]) -> Vec<i64> {
    list.iter().map(|a| a["id"].as_i64().expect("id")).collect()
}

fn default_id(list: &[Value]) -> Option<i64> {
    let defaults: Vec<_> = list.iter().filter(|a| a["is_default"] == true).collect();
    assert!(defaults.len() <= 1, "more than one default: {list:?}");
    defaults.first().and_then(|a| a["id"].as_i64())
}

async fn the_first_address_becomes_the_default_and_the_list_shows_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    let (status, body) = app.get("/v1/users/tom/address", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["addresslist"], json!([]));
    let list = app.add_address("tom", &token, "张三").await;
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert_eq!(a["receiver"], "张三");
    assert_eq!(a["receiver_mobile"], "13912345678");
    assert_eq!(a["address"], "北京市海淀区中关村大街1号");
    assert_eq!(a["postcode"], "100080");
    assert_eq!(a["tag"], "家");
    assert_eq!(a["is_default"], true);
    let list = app.add_address("tom", &token, "李四").await;
    assert_eq!(list.len(), 2);
    assert_eq!(
        default_id(&list),
        Some(ids(&list)[0]),
        "the first stays the default"
    );
    let (_, body) = app.get("/v1/users/tom/address", Some(&token)).await;
    assert_eq!(body["addresslist"].as_array().map(Vec::len), Some(2));
}

async fn an_address_can_be_edited_made_default_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    app.add_address("tom", &token, "张三").await;
    let list = app.add_address("tom", &token, "李四").await;
    let second = ids(&list)[1];

    let edit = json!({"receiver": "李四四", "address": "上海市浦东新区2号", "receiver_mobile": "13712345678", "tag": "公司", "id": second});
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/v1/users/tom/address/{second}"),
            Some(edit),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let edited = body["addresslist"]
        .as_array()
        .expect("list")
        .iter()
        .find(|a| a["id"] == second)
        .cloned()
        .expect("present");
    assert_eq!(
        (edited["receiver"].as_str(), edited["tag"].as_str()),
        (Some("李四四"), Some("公司"))
    );
    assert_eq!(
        edited["postcode"], "100080",
        "an edit without postcode keeps it"
    );
    let edit = json!({"receiver": "李四四", "address": "上海市浦东新区2号", "receiver_mobile": "13712345678", "tag": "公司", "postcode": "200120"});
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/v1/users/tom/address/{second}"),
            Some(edit),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = body["addresslist"].as_array().expect("list");
    let edited = list.iter().find(|a| a["id"] == second).expect("present");
    assert_eq!(
        edited["postcode"], "200120",
        "an edit with a postcode changes it"
    );

    let (status, body) = app
        .post(
            "/v1/users/tom/address/default",
            json!({"id": second.to_string()}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = body["addresslist"].as_array().expect("list").clone();
    assert_eq!(default_id(&list), Some(second));
    assert_eq!(ids(&list)[0], second, "the default comes first");

    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/v1/users/tom/address/{second}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!ids(body["addresslist"].as_array().expect("list")).contains(&second));
    let deleted: i64 = sqlx::query_scalar("SELECT is_deleted FROM addresses WHERE id = ?")
        .bind(second)
        .fetch_one(&app.state.db)
        .await
        .expect("row kept");
    assert_eq!(deleted, 1, "delete is soft");
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("/v1/users/tom/address/{second}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(10122)),
        "a deleted address is gone"
    );
}

async fn deleting_the_default_promotes_the_oldest_remaining_address(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    app.add_address("tom", &token, "一").await;
    app.add_address("tom", &token, "二").await;
    let list = app.add_address("tom", &token, "三").await;
    let all = ids(&list);
    let (_, body) = app
        .call(
            Method::DELETE,
            &format!("/v1/users/tom/address/{}", all[0]),
            None,
            Some(&token),
        )
        .await;
    let list = body["addresslist"].as_array().expect("list").clone();
    assert_eq!(default_id(&list), Some(all[1]));
}

async fn another_users_addresses_are_out_of_reach(b: Backend) {
    let app = TestApp::spawn(b).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bobs = ids(&app.add_address("bob", &bob, "鲍勃").await)[0];

    let (status, _) = app.get("/v1/users/bob/address", Some(&alice)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "alice cannot list bob's book"
    );
    let (status, _) = app
        .post("/v1/users/bob/address", address_body("x"), Some(&alice))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "alice cannot add to bob's book"
    );

    let edit = json!({"receiver": "黑客", "address": "某地", "receiver_mobile": "13712345678", "tag": "x"});
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/v1/users/alice/address/{bobs}"),
            Some(edit),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(10122))
    );
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/v1/users/alice/address/{bobs}"),
            None,
            Some(&alice),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            "/v1/users/alice/address/default",
            json!({"id": bobs}),
            Some(&alice),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, body) = app.get("/v1/users/bob/address", Some(&bob)).await;
    let list = body["addresslist"].as_array().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["receiver"], "鲍勃", "bob's address is unchanged");
    assert_eq!(list[0]["is_default"], true);
}

async fn two_first_addresses_at_once_leave_exactly_one_default(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    let path = "/v1/users/tom/address";
    let (x, y) = tokio::join!(
        app.post(path, address_body("甲"), Some(&token)),
        app.post(path, address_body("乙"), Some(&token))
    );
    assert_eq!(
        (x.0, y.0),
        (StatusCode::OK, StatusCode::OK),
        "{} / {}",
        x.1,
        y.1
    );
    let (_, body) = app.get(path, Some(&token)).await;
    let list = body["addresslist"].as_array().expect("list").clone();
    assert_eq!(list.len(), 2);
    assert!(default_id(&list).is_some(), "one of them is the default");
}
