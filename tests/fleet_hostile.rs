//! Issue 10, hostile: what a fleet does to a hub when names collide, a common name is a
//! path, a name is already taken by another key, the hub has only another key's
//! certificate, the ledger holds garbage, and `keyutility` signs with a root key that is or
//! is not an appliance's. Each case checks what the operator is told and that every file
//! it must not change is byte for byte as it was (whole-tree snapshots).

mod support;

use std::path::{Path, PathBuf};

use support::console::model;
use support::e2e::{Sshd, path_str, read, scratch_for_sshd};
use support::fleet::{
    act, appliance, authorize, batch_confirmation, cert_subject, checked, cli, confirm, field,
    flash, host_key, issued_json, new_csr, no_cancel, peer, push, report_line, request_list, view,
    zone_csr,
};
use support::fs::bytes;
use support::roots;
use support::sshd_base::PEER;
use support::tree::{Tree, assert_unchanged, changes, tree_abs};
use tanos_menu::appliance::fleet::{cert_file, csr_file, csr_file_for_key};
use tanos_menu::appliance::issuance::{self, Order, Replace, Source};
use tanos_menu::appliance::ledger;
use tanos_menu::appliance::tls::TlsError;
use tanos_menu::appliance::transfer::pull_certificate;
use tanos_menu::appliance::{Appliance, Role};
use tanos_menu::pki::CertSummary;
use tanos_menu::pki::csr::CheckedCsr;
use tanos_menu::transfer::sftp::TransferError;
use time::OffsetDateTime;

const HUB: &str = "hub01.example";
const TWIN: &str = "twin.example";

fn hub_at(dir: &Path) -> Appliance {
    appliance(&dir.join("hub"), Role::TaniumServer, HUB, true)
}

fn order(csr: &CheckedCsr, source: Source, replace: Replace) -> Order {
    Order {
        csr: csr.clone(),
        days: 3650,
        source,
        replace,
    }
}

/// The key of the certificate in `/outgoing/<file>` of `hub`.
fn outgoing_key(hub: &Appliance, file: &str) -> String {
    let pem = bytes(&hub.path("transfer/outgoing").join(file));
    CertSummary::from_pem(&pem)
        .unwrap_or_else(|e| panic!("/outgoing/{file}: {e}"))
        .key_fingerprint
}

/// Drops a request in the hub's /incoming, as a peer or an operator would.
fn drop_request(hub: &Appliance, file: &str, csr_pem: &str) {
    std::fs::write(hub.path("transfer/incoming").join(file), csr_pem)
        .unwrap_or_else(|e| panic!("write /incoming/{file}: {e}"));
}

/// The records of the hub's ledger, each with its state, as `issued list --json` gives them,
/// for `name`: (state, key fingerprint), newest first.
fn ledger_of(hub: &Path, name: &str) -> Vec<(String, String)> {
    let (records, _) = issued_json(hub);
    records
        .iter()
        .filter(|r| field(r, "common_name") == name)
        .map(|r| {
            (
                field(r, "state").to_string(),
                field(r, "key_fingerprint").to_string(),
            )
        })
        .collect()
}

/// The files a hub's issuance may write besides /outgoing: its records and its lock.
const RECORDS: [&str; 4] = [
    "tanium/issued.jsonl",
    "tanium/issued.index.json",
    "log/audit.jsonl",
    ".tanos.lock",
];

/// Every change under `dir` since `before`, except the hub's records: each must be a file
/// added directly in the hub's /outgoing. Returns the names added there.
#[track_caller]
fn only_outgoing_added(dir: &Path, hub: &Path, before: &Tree) -> Vec<String> {
    let outgoing = hub.join("transfer/outgoing");
    let records: Vec<PathBuf> = RECORDS.iter().map(|r| hub.join(r)).collect();
    let mut added = Vec::new();
    for change in changes(before, &tree_abs(dir)) {
        let (kind, path) = change.split_once(' ').expect("a change");
        let path = Path::new(path);
        if records.iter().any(|r| r == path) {
            continue;
        }
        assert!(
            kind == "added" && path.parent() == Some(outgoing.as_path()) && path.is_file(),
            "an issuance may only add files directly in {}: {change}",
            outgoing.display()
        );
        added.push(
            path.file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name")
                .to_string(),
        );
    }
    added
}

// ---------------------------------------------------------------- two Zone Servers, one name

