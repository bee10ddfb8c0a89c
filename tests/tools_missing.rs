//! A test whose outside tool is missing fails with one line saying how to install it.

mod support;

use support::tools::{need, run};

fn panic_text(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("a missing tool must fail the test");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_missing_tool_is_named_in_one_line_with_how_to_install_it() {
    for text in [
        panic_text(|| need("tanos-no-such-tool")),
        panic_text(|| need("/usr/sbin/tanos-no-such-daemon")),
        panic_text(|| drop(run("tanos-no-such-tool", &[]))),
    ] {
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("is not installed"), "{text}");
        assert!(text.contains("bash scripts/test.sh"), "{text}");
    }
    assert!(panic_text(|| need("/nonexistent/sbin/sshd")).contains("openssh-server"));
}

#[test]
fn installed_tools_pass_the_check() {
    need("openssl");
    need("ssh-keygen");
    need("/bin/sh");
}
