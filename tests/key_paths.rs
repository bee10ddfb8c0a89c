//! Key paths ("2 › Z › 1") are never written by hand: the model takes them from the menu
//! tree, and every path printed anywhere resolves in the shipped menus.

use std::path::Path;

use tanos_menu::appliance::{Addon, ApplianceConfig, Platform, Role};
use tanos_menu::menu::{Action, MenuTree, Target};
use tanos_menu::model::{Finished, KeysDone, Made, Step, TlsDone};
use tanos_menu::pki::CertSummary;
use time::macros::datetime;

fn config(role: Role, hub: bool) -> ApplianceConfig {
    ApplianceConfig {
        role,
        hostname: "host.example".into(),
        platform: Platform::DEFAULT,
        addons: if hub {
            vec![Addon::ZoneHub]
        } else {
            Vec::new()
        },
    }
}

fn roles() -> Vec<ApplianceConfig> {
    vec![
        config(Role::TaniumServer, false),
        config(Role::TaniumServer, true),
        config(Role::ZoneServer, false),
    ]
}

/// Every key path in `text`: runs of keys joined by " › ", the first a menu key.
fn paths_in(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let first = words[i].trim_start_matches(['(', '"']);
        let is_key = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric());
        if is_key && words.get(i + 1) == Some(&"›") {
            let mut keys = vec![first];
            let mut j = i + 1;
            while words.get(j) == Some(&"›") && j + 1 < words.len() {
                keys.push(words[j + 1].trim_end_matches([')', '.', ',', '"', ';']));
                j += 2;
            }
            found.push(keys.join(" › "));
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

fn resolves_somewhere(tree: &MenuTree, path: &str) -> bool {
    roles()
        .iter()
        .any(|c| tree.resolve_printed(path, c).is_some())
}

#[test]
fn the_reverse_of_resolve_reaches_every_action_on_its_role() {
    let tree = MenuTree::shipped().expect("menus");
    let mut reached = 0;
    for config in roles() {
        for menu in tree.menus() {
            for item in tree.visible(&menu.id, &config) {
                let Target::Action(action) = item.target else {
                    continue;
                };
                let target = Target::Action(action);
                let Some(keys) = tree.path_to(&target, &config, Some("tancopy")) else {
                    continue;
                };
                let printed = keys.join(" › ");
                assert_eq!(
                    tree.resolve_printed(&printed, &config),
                    Some(target.clone()),
                    "{printed} on {config:?}"
                );
                reached += 1;
            }
        }
    }
    assert!(reached > 20, "{reached}");
    // Actions the role does not show have no path there.
    let zs = config(Role::ZoneServer, false);
    let issued = Target::Action(Action::IssuedCertificates);
    assert_eq!(tree.path_to(&issued, &zs, None), None);
    // A user list needs the user to print.
    let keypair = Target::Action(Action::GenerateKeypair);
    assert_eq!(tree.path_to(&keypair, &zs, None), None);
    assert_eq!(
        tree.path_to(&keypair, &zs, Some("tanadmin"))
            .map(|k| k.join(" › ")),
        Some("C › 3 › tanadmin › 1".to_string())
    );
    assert_eq!(tree.resolve_printed("C › 3 › nobody › 1", &zs), None);
    assert_eq!(tree.resolve_printed("2 › Q", &zs), None);
}

#[test]
fn no_source_string_writes_a_key_path_by_hand() {
    let tree = MenuTree::shipped().expect("menus");
    let mut sources = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    assert!(sources.len() > 30);
    let mut printed = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).expect("source");
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            // The string literals of the line.
            for (n, literal) in line.split('"').enumerate() {
                if n % 2 == 1 {
                    printed.extend(paths_in(literal).into_iter().map(|p| (path.clone(), p)));
                }
            }
        }
    }
    let bad: Vec<_> = printed
        .iter()
        .filter(|(_, p)| !resolves_somewhere(&tree, p))
        .collect();
    assert!(bad.is_empty(), "key paths that do not resolve: {bad:?}");
    assert!(printed.is_empty(), "key paths written by hand: {printed:?}");
    // The reader finds a path in a literal, not a trail of screens.
    assert_eq!(paths_in(" … › {}"), Vec::<String>::new());
    assert_eq!(
        paths_in("import it there with 2 › Z › 2 › 1."),
        vec!["2 › Z › 2 › 1".to_string()]
    );
}

fn summary() -> CertSummary {
    CertSummary {
        subject: "CN=zs01.example".into(),
        issuer: "CN=root".into(),
        serial: "01".into(),
        not_before: datetime!(2026-11-28 12:00 UTC),
        not_after: datetime!(2036-11-26 12:00 UTC),
        key_fingerprint: "SHA256:x".into(),
    }
}

#[test]
fn every_key_path_the_model_writes_resolves_to_its_step() {
    let tree = MenuTree::shipped().expect("menus");
    let mut m = tanos_menu::model::Model::first_run(tree.clone(), "/r".into(), "h".into());
    for step in Step::ALL {
        let path = m.key_path(step);
        assert!(resolves_somewhere(&tree, &path), "{step:?}: {path}");
        assert_eq!(paths_in(&m.with_step("x", Some(step))), vec![path]);
    }
    assert_eq!(m.key_path(Step::GenerateCsr), "2 › Z › 1");
    assert_eq!(m.key_path(Step::ImportCsrOnServer), "2 › Z › 2 › 1");
    assert_eq!(m.key_path(Step::ForgetHostKey), "C › 3 › tanadmin › 4");
    assert_eq!(m.key_path(Step::AuthorizeOnPeer), "C › 3 › tancopy › 3 › 2");
    let _ = &mut m;

    // The views the model writes after a step: every path in them resolves.
    let snapshot = || {
        let dir = tempfile::tempdir().expect("tmp");
        let opts = tanos_menu::appliance::init::InitOptions {
            role: Role::ZoneServer,
            hostname: "zs01.example".into(),
            platform: Platform::DEFAULT,
            zone_hub: false,
            tanium_pub: None,
        };
        let now = time::OffsetDateTime::now_utc();
        let app = tanos_menu::appliance::init::init(dir.path(), &opts, now).expect("init");
        Box::new(tanos_menu::appliance::status::snapshot(&app, now))
    };
    let steps = [
        Made::Tls(TlsDone::CsrWritten {
            files: vec!["zoneserver/reporting.csr".into()],
            key_fingerprint: "SHA256:k".into(),
            csr_pem: "csr".into(),
        }),
        Made::Tls(TlsDone::Issued {
            summary: summary(),
            cert_pem: "crt".into(),
            files: vec![
                "zs01.crt".into(),
                "reporting.crt".into(),
                "tanium.pub".into(),
            ],
        }),
        Made::Keys(KeysDone::KeypairMade {
            user: "tanadmin".into(),
            fingerprint: "SHA256:k".into(),
            public_key: "ssh-ed25519 AAAA".into(),
        }),
    ];
    for made in steps {
        for here in roles() {
            let outcome = Finished::Changed(made.clone(), snapshot())
                .outcome(&tree, Some(&here))
                .expect("outcome");
            let view = outcome.view.expect("view");
            let text = format!("{} {}", outcome.message, view.intro.join(" "));
            let found = paths_in(&text);
            assert!(!found.is_empty(), "{text}");
            for path in found {
                assert!(resolves_somewhere(&tree, &path), "{path} in {text}");
            }
        }
    }
}
