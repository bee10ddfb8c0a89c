//! Tanium Status and the TanOS users overview.

use ratatui::text::{Line, Span};

use super::{Body, field, loading, long_field};
use crate::appliance::Role;
use crate::appliance::status::{CertState, Snapshot};
use crate::date::date;
use crate::model::Model;
use crate::say;
use crate::sshkeys::UserKeys;
use crate::ui::theme;

pub fn body(m: &Model) -> Body {
    let Some(s) = &m.snapshot else {
        return loading(m);
    };
    let (width, g, v) = (m.size.0, m.glyphs(), m.voice());
    let mut lines = vec![Line::from("")];
    let hostname = say!(v; "status.field.hostname");
    lines.extend(long_field(&hostname, &s.config.hostname, width, g));
    lines.push(field(&say!(v; "status.field.role"), s.config.role_label()));
    lines.push(field(
        &say!(v; "status.field.platform"),
        s.config.platform.to_string(),
    ));
    let root = say!(v; "status.field.appliance_root");
    lines.extend(long_field(&root, &m.root, width, g));
    lines.push(Line::from(""));
    lines.push(field(
        &say!(v; "status.field.tls_certificate"),
        s.cert_path.clone(),
    ));
    certificate(m, s, &mut lines);
    lines.push(field("ReportingTLSMode", tls_mode(m, s)));
    root_key(m, s, &mut lines);
    lines.push(field(
        &say!(v; "status.field.sftp_host_key"),
        s.sftp_host_key
            .clone()
            .unwrap_or_else(|| say!(v; "status.no_sftp_host_key")),
    ));
    if let Some(rotation) = &s.tls_rotation {
        lines.push(field(
            &say!(v; "status.field.next_rotation"),
            crate::model::outcome::rotation_status(rotation),
        ));
    }
    if let Some(count) = s.issued_expiring {
        lines.push(field(
            &say!(v; "status.field.issued_certificates"),
            crate::model::outcome::expiring_status(
                count,
                &m.key_path(crate::model::Step::IssuedList),
            ),
        ));
    }
    warnings(m, s, &mut lines);
    Body::plain(lines)
}

/// The root key's fingerprint: the Tanium Server's own, or the one a Zone Server trusts.
fn root_key(m: &Model, s: &Snapshot, lines: &mut Vec<Line<'static>>) {
    let v = m.voice();
    let label = match s.config.role {
        Role::TaniumServer => say!(v; "status.field.root_key"),
        Role::ZoneServer => say!(v; "status.field.trusted_root"),
    };
    let root = match &s.root_fingerprint {
        None => say!(v; "status.no_root"),
        Some(Ok(fp)) => fp.clone(),
        Some(Err(e)) => say!(v; "status.unreadable", error = e),
    };
    lines.push(field(&label, root));
}

/// The certificate's state, and when it is installed its subject, issuer and end.
fn certificate(m: &Model, s: &Snapshot, lines: &mut Vec<Line<'static>>) {
    let v = m.voice();
    let state = format!("  {}", say!(v; "status.field.state"));
    let summary = match &s.cert {
        CertState::None => return lines.push(field(&state, say!(v; "status.none_installed"))),
        CertState::Unreadable(e) => {
            let text = say!(v; "status.unreadable", error = e);
            return lines.push(Line::styled(format!("  {text}"), theme::ERROR));
        }
        CertState::Installed { summary, .. } => {
            lines.push(field(&state, s.cert.short_in(v)));
            summary
        }
        CertState::KeyMismatch { summary, reason } | CertState::Untrusted { summary, reason } => {
            lines.push(Line::from(vec![
                Span::styled(format!("  {state:<28}"), theme::LABEL),
                Span::styled(s.cert.short_in(v), theme::ERROR),
            ]));
            let width = usize::from(m.size.0).saturating_sub(32).max(30);
            for part in super::wrapped(m, reason, width) {
                lines.push(Line::styled(format!("{:30}{part}", ""), theme::ERROR));
            }
            summary
        }
    };
    let (width, g) = (m.size.0, m.glyphs());
    let subject = format!("  {}", say!(v; "status.field.subject"));
    lines.extend(long_field(&subject, &summary.subject, width, g));
    let issuer = format!("  {}", say!(v; "status.field.issuer"));
    lines.extend(long_field(&issuer, &summary.issuer, width, g));
    lines.push(field(
        &format!("  {}", say!(v; "status.field.expires")),
        format!("{} UTC", date(summary.not_after)),
    ));
}

