//! `dadashop`: parses the command line and hands over to the library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match dadashop_server::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dadashop: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
