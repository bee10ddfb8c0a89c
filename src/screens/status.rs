//! Tanium Status and the TanOS users overview.

use ratatui::text::Line;

use super::{Body, field, long_field};
use crate::appliance::Role;
use crate::appliance::status::{CertState, Snapshot};
use crate::date::date;
use crate::model::Model;
use crate::ui::theme;

pub fn body(m: &Model) -> Body {
    let Some(s) = &m.snapshot else {
        return Body::plain(vec![Line::from("  Loading…")]);
    };
    let (width, g) = (m.size.0, m.glyphs());
    let mut lines = vec![Line::from("")];
    lines.extend(long_field("Hostname", &s.config.hostname, width, g));
    lines.push(field("Role", s.config.role_label()));
    lines.push(field("Platform version", s.config.platform.to_string()));
    lines.extend(long_field("Appliance root", &m.root, width, g));
    lines.push(Line::from(""));
    lines.push(field("TLS certificate", s.cert_path.clone()));
    certificate(m, s, &mut lines);
    lines.push(field("ReportingTLSMode", tls_mode(s)));
    let root_label = match s.config.role {
        Role::TaniumServer => "Root key (tanium.pub)",
        Role::ZoneServer => "Trusted root (tanium.pub)",
    };
    let root = match &s.root_fingerprint {
        None => "none".to_string(),
        Some(Ok(fp)) => fp.clone(),
        Some(Err(e)) => format!("unreadable: {e}"),
    };
    lines.push(field(root_label, root));
    lines.push(field(
        "SFTP host key",
        s.sftp_host_key
            .clone()
            .unwrap_or_else(|| "none (tanos-menu sshd makes it)".into()),
    ));
    if let Some(rotation) = &s.tls_rotation {
        lines.push(field(
            "Next TLS key rotation",
            crate::model::outcome::rotation_status(rotation),
        ));
    }
    if let Some(count) = s.issued_expiring {
        lines.push(field(
            "Issued certificates",
            crate::model::outcome::expiring_status(
                count,
                &m.key_path(crate::model::Step::IssuedList),
            ),
        ));
    }
    warnings(m, s, &mut lines);
    Body::plain(lines)
}

/// The certificate's state, and when it is installed its subject, issuer and end.
fn certificate(m: &Model, s: &Snapshot, lines: &mut Vec<Line<'static>>) {
    let summary = match &s.cert {
        CertState::None => return lines.push(field("  state", "none installed")),
        CertState::Unreadable(e) => {
            return lines.push(Line::styled(format!("  unreadable: {e}"), theme::ERROR));
        }
        CertState::Installed { summary, .. } => {
            lines.push(field("  state", s.cert.short()));
            summary
        }
        CertState::KeyMismatch { summary, reason } | CertState::Untrusted { summary, reason } => {
            lines.push(Line::from(vec![
                ratatui::text::Span::styled(format!("  {:<28}", "  state"), theme::LABEL),
                ratatui::text::Span::styled(s.cert.short(), theme::ERROR),
            ]));
            let width = usize::from(m.size.0).saturating_sub(32).max(30);
            for part in m.glyphs().wrap(reason, width) {
                lines.push(Line::styled(format!("{:30}{part}", ""), theme::ERROR));
            }
            summary
        }
    };
    let (width, g) = (m.size.0, m.glyphs());
    lines.extend(long_field("  subject", &summary.subject, width, g));
    lines.extend(long_field("  issuer", &summary.issuer, width, g));
    lines.push(field(
        "  expires",
        format!("{} UTC", date(summary.not_after)),
    ));
}

/// ReportingTLSMode as the catalogue describes its value.
fn tls_mode(s: &Snapshot) -> String {
    let component = crate::appliance::catalogue::Component::primary(s.config.role);
    match (
        &s.tls_mode,
        crate::appliance::catalogue::lookup(&s.config, component, "ReportingTLSMode"),
    ) {
        (Some(v), Ok(def)) => crate::appliance::catalogue::describe(def, v),
        (Some(v), Err(_)) => v.to_string(),
        (None, _) => "not set".to_string(),
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
        for part in m.glyphs().wrap(text, width) {
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
        return Body::plain(vec![Line::from("  Loading…")]);
    };
    let mut lines = vec![
        Line::from(""),
        Line::styled(
            format!(
                "  {:<4}{:<12}{:<14}{}",
                "", "User", "Key pair", "Authorized keys"
            ),
            theme::LABEL,
        ),
    ];
    for (i, u) in s.users.iter().enumerate() {
        let (key, authorized) = (u.key_label(m.voice()), u.authorized_label(m.voice()));
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
