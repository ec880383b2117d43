//! A journey as the issue counts it: from the home screen (the Overview),
//! each interaction is a click, a key chord or one field filled. The
//! scenario makes the journey's interactions through a [`Journey`], which
//! counts them, and asserts the count; what it does around them (waiting,
//! reading the screen, Stripe's side) is not counted.

use crate::failure::{Failure, Outcome};
use crate::webdriver::Session;

#[derive(Debug)]
pub struct Journey<'a> {
    ui: &'a Session,
    name: String,
    steps: Vec<String>,
}

impl<'a> Journey<'a> {
    /// Goes to the home screen first (not counted): the journey starts there.
    pub fn from_home(ui: &'a Session, name: &str) -> Outcome<Self> {
        ui.click(&ui.find("a[data-section='overview']")?)?;
        ui.wait_until("document.querySelector('#section-title')?.textContent === 'Overview'")?;
        Ok(Self {
            ui,
            name: name.to_owned(),
            steps: Vec::new(),
        })
    }

    /// One click on the first element matching `css`.
    pub fn click(&mut self, css: &str) -> Outcome<()> {
        self.ui.click(&self.ui.find(css)?)?;
        self.steps.push(format!("click {css}"));
        Ok(())
    }

    /// One field filled.
    pub fn fill(&mut self, css: &str, text: &str) -> Outcome<()> {
        self.ui.type_into(css, text)?;
        self.steps.push(format!("fill {css} with {text:?}"));
        Ok(())
    }

    /// One key chord in the window.
    pub fn chord(&mut self, key: &str, ctrl: bool) -> Outcome<()> {
        self.ui.press(key, ctrl)?;
        let chord = if ctrl {
            format!("Ctrl+{key}")
        } else {
            key.to_owned()
        };
        self.steps.push(format!("press {chord}"));
        Ok(())
    }

    /// The interactions so far.
    pub fn count(&self) -> usize {
        self.steps.len()
    }

    /// Fails unless the journey took at most `most` interactions; returns
    /// how many it took.
    pub fn took_at_most(&self, most: usize) -> Outcome<usize> {
        if self.steps.len() > most {
            return Err(Failure::Assertion(format!(
                "{}: {} interactions from the home screen, at most {most} wanted: {:#?}",
                self.name,
                self.steps.len(),
                self.steps
            )));
        }
        eprintln!(
            "{}: {} interactions from the home screen",
            self.name,
            self.steps.len()
        );
        Ok(self.steps.len())
    }
}