#[test]
fn two_zone_servers_of_one_hostname_never_take_each_others_place() {
    let dir = scratch_for_sshd("fleet_hostile");
    let hub = hub_at(dir.path());
    let a = appliance(&dir.path().join("twin-a"), Role::ZoneServer, TWIN, false);
    let b = appliance(&dir.path().join("twin-b"), Role::ZoneServer, TWIN, false);
    authorize(&hub, &a);
    authorize(&hub, &b);
    let key_a = checked(&zone_csr(&a, TWIN)).fingerprint;
    let csr_b = checked(&zone_csr(&b, TWIN));
    let key_b = csr_b.fingerprint.clone();
    assert_ne!(key_a, key_b);

    // A pushes first: /incoming/twin.example.csr.
    let sshd = Sshd::start(&hub.root);
    let pushed = push(&a, sshd.port, &hub.root);
    assert_eq!(
        (pushed.remote.as_str(), pushed.beside),
        ("twin.example.csr", None)
    );

    // B pushes through its console: its request goes beside A's, which stays as it was.
    let before = tree_abs(&hub.root);
    let mut zb = model(&b.root);
    act(
        &mut zb,
        &b.root,
        &format!("RR\n2\nZ\n8\n127.0.0.1\n{}\n{PEER}\n", sshd.port),
    );
    let c = confirm(&zb);
    assert!(c.warning.contains(&host_key(&hub.root)), "{}", c.warning);
    act(&mut zb, &b.root, "y\n");
    let beside = csr_file_for_key(TWIN, &key_b);
    assert_ne!(beside, csr_file(TWIN));
    assert_eq!(
        flash(&zb),
        format!(
            "The CSR was pushed to 127.0.0.1:/incoming/{beside} (/incoming/twin.example.csr there holds a request of another key: another Zone Server of this name, or this one's earlier key; it was left as it was); issue it there with 2 › Z › 2 › 1."
        )
    );
    assert_eq!(
        changes(&before, &tree_abs(&hub.root)),
        vec![format!(
            "added {}",
            hub.path("transfer/incoming").join(&beside).display()
        )],
        "B's push adds its own file and changes nothing else on the hub"
    );
    drop(sshd);

    // One batch: both are skipped, each naming the other; nothing is written.
    let mut h = model(&hub.root);
    let mut files = vec![beside.clone(), csr_file(TWIN)];
    files.sort();
    assert_eq!(request_list(&mut h, &hub.root), files);
    let c = batch_confirmation(&mut h, &hub.root);
    assert!(
        c.warning.contains(&key_a) && c.warning.contains(&key_b),
        "the confirmation lists both keys: {}",
        c.warning
    );
    let before = tree_abs(&hub.root);
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    assert_eq!(report.intro[0], "0 of 2 request(s) issued; one line each:");
    for (file, other) in [
        (csr_file(TWIN), beside.clone()),
        (beside.clone(), csr_file(TWIN)),
    ] {
        assert_eq!(
            report_line(&report, &file),
            format!(
                "skipped   {file}: twin.example is also requested with another key by {other}; check the fingerprints with the Zone Servers and issue the right one alone"
            )
        );
    }
    assert_eq!(flash(&h), "0 of 2 certificate(s) issued.");
    assert_unchanged(&hub.root, &before, "a batch that skips both twins");

    // A alone (2 › Z › 2 › 1, its line, Enter for 3650 days, y): issued.
    let pick = |h: &mut tanos_menu::model::Model, file: &str| {
        let files = request_list(h, &hub.root);
        let line = files.iter().position(|f| f == file).expect("listed") + 1;
        act(h, &hub.root, &format!("{line}\n"));
        act(h, &hub.root, "\n");
        let c = confirm(h);
        assert_eq!(c.question, "Issue it?", "{}", c.warning);
    };
    pick(&mut h, &csr_file(TWIN));
    act(&mut h, &hub.root, "y\n");
    assert_eq!(outgoing_key(&hub, &cert_file(TWIN)), key_a);
    assert_eq!(outgoing_key(&hub, "reporting.crt"), key_a);
    let serial_a = CertSummary::from_pem(&bytes(&hub.path("transfer/outgoing/twin.example.crt")))
        .expect("A's certificate")
        .serial;

    // B alone: refused, and asked whether to replace A's certificate, naming A's key.
    pick(&mut h, &beside);
    let before = tree_abs(&hub.root);
    act(&mut h, &hub.root, "y\n");
    let c = confirm(&h);
    assert_eq!(c.title, "Replace a certificate of another key");
    assert_eq!(c.question, "Issue it and replace that certificate?");
    assert!(
        c.warning.starts_with(&format!(
            "WARNING: /outgoing/twin.example.crt holds a certificate for CN=twin.example with ANOTHER KEY ({key_a}, serial {serial_a})."
        )) && c.warning.contains(&format!("(CN=twin.example, key {key_b})")),
        "{}",
        c.warning
    );
    assert_unchanged(&hub.root, &before, "B's issuance refused for A's name");
    act(&mut h, &hub.root, "n\n");
    assert_eq!(flash(&h), "Declined; nothing was changed.");
    assert_unchanged(&hub.root, &before, "declining to replace A's certificate");
    // Out of the flow (Esc from whatever question is left) to pick again.
    leave_prompts(&mut h, &hub.root);

    // The library refuses the same way, unless the operator accepted exactly that key.
    let source = Source::Incoming(beside.clone());
    for replace in [Replace::Never, Replace::Key(key_b.clone())] {
        match issuance::issue(&hub, &order(&csr_b, source.clone(), replace.clone()), now()) {
            Err(TlsError::NameTaken(o)) => {
                assert_eq!(o.key_fingerprint, key_a);
                assert_eq!(o.place, "/outgoing/twin.example.crt");
                let message = TlsError::NameTaken(o).to_string();
                assert_eq!(
                    message,
                    format!(
                        "/outgoing/twin.example.crt holds a certificate for CN=twin.example with another key ({key_a}, serial {serial_a}): a certificate for this request would replace it"
                    )
                );
            }
            other => panic!("{replace:?}: expected NameTaken, got {other:?}"),
        }
    }
    assert_unchanged(&hub.root, &before, "the refused library issuances");

    // Replacing, confirmed: B's certificate takes the name, A's is superseded.
    pick(&mut h, &beside);
    act(&mut h, &hub.root, "y\n");
    assert_eq!(confirm(&h).title, "Replace a certificate of another key");
    act(&mut h, &hub.root, "y\n");
    assert_eq!(outgoing_key(&hub, &cert_file(TWIN)), key_b);
    assert_eq!(
        ledger_of(&hub.root, TWIN),
        vec![
            ("valid".to_string(), key_b.clone()),
            ("superseded".to_string(), key_a.clone())
        ]
    );
}