/// ReportingTLSMode as the catalogue describes its value.
fn tls_mode(m: &Model, s: &Snapshot) -> String {
    let component = crate::appliance::catalogue::Component::primary(s.config.role);
    match (
        &s.tls_mode,
        crate::appliance::catalogue::lookup(&s.config, component, "ReportingTLSMode"),
    ) {
        (Some(v), Ok(def)) => crate::appliance::catalogue::describe_in(m.voice(), def, v),
        (Some(v), Err(_)) => v.to_string(),
        (None, _) => say!(m.voice(); "status.not_set"),
    }
}

/// An audit log that could not be written, events not forwarded, settings that could not be
/// read.
fn warnings(m: &Model, s: &Snapshot, lines: &mut Vec<Line<'static>>) {
    if let Some(older) = &s.older_root {
        lines.push(Line::from(""));
        let width = usize::from(m.size.0).saturating_sub(4).max(40);
        let renew = [
            crate::model::Step::GenerateCsr,
            crate::model::Step::PushCsr,
            crate::model::Step::PullCert,
        ]
        .map(|step| m.key_path(step));
        let text = crate::model::outcome::older_root_text(older, &renew);
        for part in m.glyphs().wrap(&text, width) {
            lines.push(Line::styled(format!("  {part}"), theme::ERROR));
        }
    }
    let width = usize::from(m.size.0).saturating_sub(4).max(40);
    let failures = [
        s.audit_failure
            .as_deref()
            .map(crate::model::audit_failure_text),
        s.forward_failure
            .as_deref()
            .map(crate::model::forward_failure_text),
    ];
    for text in failures.iter().flatten() {
        lines.push(Line::from(""));
        for part in super::wrapped(m, text, width) {
            lines.push(Line::styled(format!("  {part}"), theme::ERROR));
        }
    }
    if let Err(e) = &s.settings {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("  {e}"), theme::ERROR));
    }
}

pub fn users(m: &Model) -> Body {
    let Some(s) = &m.snapshot else {
        return loading(m);
    };
    let v = m.voice();
    let mut lines = vec![
        Line::from(""),
        Line::styled(
            format!(
                "  {:<4}{:<12}{:<14}{}",
                "",
                say!(v; "screens.users.user"),
                say!(v; "screens.users.key_pair"),
                say!(v; "screens.users.authorized_keys")
            ),
            theme::LABEL,
        ),
    ];
    for (i, u) in s.users.iter().enumerate() {
        let (key, authorized) = user_labels(m, u);
        lines.push(Line::from(format!(
            "  {:<4}{:<12}{:<14}{}",
            i + 1,
            u.user,
            key,
            authorized
        )));
        if let Some((_, fp)) = &u.key {
            lines.push(Line::styled(format!("      {fp}"), theme::DIM));
        }
    }
    Body::plain(lines)
}

/// A user's key pair ("ssh-ed25519" or none) and how many keys it authorizes (or why they
/// could not be read), in the operator's language.
pub(super) fn user_labels(m: &Model, u: &UserKeys) -> (String, String) {
    let v = m.voice();
    let key = u
        .key
        .as_ref()
        .map_or_else(|| say!(v; "screens.users.no_key"), |(algo, _)| algo.clone());
    let authorized = match &u.authorized {
        Ok(n) => n.to_string(),
        Err(e) => say!(v; "status.unreadable", error = e),
    };
    (key, authorized)
}
