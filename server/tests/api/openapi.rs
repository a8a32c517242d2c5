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