/// Esc until no question or form is up.
fn leave_prompts(m: &mut tanos_menu::model::Model, root: &Path) {
    use tanos_menu::model::Screen;
    for _ in 0..5 {
        if !matches!(m.screen(), Screen::Confirm(_) | Screen::Form(_)) {
            return;
        }
        act(m, root, "\x1b");
    }
    panic!("Esc never left the questions: {:?}", m.screen());
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

// ---------------------------------------------------------------- a common name that is a path

/// Common names a request may carry that would be paths, or hidden files, if used as file
/// names unchanged.
const PATH_NAMES: [&str; 5] = [
    "../x",
    "a/b",
    ".hidden",
    "..",
    "../../../../../../../tmp/escape",
];

/// The name after "-> /outgoing/" in a batch report line.
fn written_by(line: &str) -> String {
    line.rsplit_once(" -> /outgoing/")
        .map(|(_, f)| f.to_string())
        .unwrap_or_else(|| panic!("no '-> /outgoing/' in {line:?}"))
}

/// A name a file system takes as one plain, visible file of its directory.
#[track_caller]
fn assert_plain(file: &str) {
    assert!(
        !file.contains('/')
            && !file.starts_with('.')
            && !file.chars().any(char::is_control)
            && file.ends_with(".crt"),
        "{file:?} is not a plain file name"
    );
}

#[test]
fn a_common_name_that_is_a_path_is_issued_to_a_plain_file_inside_outgoing() {
    let dir = roots::scratch("fleet_hostile", "paths-");
    let hub = hub_at(dir.path());
    let files: Vec<String> = (0..PATH_NAMES.len())
        .map(|i| format!("path{i}.csr"))
        .collect();
    for (name, file) in PATH_NAMES.iter().zip(&files) {
        drop_request(&hub, file, &new_csr(name).csr_pem);
    }

    // One batch: each is issued, and the report says where it went.
    let mut h = model(&hub.root);
    assert_eq!(request_list(&mut h, &hub.root), files);
    let c = batch_confirmation(&mut h, &hub.root);
    for name in PATH_NAMES {
        assert!(c.warning.contains(&format!("CN={name}")), "{}", c.warning);
    }
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    assert_eq!(report.intro[0], "5 of 5 request(s) issued; one line each:");
    let added = only_outgoing_added(dir.path(), &hub.root, &before);
    let mut written = Vec::new();
    for (name, file) in PATH_NAMES.iter().zip(&files) {
        let line = report_line(&report, file);
        assert!(
            line.starts_with(&format!("issued    {file}: CN={name} serial ")),
            "{line}"
        );
        let out = written_by(&line);
        assert_plain(&out);
        assert!(
            added.contains(&out),
            "{out} among the files added: {added:?}"
        );
        let cert = hub.path("transfer/outgoing").join(&out);
        assert_eq!(
            cert_subject(&cert),
            format!("CN={name}"),
            "{}",
            cert.display()
        );
        written.push(out);
    }
    let mut distinct = written.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        PATH_NAMES.len(),
        "one file a name: {written:?}"
    );
    assert!(
        added
            .iter()
            .all(|f| written.contains(f) || f == "tanium.pub"),
        "nothing else is added to /outgoing: {added:?}"
    );

    // One pasted request (2 › Z › 2 › 2): the confirmation says where it will be written,
    // and it is written there and to the seed's reporting.crt, nowhere else.
    let name = "sub/../../../y";
    act(&mut h, &hub.root, "RR\n2\nZ\n2\n2\n");
    let effects =
        tanos_menu::model::update(&mut h, tanos_menu::model::Msg::Paste(new_csr(name).csr_pem));
    support::console::drive(&mut h, &hub.root, effects);
    act(&mut h, &hub.root, "\n");
    let c = confirm(&h);
    let safe = "sub_.._.._.._y.crt";
    assert!(
        c.warning.contains(&format!(
            "It is written to /outgoing/{safe} and /outgoing/reporting.crt"
        )),
        "{}",
        c.warning
    );
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let shown = view(&h);
    assert!(
        shown.intro.iter().any(|l| l.contains(&format!(
            "written to /outgoing/{safe} and /outgoing/reporting.crt"
        ))),
        "{:?}",
        shown.intro
    );
    let mut added = only_outgoing_added(dir.path(), &hub.root, &before);
    added.sort();
    assert_eq!(added, vec!["reporting.crt".to_string(), safe.to_string()]);
    assert_plain(safe);
    assert_eq!(
        cert_subject(&hub.path("transfer/outgoing").join(safe)),
        format!("CN={name}")
    );

    // A name that becomes the same file as an issued one ("a/b" and "a_b"), with another
    // key, never replaces it in a batch.
    drop_request(&hub, "underscore.csr", &new_csr("a_b").csr_pem);
    let owner = outgoing_key(&hub, "a_b.crt");
    batch_confirmation(&mut h, &hub.root);
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    let line = report_line(&report, "underscore.csr");
    assert_eq!(
        line,
        format!(
            "skipped   underscore.csr: /outgoing/a_b.crt holds a certificate of another key ({owner}) for this name; issue it alone to replace it"
        )
    );
    assert_eq!(report.intro[0], "0 of 1 request(s) issued; one line each:");
    assert_eq!(outgoing_key(&hub, "a_b.crt"), owner);
    assert_unchanged(
        dir.path(),
        &before,
        "a batch where every request is skipped",
    );
}

