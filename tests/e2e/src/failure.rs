/// Why a scenario failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("setting up the app failed: {0}")]
    Setup(String),
    #[error("WebDriver {action} failed: {detail}")]
    WebDriver { action: String, detail: String },
    #[error("assertion failed: {0}")]
    Assertion(String),
    #[error("the scenario panicked: {0}")]
    Panicked(String),
}

pub type Outcome<T = ()> = Result<T, Failure>;

pub(crate) fn setup(detail: impl std::fmt::Display) -> Failure {
    Failure::Setup(detail.to_string())
}
