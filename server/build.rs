//! Decides whether the `::mariadb` variants of the API tests run or are reported as ignored
//! (skipped) by `cargo test`: they run when `TEST_MYSQL_URL` is set, and under `CI=true`,
//! where a missing `TEST_MYSQL_URL` then fails them instead of skipping them silently.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(mariadb_tests)");
    println!("cargo::rerun-if-env-changed=TEST_MYSQL_URL");
    println!("cargo::rerun-if-env-changed=CI");
    let url = std::env::var("TEST_MYSQL_URL").unwrap_or_default();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !url.is_empty() || ci {
        println!("cargo::rustc-cfg=mariadb_tests");
    }
}