// ---------------------------------------------------------------- a name taken by another key

#[test]
fn a_name_issued_to_another_key_is_skipped_in_a_batch_and_refused_alone() {
    const NAME: &str = "taken.example";
    let dir = roots::scratch("fleet_hostile", "taken-");
    let hub = hub_at(dir.path());
    let first = new_csr(NAME);
    let key1 = checked(&first).fingerprint;
    drop_request(&hub, "taken.example.csr", &first.csr_pem);
    let mut h = model(&hub.root);
    batch_confirmation(&mut h, &hub.root);
    act(&mut h, &hub.root, "y\n");
    assert!(report_line(&view(&h), "taken.example.csr").starts_with("issued "));
    let serial1 = CertSummary::from_pem(&bytes(&hub.path("transfer/outgoing/taken.example.crt")))
        .expect("the first certificate")
        .serial;

    // Another key asks for the same name.
    let second = new_csr(NAME);
    let csr2 = checked(&second);
    let key2 = csr2.fingerprint.clone();
    drop_request(&hub, "taken-again.csr", &second.csr_pem);
    let c = batch_confirmation(&mut h, &hub.root);
    assert!(
        c.warning.contains(&key2) && !c.warning.contains(&key1),
        "only the pending request is offered: {}",
        c.warning
    );
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    assert_eq!(report.intro[0], "0 of 1 request(s) issued; one line each:");
    assert_eq!(
        report_line(&report, "taken-again.csr"),
        format!(
            "skipped   taken-again.csr: /outgoing/taken.example.crt holds a certificate of another key ({key1}) for this name; issue it alone to replace it"
        )
    );
    assert_unchanged(dir.path(), &before, "the batch that skipped the taken name");

    // Alone: refused unless the operator accepted exactly the key it replaces.
    let source = Source::Incoming("taken-again.csr".into());
    let refused = |replace: Replace, place: &str| match issuance::issue(
        &hub,
        &order(&csr2, source.clone(), replace.clone()),
        now(),
    ) {
        Err(e @ TlsError::NameTaken(_)) => assert_eq!(
            e.to_string(),
            format!(
                "{place} holds a certificate for CN={NAME} with another key ({key1}, serial {serial1}): a certificate for this request would replace it"
            ),
            "{replace:?}"
        ),
        other => panic!("{replace:?}: expected NameTaken, got {other:?}"),
    };
    for replace in [
        Replace::Never,
        Replace::Key(key2.clone()),
        Replace::Key("SHA256:someOtherKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
    ] {
        refused(replace, "/outgoing/taken.example.crt");
    }
    assert_unchanged(dir.path(), &before, "issuances refused for a taken name");

    // /outgoing cleaned by hand: the ledger still knows whose the name is.
    std::fs::remove_file(hub.path("transfer/outgoing/taken.example.crt")).expect("remove");
    let before = tree_abs(dir.path());
    batch_confirmation(&mut h, &hub.root);
    act(&mut h, &hub.root, "y\n");
    assert_eq!(
        report_line(&view(&h), "taken-again.csr"),
        format!(
            "skipped   taken-again.csr: the issuance ledger holds a certificate of another key ({key1}) for this name; issue it alone to replace it"
        )
    );
    refused(Replace::Never, "the issuance ledger");
    assert_unchanged(dir.path(), &before, "refusals from the ledger alone");

    // Accepted for that key: issued, and the first certificate is superseded.
    issuance::issue(
        &hub,
        &order(&csr2, source.clone(), Replace::Key(key1.clone())),
        now(),
    )
    .expect("the replacement the operator accepted");
    assert_eq!(outgoing_key(&hub, "taken.example.crt"), key2);
    assert_eq!(
        ledger_of(&hub.root, NAME),
        vec![
            ("valid".to_string(), key2.clone()),
            ("superseded".to_string(), key1.clone())
        ]
    );
}

// ---------------------------------------------------------------- a pull of another key's certificate

#[test]
fn a_pull_that_finds_only_another_keys_certificate_writes_nothing() {
    const ZS: &str = "zs01.example";
    let dir = scratch_for_sshd("fleet_hostile");
    let hub = hub_at(dir.path());
    let zs = appliance(&dir.path().join("zs"), Role::ZoneServer, ZS, false);
    authorize(&hub, &zs);
    let own_csr = checked(&zone_csr(&zs, ZS));
    let own = own_csr.fingerprint.clone();
    let sshd = Sshd::start(&hub.root);
    let port = sshd.port;
    // The push makes the hub a known host; its request waits in /incoming.
    push(&zs, port, &hub.root);

    // The hub issued the name, and the seed's reporting.crt, for another key.
    let other_csr = checked(&new_csr(ZS));
    issuance::issue(
        &hub,
        &order(&other_csr, Source::Paste, Replace::Never),
        now(),
    )
    .expect("issued for another key");
    let other = other_csr.fingerprint;
    let trees = || (tree_abs(&zs.root), tree_abs(&hub.root));
    let before = trees();
    let unchanged = |what: &str| {
        assert_unchanged(&zs.root, &before.0, what);
        assert_unchanged(&hub.root, &before.1, what);
    };

    let peer_name = format!("{PEER}@127.0.0.1:{port}");
    match pull_certificate(&zs, &peer(port), None, &no_cancel()) {
        Err(e @ TransferError::NoCertificate { .. }) => assert_eq!(
            e.to_string(),
            format!(
                "{peer_name} has no certificate for this Zone Server's key ({own}): /outgoing/{ZS}.crt is for another key ({other}), /outgoing/reporting.crt is for another key ({other}). Nothing was written; push the CSR and have the Tanium Server issue it"
            )
        ),
        unexpected => panic!("expected NoCertificate, got {unexpected:?}"),
    }
    unchanged("a pull that found only another key's certificates");

    // The same through the console (2 › Z › 3 › 3): the operator reads why.
    let mut m = model(&zs.root);
    act(
        &mut m,
        &zs.root,
        &format!("RR\n2\nZ\n3\n3\n127.0.0.1\n{port}\n{PEER}\n"),
    );
    let message = flash(&m);
    for want in [
        format!("{peer_name} has no certificate for this Zone Server's key ({own})"),
        format!("/outgoing/{ZS}.crt is for another key ({other})"),
        "Nothing was written".to_string(),
    ] {
        assert!(message.contains(&want), "{want:?} in {message:?}");
    }
    unchanged("the console's pull of another key's certificates");

    // Without the seed's file either: it says so.
    std::fs::remove_file(hub.path("transfer/outgoing/reporting.crt")).expect("remove");
    let before_hub = tree_abs(&hub.root);
    match pull_certificate(&zs, &peer(port), None, &no_cancel()) {
        Err(e @ TransferError::NoCertificate { .. }) => assert!(
            e.to_string().contains(&format!(
                "/outgoing/{ZS}.crt is for another key ({other}), /outgoing/reporting.crt is not there."
            )),
            "{e}"
        ),
        unexpected => panic!("expected NoCertificate, got {unexpected:?}"),
    }
    assert_unchanged(
        &zs.root,
        &before.0,
        "a pull with only another key's certificate",
    );
    assert_unchanged(
        &hub.root,
        &before_hub,
        "a pull reads the hub, never writes it",
    );

    // Once the hub issues this Zone Server's own request, the pull takes it.
    issuance::issue(
        &hub,
        &order(
            &own_csr,
            Source::Incoming(csr_file(ZS)),
            Replace::Key(other),
        ),
        now(),
    )
    .expect("the Zone Server's own certificate");
    let pulled = pull_certificate(&zs, &peer(port), None, &no_cancel()).expect("pulled");
    assert_eq!(pulled.taken, cert_file(ZS));
    drop(sshd);
}

// ---------------------------------------------------------------- garbage in the ledger

const GARBAGE: [&[u8]; 5] = [
    b"this is not json",
    b"{\"serial\": 7, \"subject\": [\"x\"]}",
    b"\xff\xfe\x00\x1b[2J\x07 binary",
    b"{\"time\":\"2025-01-01T00:00:00Z\",\"serial\":\"01\"}",
    b"[1,2,3]",
];

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.write_all(bytes).expect("append");
}

