//! Whole-tree snapshots (every path with its mode and bytes) and their before/after
//! comparison, to show that a refusal changed nothing.

use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::fs::bytes;

/// One path of a tree, as far as a test can tell it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir(u32),
    File(u32, Vec<u8>),
    Link(PathBuf),
    /// FIFO, socket, device: never opened (a FIFO would block).
    Special(u32),
}

pub type Tree = BTreeMap<PathBuf, Entry>;

/// Every path under `root`, relative to it, with its mode and (for regular files) its bytes.
pub fn tree(root: &Path) -> Tree {
    fn walk(root: &Path, dir: &Path, out: &mut Tree) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let mode = meta.permissions().mode() & 0o7777;
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            let kind = meta.file_type();
            if kind.is_symlink() {
                out.insert(
                    rel,
                    Entry::Link(std::fs::read_link(&path).expect("readlink")),
                );
            } else if kind.is_dir() {
                out.insert(rel, Entry::Dir(mode));
                walk(root, &path, out);
            } else if kind.is_file() {
                out.insert(rel, Entry::File(mode, bytes(&path)));
            } else {
                assert!(
                    kind.is_fifo() || kind.is_socket() || kind.is_block_device(),
                    "{}",
                    path.display()
                );
                out.insert(rel, Entry::Special(mode));
            }
        }
    }
    let mut out = Tree::new();
    walk(root, root, &mut out);
    out
}

/// Like `tree`, with every path given whole (`root` joined), for messages that name it.
pub fn tree_abs(root: &Path) -> Tree {
    tree(root)
        .into_iter()
        .map(|(rel, entry)| (root.join(rel), entry))
        .collect()
}

/// Every file (not directory) under `root`, by its whole path, with its mode and bytes.
pub fn files(root: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    tree_abs(root)
        .into_iter()
        .filter_map(|(path, entry)| match entry {
            Entry::Dir(_) => None,
            Entry::File(mode, data) => Some((path, (mode, data))),
            other => panic!("{}: not a file: {other:?}", path.display()),
        })
        .collect()
}

/// "changed or removed <path>" and "added <path>" for every difference.
pub fn differences(before: &Tree, after: &Tree) -> Vec<String> {
    let mut out: Vec<String> = before
        .iter()
        .filter(|(path, entry)| after.get(*path) != Some(entry))
        .map(|(path, _)| format!("changed or removed {}", path.display()))
        .collect();
    out.extend(
        after
            .keys()
            .filter(|p| !before.contains_key(*p))
            .map(|p| format!("added {}", p.display())),
    );
    out
}

/// "removed <path>", "changed <path>" and "added <path>" for every difference.
pub fn changes(before: &Tree, after: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (path, entry) in before {
        match after.get(path) {
            None => out.push(format!("removed {}", path.display())),
            Some(e) if e != entry => out.push(format!("changed {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("added {}", path.display()));
    }
    out
}

/// The paths whose presence, mode or bytes differ, in order.
pub fn changed_paths(before: &Tree, after: &Tree) -> Vec<PathBuf> {
    let mut paths: Vec<&PathBuf> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect()
}

/// Panics, naming every difference, unless the tree at `root` (snapshot with `tree_abs`) is
/// still `before`.
#[track_caller]
pub fn assert_unchanged(root: &Path, before: &Tree, what: &str) {
    let diff = differences(before, &tree_abs(root));
    assert!(diff.is_empty(), "{what} changed files: {diff:#?}");
}
