//! The OpenAPI document.

use reqwest::StatusCode;

use crate::common::{Backend, TestApp};

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint_with_its_methods() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, doc) = app.get("/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let expected = [
        ("/v1/users", "post"),
        ("/v1/users/{username}", "get"),
        ("/v1/users/{username}/password", "post"),
        ("/v1/tokens", "post"),
        ("/v1/tokens", "delete"),
        ("/v1/users/{username}/address", "get"),
        ("/v1/users/{username}/address", "post"),
        ("/v1/users/{username}/address/{id}", "put"),
        ("/v1/users/{username}/address/{id}", "delete"),
        ("/v1/users/{username}/address/default", "post"),
        ("/v1/goods/index", "get"),
    ];
    for (path, method) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["schemas"]["TokenResponse"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["in"],
        "header"
    );
}

/// The committed `docs/openapi.json` and the reference in `docs/api.md` are what the code
/// produces. Run with `UPDATE_DOCS=1` to rewrite them after an API change.
#[test]
fn the_committed_api_documents_match_the_code() {
    use dadashop_server::openapi::{ApiDoc, MARKDOWN_BEGIN, MARKDOWN_END, markdown};
    use utoipa::OpenApi;

    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let update = std::env::var_os("UPDATE_DOCS").is_some();

    let json_path = docs.join("openapi.json");
    let json = ApiDoc::openapi().to_pretty_json().expect("serialise") + "\n";
    let page_path = docs.join("api.md");
    let page = std::fs::read_to_string(&page_path).expect("docs/api.md");
    let (head, rest) = page
        .split_once(MARKDOWN_BEGIN)
        .expect("begin marker in docs/api.md");
    let (_, tail) = rest
        .split_once(MARKDOWN_END)
        .expect("end marker in docs/api.md");
    let expected_page = format!(
        "{head}{MARKDOWN_BEGIN}\n\n{}{MARKDOWN_END}{tail}",
        markdown()
    );

    if update {
        std::fs::write(&json_path, &json).expect("write docs/openapi.json");
        std::fs::write(&page_path, &expected_page).expect("write docs/api.md");
        return;
    }
    let committed = std::fs::read_to_string(&json_path).unwrap_or_default();
    assert!(
        committed == json,
        "docs/openapi.json is stale: run `UPDATE_DOCS=1 cargo test -p dadashop-server --test api the_committed_api_documents`"
    );
    assert!(
        page == expected_page,
        "docs/api.md's endpoint reference is stale: run `UPDATE_DOCS=1 cargo test -p dadashop-server --test api the_committed_api_documents`"
    );
}
