//! What the appliance cleans up after itself: old backups beyond the newest five, and
//! temporary files a killed write left behind.

mod support;

use std::path::Path;

use tanos_menu::appliance::{Appliance, Platform, Role, lock, tls};
use tanos_menu::fsutil;
use time::OffsetDateTime;

use support::roots;

fn tanium_server() -> (tempfile::TempDir, Appliance) {
    // tempfile's own default prefix, as before.
    let dir = roots::scratch("housekeeping", ".tmp");
    let opts = roots::options(Role::TaniumServer, "ts01", Platform::V7_3, false);
    let app = roots::appliance(&dir.path().join("ts"), &opts, OffsetDateTime::now_utc());
    (dir, app)
}

fn names(dir: &Path, starting: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(starting))
        .collect();
    names.sort();
    names
}

#[test]
fn only_the_newest_backups_are_kept() {
    let (_dir, app) = tanium_server();
    let start = OffsetDateTime::now_utc();
    for i in 0..8 {
        tls::regenerate_server_tls(&app, start + time::Duration::seconds(i)).expect("regenerate");
    }
    let tanium = app.path("tanium");
    let key_backups = names(&tanium, "reporting.pvk.");
    let cert_backups = names(&tanium, "reporting.crt.");
    assert_eq!(key_backups.len(), fsutil::KEPT_BACKUPS, "{key_backups:?}");
    assert_eq!(cert_backups.len(), fsutil::KEPT_BACKUPS, "{cert_backups:?}");
    // The newest stay: the last regeneration's predecessor is among them.
    let newest = (start + time::Duration::seconds(7))
        .format(&time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .expect("stamp");
    assert!(
        key_backups.iter().any(|n| n.contains(&newest)),
        "{key_backups:?} lacks {newest}"
    );
    // Backups of the key never count against those of another file.
    assert!(names(&tanium, "tanium.pvk.").is_empty());
}

/// Twelve replacements within one second: the five kept are the five made last, whatever
/// their names sort as ("-10" before "-2", "-1" before the first).
#[test]
fn backups_made_within_one_second_keep_the_newest() {
    let (_dir, app) = tanium_server();
    let now = OffsetDateTime::now_utc();
    let mut made = Vec::new();
    for _ in 0..12 {
        tls::regenerate_server_tls(&app, now).expect("regenerate");
        let cert = std::fs::read(app.path(tls::TS_CERT)).expect("the certificate");
        made.push(cert);
    }
    let tanium = app.path("tanium");
    let kept: Vec<Vec<u8>> = names(&tanium, "reporting.crt.")
        .iter()
        .map(|n| std::fs::read(tanium.join(n)).expect("a backup"))
        .collect();
    assert_eq!(kept.len(), fsutil::KEPT_BACKUPS);
    // The backups made by the last five replacements hold the certificates 6..=10 (the
    // twelfth is the one in place).
    for cert in &made[made.len() - 1 - fsutil::KEPT_BACKUPS..made.len() - 1] {
        assert!(kept.contains(cert), "a newer backup was pruned");
    }
}

#[test]
fn temporary_files_of_a_killed_write_are_removed() {
    let (_dir, app) = tanium_server();
    let stale = [
        app.path(".tanos-abc.tmp"),
        app.path("tanium/.tanos-key.tmp"),
        app.path("home/tancopy/.ssh/.tanos-x.tmp"),
    ];
    for path in &stale {
        std::fs::write(path, "half").expect("stale temp");
    }
    let keep = app.path("transfer/incoming/.tanos-notes.txt");
    std::fs::write(&keep, "not a temporary file of ours").expect("other file");
    assert_eq!(lock::tidy(&app), stale.len());
    for path in &stale {
        assert!(!path.exists(), "{} left", path.display());
    }
    assert!(keep.exists());
    // While another change holds the lock, nothing is touched.
    std::fs::write(&stale[0], "half").expect("stale temp");
    let _held = lock::acquire(&app).expect("lock");
    assert_eq!(lock::tidy(&app), 0);
    assert!(stale[0].exists());
}
