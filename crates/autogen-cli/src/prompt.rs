//! Asking the person at the terminal before something they may not want (a downgrade that
//! drops data, a revision that drops a column that looks renamed). Outside a terminal (CI,
//! scripts) nobody can answer, and the caller decides without asking.

use crate::error::CliError;
use std::io::{IsTerminal, Write};

/// Whether someone can answer: stdin is a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks `question [y/N]` on stderr; true for `y` or `yes`.
pub async fn confirm(question: &str) -> Result<bool, CliError> {
    let question = format!("{question} [y/N] ");
    // A blocking read on the runtime's thread would keep Ctrl-C from being handled.
    let answer = tokio::task::spawn_blocking(move || {
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).map(|_| answer)
    })
    .await
    .map_err(|error| CliError::Prompt(std::io::Error::other(error)))?
    .map_err(CliError::Prompt)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