fn issue_named(hub: &Appliance, name: &str) {
    let csr = checked(&new_csr(name));
    issuance::issue(hub, &order(&csr, Source::Paste, Replace::Never), now())
        .unwrap_or_else(|e| panic!("issue {name}: {e}"));
}

fn warning(n: usize) -> String {
    match n {
        1 => "tanos-menu: 1 line of tanium/issued.jsonl could not be read and was skipped\n"
            .to_string(),
        n => format!(
            "tanos-menu: {n} lines of tanium/issued.jsonl could not be read and were skipped\n"
        ),
    }
}

/// The common names `issued list --json` gives, newest first; and its stderr.
fn listed_names(hub: &Path) -> (Vec<String>, String) {
    let (records, stderr) = issued_json(hub);
    let names = records
        .iter()
        .map(|r| field(r, "common_name").to_string())
        .collect();
    (names, stderr)
}

#[test]
fn garbage_ledger_lines_are_skipped_with_a_warning_and_never_fatal() {
    let dir = roots::scratch("fleet_hostile", "ledger-");
    let hub = hub_at(dir.path());
    issue_named(&hub, "g1.example");
    issue_named(&hub, "g2.example");
    let ledger_path = hub.path(ledger::LEDGER);
    for line in GARBAGE {
        append(&ledger_path, &[line, b"\n"].concat());
    }
    // The console opens first: its start saves the ledger's index again (the lines added
    // by hand left it behind); from then on, reading changes nothing.
    let mut h = model(&hub.root);
    let before = tree_abs(&hub.root);

    // issued list: the readable lines, a warning on stderr, exit 0.
    let (code, stdout, stderr) = cli(&["issued", "list", "--root", path_str(&hub.root)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with("valid      g2.example  not after "),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("valid      g1.example  not after "),
        "{stdout}"
    );
    assert_eq!(stderr, warning(GARBAGE.len()));

    // --json stays one JSON array; with nothing expiring it is an empty one.
    let (names, stderr) = listed_names(&hub.root);
    assert_eq!(names, ["g2.example", "g1.example"]);
    assert_eq!(stderr, warning(GARBAGE.len()));
    let (code, stdout, _) = cli(&[
        "issued",
        "list",
        "--json",
        "--expiring",
        "30",
        "--root",
        path_str(&hub.root),
    ]);
    assert_eq!(code, 0);
    let empty: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("--expiring --json is not JSON ({e}): {stdout}"));
    assert_eq!(empty, serde_json::json!([]));

    // 2 › Z › 7: the same records, and the warning above them.
    act(&mut h, &hub.root, "RR\n2\nZ\n7\n");
    let shown = view(&h);
    assert_eq!(
        shown.intro,
        vec![
            "2 certificate(s) signed with the root key, newest first; 1 to 2 shown.".to_string(),
            format!(
                "Warning: {} line(s) of tanium/issued.jsonl could not be read and were skipped.",
                GARBAGE.len()
            ),
        ]
    );
    let rows: Vec<&str> = shown.text.lines().collect();
    assert_eq!(rows.len(), 2, "{}", shown.text);
    assert!(
        rows[0].starts_with("valid            g2.example  until "),
        "{}",
        shown.text
    );
    assert!(
        !shown.text.contains('\x1b'),
        "nothing of the garbage is shown"
    );
    // The request list and Tanium Status read the ledger too.
    request_list(&mut h, &hub.root);
    act(&mut h, &hub.root, "RR\n1\n");
    assert_unchanged(&hub.root, &before, "reading a ledger with garbage");

    // Issuing goes on: the next certificate is recorded and listed.
    issue_named(&hub, "g3.example");
    assert_eq!(
        listed_names(&hub.root),
        (
            vec![
                "g3.example".into(),
                "g2.example".into(),
                "g1.example".into()
            ],
            warning(GARBAGE.len())
        )
    );

    // A garbage index is rebuilt from the ledger, never believed or fatal.
    std::fs::write(hub.path(ledger::INDEX), b"{\"ledger_bytes\": \"garbage\"").expect("write");
    assert_eq!(listed_names(&hub.root).0.len(), 3);

    // A cut line at the end (no line end, as a write cut short leaves it): the next
    // certificate must still be a line of its own, recorded and listed.
    append(&ledger_path, b"{\"serial\":\"cut");
    issue_named(&hub, "g4.example");
    let (names, stderr) = listed_names(&hub.root);
    assert_eq!(
        names.first().map(String::as_str),
        Some("g4.example"),
        "the certificate issued after a cut line is listed: {names:?}\nstderr: {stderr}\nledger tail: {:?}",
        String::from_utf8_lossy(&bytes(&ledger_path)).lines().last()
    );
    assert_eq!(stderr, warning(GARBAGE.len() + 1));
}

