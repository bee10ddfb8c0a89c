//! In-process cost of the key utility's work, without process start-up or file writes:
//! key + CSR generation (ECDSA P-256, RSA 3072, RSA 4096: what the console waits for after
//! 2 › Z › 1) and certificate issuance (CSR check + signing with the root key), the same
//! library calls `tanos-menu keyutility` makes.
//!
//! `cargo bench --bench pki`; `TANOS_BENCH_N` overrides the P-256/issue iteration count
//! (RSA runs a tenth of it, at least 5).

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use support::{Stats, iterations, report};
use tanos_menu::pki::KeyType;
use tanos_menu::pki::csr::{self, CsrRequest};
use tanos_menu::pki::issue::{LeafRequest, RootCa, sign_leaf};
use time::OffsetDateTime;

fn time_n(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    // One untimed warm-up call (page faults, lazy statics of the crypto backend).
    f();
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn request(key_type: KeyType) -> CsrRequest {
    CsrRequest {
        common_name: "x".into(),
        dns_names: Vec::new(),
        ips: Vec::new(),
        key_type,
    }
}

fn issue(csr_pem: &str, root: &RootCa) -> String {
    let checked = csr::check_csr(csr_pem).expect("the CSR passes the checks");
    let leaf = LeafRequest {
        common_name: checked.common_name.clone(),
        dns_names: checked.dns_names.clone(),
        ips: checked.ips.clone(),
        days: 3650,
        rsa: checked.rsa,
    };
    let spki = rcgen::SubjectPublicKeyInfo::from_der(&checked.spki_der).expect("an SPKI");
    sign_leaf(
        &leaf,
        &spki,
        &root.key_pem,
        &root.cert_pem,
        OffsetDateTime::now_utc(),
    )
    .expect("issued")
}

fn main() {
    let n = iterations(500);
    let n_rsa = (n / 10).max(5);

    let p256 = time_n(n, || {
        black_box(csr::generate_csr(&request(KeyType::EcdsaP256)).expect("P-256 CSR"));
    });
    report(
        "inproc.csr.p256",
        "key + CSR, ECDSA P-256 (generate_csr)",
        &Stats::of(&p256),
    );

    let rsa = time_n(n_rsa, || {
        black_box(csr::generate_csr(&request(KeyType::Rsa3072)).expect("RSA CSR"));
    });
    report(
        "inproc.csr.rsa3072",
        "key + CSR, RSA 3072 (generate_csr)",
        &Stats::of(&rsa),
    );

    let rsa4096 = time_n(n_rsa, || {
        black_box(csr::generate_csr(&request(KeyType::Rsa4096)).expect("RSA CSR"));
    });
    report(
        "inproc.csr.rsa4096",
        "key + CSR, RSA 4096 (generate_csr)",
        &Stats::of(&rsa4096),
    );

    // The issuing root as `tanos-menu init --role tanium-server` makes it.
    let root = RootCa::generate("ts.bench", OffsetDateTime::now_utc()).expect("root CA");
    let csr_p256 = csr::generate_csr(&request(KeyType::EcdsaP256))
        .expect("CSR")
        .csr_pem;
    let issued = time_n(n, || {
        black_box(issue(&csr_p256, &root));
    });
    report(
        "inproc.issue.p256",
        "check CSR + issue certificate (P-256 CSR, root key)",
        &Stats::of(&issued),
    );

    let checked = time_n(n, || {
        black_box(csr::check_csr(&csr_p256).expect("checked"));
    });
    report(
        "inproc.check_csr",
        "of which: check_csr alone",
        &Stats::of(&checked),
    );
}
