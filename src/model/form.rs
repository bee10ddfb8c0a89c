//! Prompts asked one after the other, each with a default Enter accepts. A field carries its
//! own check; the feature that opens a form builds it and takes what was entered.

use super::{Model, Screen, TransferOp};
use crate::pki::csr::CheckedCsr;

#[derive(Debug, Clone, PartialEq)]
pub enum FormFor {
    Csr,
    Issue(Box<IssueTarget>),
    Peer(TransferOp),
    /// The host and port of a TLS probe.
    TlsPeer,
}

/// The request a certificate is issued for, and the longest validity the root allows now.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueTarget {
    pub csr: CheckedCsr,
    pub max_days: i64,
    pub source: crate::appliance::issuance::Source,
}

/// A field's check: the form as answered so far (earlier fields, its purpose), and the
/// answer typed. Its refusal is said in the thread's voice (`update` sets the console's).
pub type CheckFn = fn(&Form, &str) -> Result<(), String>;

/// A field's check, compared by the function it names.
#[derive(Clone, Copy)]
pub struct Check(pub CheckFn);

impl PartialEq for Check {
    fn eq(&self, other: &Check) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl Eq for Check {}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Check")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub help: String,
    pub default: String,
    /// Chosen by line number when not empty.
    pub choices: Vec<String>,
    pub value: Option<String>,
    /// The longest answer accepted at the prompt (a private key typed on by mistake, or the
    /// tail of a paste, never fills the screen or a message).
    pub max_len: usize,
    pub check: Check,
}

impl Field {
    pub fn text(label: String, help: &str, default: &str, max_len: usize, check: CheckFn) -> Field {
        Field {
            label,
            help: help.to_string(),
            default: default.to_string(),
            choices: Vec::new(),
            value: None,
            max_len,
            check: Check(check),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    /// Lines shown above the questions (what the form is about).
    pub intro: Vec<String>,
    pub purpose: FormFor,
    pub fields: Vec<Field>,
    pub step: usize,
    /// Highlighted choice of a choice field.
    pub cursor: usize,
    pub error: Option<String>,
}

impl Form {
    pub fn new(title: String, intro: Vec<String>, purpose: FormFor, fields: Vec<Field>) -> Form {
        Form {
            title,
            intro,
            purpose,
            fields,
            step: 0,
            cursor: 0,
            error: None,
        }
    }

    pub fn field(&self) -> &Field {
        &self.fields[self.step.min(self.fields.len() - 1)]
    }
}

/// Enter on a question: the next one, or, after the last, what the form is for and every
/// answer given (each already checked), for `update` to hand to the feature.
pub(super) fn submit(m: &mut Model, mut form: Form, text: &str) -> Option<(FormFor, Vec<String>)> {
    let field = form.field().clone();
    let raw = match (text, field.choices.is_empty()) {
        ("", true) => field.default.clone(),
        ("", false) => (form.cursor + 1).to_string(),
        (typed, _) => typed.to_string(),
    };
    if let Err(e) = (field.check.0)(&form, &raw) {
        form.error = Some(e);
        *m.screen_mut() = Screen::Form(form);
        return None;
    }
    form.error = None;
    form.fields[form.step].value = Some(raw);
    form.step += 1;
    form.cursor = 0;
    if form.step < form.fields.len() {
        *m.screen_mut() = Screen::Form(form);
        return None;
    }
    let values = form
        .fields
        .iter()
        .map(|f| f.value.clone().unwrap_or_default())
        .collect();
    Some((form.purpose, values))
}

/// Esc: the previous question, or out of the form from the first one.
pub(super) fn step_back(m: &mut Model) {
    let Screen::Form(form) = m.screen_mut() else {
        return;
    };
    if form.step == 0 {
        m.back();
        m.info(crate::say!(m.voice(); "model.cancelled_nothing_changed"));
        return;
    }
    form.step -= 1;
    form.error = None;
    m.input.clear();
}
