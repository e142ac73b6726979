//! Terminal styles: one color decision, made by the command layer, carried as plain data.

use owo_colors::Style;

/// The styles renderers use; [`Styles::plain`] (the default) adds no escape codes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Styles {
    /// Step numbers and other secondary text.
    pub dim: Style,
    /// Actor names.
    pub actor: Style,
    /// HTTP methods.
    pub method: Style,
    /// 2xx and 3xx statuses, and passing verdicts.
    pub ok: Style,
    /// 4xx and 5xx statuses, breaking findings, failing verdicts.
    pub error: Style,
    /// Warnings.
    pub warning: Style,
    /// Informational findings.
    pub info: Style,
    /// Headings and emphasis.
    pub bold: Style,
}

impl Styles {
    /// No color at all.
    pub fn plain() -> Styles {
        Styles::default()
    }

    /// The terminal palette.
    pub fn colored() -> Styles {
        Styles {
            dim: Style::new().dimmed(),
            actor: Style::new().cyan(),
            method: Style::new().bold(),
            ok: Style::new().green(),
            error: Style::new().red().bold(),
            warning: Style::new().yellow(),
            info: Style::new().blue(),
            bold: Style::new().bold(),
        }
    }

    /// The style for an HTTP status code.
    pub fn status(&self, status: Option<u16>) -> Style {
        match status {
            Some(code) if code < 400 => self.ok,
            Some(_) => self.error,
            None => self.warning,
        }
    }
}