// ---------------------------------------------------------------- keyutility and the ledger

#[test]
fn keyutility_records_in_the_ledger_only_with_an_appliances_own_root_key() {
    let dir = roots::scratch("fleet_hostile", "keyutility-");
    let hub = hub_at(dir.path());
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("mkdir work");
    let csr_path = work.join("cli.csr");
    std::fs::write(&csr_path, new_csr("cli.example").csr_pem).expect("write the CSR");
    let issue = |out: &Path, root_key: &Path| {
        let (code, stdout, stderr) = cli(&[
            "keyutility",
            "reporting-tls-issue",
            path_str(&csr_path),
            path_str(out),
            path_str(root_key),
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert_eq!(
            stdout.trim(),
            format!("Successfully issued new certificate: '{}'", out.display())
        );
        CertSummary::from_pem(&bytes(out)).expect("the certificate written")
    };

    // The hub's own root key: the certificate is recorded, and audited; nothing else of the
    // hub changes.
    let before = tree_abs(dir.path());
    let own = issue(&work.join("own.crt"), &hub.path("tanium/tanium.pvk"));
    let mut changed = changes(&before, &tree_abs(dir.path()));
    changed.sort();
    let mut expected: Vec<String> = vec![format!("added {}", work.join("own.crt").display())];
    for record in ["tanium/issued.jsonl", "tanium/issued.index.json"] {
        expected.push(format!("added {}", hub.path(record).display()));
    }
    expected.push(format!("changed {}", hub.path("log/audit.jsonl").display()));
    if !before.contains_key(&hub.path(".tanos.lock")) {
        expected.push(format!("added {}", hub.path(".tanos.lock").display()));
    }
    expected.sort();
    assert_eq!(changed, expected);
    let records = support::tls::ledger_records(&hub);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].serial, own.serial);
    assert_eq!(records[0].common_name, "cli.example");
    assert_eq!(records[0].key_fingerprint, own.key_fingerprint);
    assert_eq!(records[0].source, csr_path.display().to_string());
    assert_eq!(ledger_of(&hub.root, "cli.example").len(), 1);
    let audit = read(&hub.path("log/audit.jsonl"));
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"cert.issue\"") && l.contains(&own.serial)),
        "{audit}"
    );

    // The same key reached through a link, or as the seed's relative default
    // (`--root-key tanium.pvk` in tanium/): still the appliance's, still recorded.
    let link = work.join("linked.pvk");
    std::os::unix::fs::symlink(hub.path("tanium/tanium.pvk"), &link).expect("symlink");
    std::os::unix::fs::symlink(
        hub.path("tanium/tanium-root.crt"),
        work.join("tanium-root.crt"),
    )
    .expect("symlink");
    let linked = issue(&work.join("linked.crt"), &link);
    let out = std::process::Command::new(support::pty::BIN)
        .current_dir(hub.path("tanium"))
        .args(["keyutility", "reporting-tls-issue", "--csr"])
        .arg(&csr_path)
        .arg("-o")
        .arg(work.join("relative.crt"))
        .env_remove("TANOS_ROOT")
        .output()
        .expect("run keyutility");
    assert!(out.status.success(), "{out:?}");
    let relative = CertSummary::from_pem(&bytes(&work.join("relative.crt"))).expect("written");
    let serials: Vec<String> = support::tls::ledger_records(&hub)
        .into_iter()
        .map(|r| r.serial)
        .collect();
    assert_eq!(serials, vec![own.serial, linked.serial, relative.serial]);

    // A copy of the root key outside any appliance: the certificate is written (and
    // OpenSSL verifies it), but no appliance records it, and nothing else changes.
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir outside");
    for name in ["tanium.pvk", "tanium-root.crt"] {
        support::fs::copy(&hub.path("tanium").join(name), &outside.join(name));
    }
    let before = tree_abs(dir.path());
    let out = work.join("outside.crt");
    issue(&out, &outside.join("tanium.pvk"));
    assert_eq!(
        changes(&before, &tree_abs(dir.path())),
        vec![format!("added {}", out.display())]
    );
    support::fleet::assert_verifies(&hub.path("tanium/tanium-root.crt"), &out);
}

