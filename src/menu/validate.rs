//! Whole-tree checks: every problem is reported with its file and item.

use std::collections::{BTreeSet, HashSet};

use super::{MenuError, MenuTree, RESERVED_KEYS, ROOT};

pub(super) fn check(tree: &MenuTree) -> Result<(), MenuError> {
    if tree.get(ROOT).is_none() {
        return Err(MenuError {
            file: format!("{ROOT}.toml"),
            message: "the root menu is missing".into(),
        });
    }
    for menu in tree.menus() {
        check_items(tree, menu)?;
    }
    check_reachable(tree)
}

/// A menu's own items: keys well formed, not reserved, unique; submenus that exist.
fn check_items(tree: &MenuTree, menu: &super::Menu) -> Result<(), MenuError> {
    let err = |message: String| MenuError {
        file: menu.file.clone(),
        message,
    };
    if menu.items.is_empty() {
        return Err(err("the menu has no items".into()));
    }
    let mut seen = HashSet::new();
    for item in &menu.items {
        let key = item.key.to_ascii_uppercase();
        let name = format!("item '{}' ({})", item.key, item.label);
        if key.is_empty() || key.len() > 2 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(err(format!(
                "{name}: a key is one or two letters or digits"
            )));
        }
        if RESERVED_KEYS.contains(&key.as_str()) {
            return Err(err(format!(
                "{name}: the key '{key}' is kept for navigation (B back, RR root, X exit)"
            )));
        }
        if !seen.insert(key.clone()) {
            return Err(err(format!("{name}: duplicate key '{key}' in this menu")));
        }
        if let Some(sub) = item.target.menu()
            && tree.get(sub).is_none()
        {
            return Err(err(format!(
                "{name}: submenu '{sub}' does not exist (no menus/{sub}.toml)"
            )));
        }
    }
    Ok(())
}

/// Every menu is opened by some item of the tree.
fn check_reachable(tree: &MenuTree) -> Result<(), MenuError> {
    let mut reached = BTreeSet::new();
    let mut todo = vec![ROOT.to_string()];
    while let Some(id) = todo.pop() {
        if !reached.insert(id.clone()) {
            continue;
        }
        if let Some(menu) = tree.get(&id) {
            todo.extend(
                menu.items
                    .iter()
                    .filter_map(|i| i.target.menu().map(str::to_string)),
            );
        }
    }
    if let Some(lost) = tree.menus().find(|m| !reached.contains(&m.id)) {
        return Err(MenuError {
            file: lost.file.clone(),
            message: format!(
                "menu '{}' is unreachable: no item of the tree opens it",
                lost.id
            ),
        });
    }
    Ok(())
}

/// Every title and label names a text of assets/: each is read here in English once, and
/// in the operator's language when drawn.
pub(super) fn texts(tree: &mut MenuTree) -> Result<(), MenuError> {
    let english = crate::texts::shipped()
        .ok()
        .and_then(|t| t.catalogue(crate::texts::Lang::En));
    for menu in tree.menus.values_mut() {
        let err = |message: String| MenuError {
            file: menu.file.clone(),
            message,
        };
        let unknown = |what: String, key: &str| {
            err(format!("{what}: '{key}' is not a text of assets/en.toml"))
        };
        menu.title = english
            .and_then(|c| c.get(&menu.title_key))
            .ok_or_else(|| unknown("the title".into(), &menu.title_key))?
            .to_string();
        for item in &mut menu.items {
            item.label = english
                .and_then(|c| c.get(&item.label_key))
                .ok_or_else(|| unknown(format!("item '{}'", item.key), &item.label_key))?
                .to_string();
        }
    }
    Ok(())
}
