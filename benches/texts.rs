//! The operator's texts at start: `Texts::load` parses and checks every shipped language
//! file (`assets/en.toml`, `assets/fr.toml`: every key in both, the same placeholders), as
//! the console does once when it opens; and one `say!` with a placeholder, as a message is
//! written. In process, release build.
//!
//! `cargo bench --bench texts`; `TANOS_BENCH_N` sets the timed calls (50).

mod support;

use std::time::Instant;

use support::{Stats, iterations, report};
use tanos_menu::texts::{Lang, SHIPPED, Texts, Voice};

fn main() {
    let n = iterations(50);
    let bytes: usize = SHIPPED.iter().map(|(_, _, text)| text.len()).sum();
    println!("texts: {} files, {bytes} bytes", SHIPPED.len());
    let mut load = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let texts = Texts::load(SHIPPED).expect("the shipped texts load");
        load.push(t.elapsed());
        std::hint::black_box(texts);
    }
    report(
        "texts.load",
        "load and check every shipped language file",
        &Stats::of(&load),
    );
    let french = Voice {
        lang: Lang::Fr,
        ascii: true,
    };
    let _ = french.say("prompt.selection");
    let mut said = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(tanos_menu::say!(french; "menu.ssh_user.title", user = "tancopy"));
        }
        said.push(t.elapsed());
    }
    report(
        "texts.say_1000",
        "1000 says with a placeholder, French in ASCII letters",
        &Stats::of(&said),
    );
}