// ---------------------------------------------------------------- requests spoilt after the listing

#[test]
fn a_request_changed_or_spoilt_after_the_listing_stops_none_of_the_others() {
    let dir = roots::scratch("fleet_hostile", "changed-");
    let hub = hub_at(dir.path());
    for name in ["a", "b", "c", "d"] {
        drop_request(
            &hub,
            &format!("{name}.csr"),
            &new_csr(&format!("{name}.example")).csr_pem,
        );
    }
    let mut h = model(&hub.root);
    let c = batch_confirmation(&mut h, &hub.root);
    assert!(c.warning.contains("d.csr"), "{}", c.warning);

    // Between the listing and `y`: b.csr now holds another key's request, c.csr is not a
    // request any more, d.csr is gone.
    let incoming = hub.path("transfer/incoming");
    drop_request(&hub, "b.csr", &new_csr("b.example").csr_pem);
    std::fs::write(
        incoming.join("c.csr"),
        "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n",
    )
    .expect("spoil c.csr");
    std::fs::remove_file(incoming.join("d.csr")).expect("remove d.csr");
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    assert_eq!(report.intro[0], "1 of 4 request(s) issued; one line each:");
    assert!(
        report_line(&report, "a.csr").starts_with("issued    a.csr: CN=a.example serial "),
        "{}",
        report.text
    );
    assert_eq!(
        report_line(&report, "b.csr"),
        "skipped   b.csr: the file changed since it was listed; list again"
    );
    assert!(
        report_line(&report, "c.csr")
            .starts_with("refused   c.csr: the certificate request could not be decoded"),
        "{}",
        report.text
    );
    assert_eq!(
        report_line(&report, "d.csr"),
        "refused   d.csr: /incoming/d.csr does not exist"
    );
    let mut added = only_outgoing_added(dir.path(), &hub.root, &before);
    added.retain(|f| f != "tanium.pub");
    assert_eq!(
        added,
        ["a.example.crt"],
        "only a.csr's certificate is written"
    );
    let (records, _) = issued_json(&hub.root);
    let names: Vec<&str> = records.iter().map(|r| field(r, "common_name")).collect();
    assert_eq!(names, ["a.example"]);
}

