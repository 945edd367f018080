//! Download progress for humans: a bar when stderr is a terminal (standalone use). Otherwise
//! (under mise, whose hooks have no terminal and whose stderr is shown only when the hook
//! fails) phases are logged at info level, so a failure's first line is its cause.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports `install` progress on stderr.
pub struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    /// A bar if stderr is a terminal, plain phase lines otherwise.
    pub fn for_stderr(asset: &str) -> Reporter {
        if !std::io::stderr().is_terminal() {
            return Reporter { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(asset.to_owned());
        Reporter { bar: Some(bar) }
    }
}

impl install::Progress for Reporter {
    fn start(&self, total: Option<u64>) {
        if let (Some(bar), Some(total)) = (&self.bar, total) {
            bar.set_length(total);
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn phase(&self, msg: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(msg.to_owned()),
            None => tracing::info!("{msg}"),
        }
    }
}
