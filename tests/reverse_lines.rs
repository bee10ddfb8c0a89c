//! The record files' reader from the end: the same lines as a forward read, newest first,
//! whatever the block boundaries, with long lines cut and never held whole.

use proptest::prelude::*;
use tanos_menu::fsutil::{LINE_CAP, reverse_lines};

fn forward(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    lines.reverse();
    lines
}

fn backward(bytes: &[u8]) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    std::fs::write(&path, bytes).unwrap();
    reverse_lines(&path)
        .unwrap()
        .unwrap()
        .map(|l| l.unwrap().bytes)
        .collect()
}

#[test]
fn a_missing_file_is_none_and_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(reverse_lines(&dir.path().join("none")).unwrap().is_none());
    let err = reverse_lines(dir.path()).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
}

#[test]
fn lines_across_many_blocks_come_newest_first() {
    let mut text = Vec::new();
    for i in 0..50_000 {
        text.extend_from_slice(
            format!("{{\"n\":{i},\"pad\":\"{}\"}}\n", "x".repeat(i % 97)).as_bytes(),
        );
    }
    let got = backward(&text);
    assert_eq!(got.len(), 50_000);
    assert_eq!(got, forward(&text));
    assert!(got[0].starts_with(b"{\"n\":49999,"));
}

#[test]
fn a_line_longer_than_the_cap_is_cut_to_its_end() {
    let long = vec![b'y'; LINE_CAP * 3 + 17];
    let mut text = b"first\n".to_vec();
    text.extend_from_slice(&long);
    text.extend_from_slice(b"z\nlast\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    std::fs::write(&path, &text).unwrap();
    let lines: Vec<_> = reverse_lines(&path)
        .unwrap()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].bytes, b"last");
    assert!(!lines[0].cut);
    assert!(lines[1].cut);
    assert_eq!(lines[1].bytes.len(), LINE_CAP);
    assert!(lines[1].bytes.ends_with(b"yz"));
    assert_eq!(lines[2].bytes, b"first");
}

proptest! {
    #[test]
    fn same_lines_as_a_forward_read(parts in proptest::collection::vec(
        prop_oneof![
            Just(b"\n".to_vec()),
            Just(b"  \n".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..200),
            proptest::collection::vec(Just(b'a'), 60_000..70_000),
        ],
        0..20,
    )) {
        let bytes: Vec<u8> = parts.concat();
        // Lines longer than the cap are compared by their ends.
        let want: Vec<Vec<u8>> = forward(&bytes)
            .into_iter()
            .map(|l| l[l.len().saturating_sub(LINE_CAP)..].to_vec())
            .collect();
        prop_assert_eq!(backward(&bytes), want);
    }
}