// ---------------------------------------------------------------- one name, other spellings

/// A host name is one name whatever its letter case, with or without its final dot: TLS
/// clients match `ZS01.EXAMPLE` and `zs01.example.` to `zs01.example`. A request for such a
/// spelling with another key must meet the name's certificate as NameTaken.
#[test]
fn a_name_spelt_in_capitals_or_with_a_final_dot_is_still_taken() {
    let dir = roots::scratch("fleet_hostile", "spelling-");
    let hub = hub_at(dir.path());
    issue_named(&hub, "zs01.example");
    let owner = outgoing_key(&hub, "zs01.example.crt");
    drop_request(&hub, "upper.csr", &new_csr("ZS01.EXAMPLE").csr_pem);
    drop_request(&hub, "dot.csr", &new_csr("zs01.example.").csr_pem);
    let mut h = model(&hub.root);
    batch_confirmation(&mut h, &hub.root);
    let before = tree_abs(dir.path());
    act(&mut h, &hub.root, "y\n");
    let report = view(&h);
    for file in ["upper.csr", "dot.csr"] {
        let line = report_line(&report, file);
        assert!(
            line.starts_with(&format!("skipped   {file}: ")) && line.contains(&owner),
            "{line}"
        );
    }
    assert_unchanged(
        dir.path(),
        &before,
        "requests for zs01.example under other spellings",
    );
}
