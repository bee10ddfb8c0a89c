//! The menu tree: `menus/*.toml`, embedded in the binary, deserialized into typed items and
//! checked as a whole (unique keys, existing and reachable submenus, known actions).

mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::appliance::{ApplianceConfig, Role};
use crate::texts::{self, Lang};

/// The menu files shipped in the binary, as (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    ("root.toml", include_str!("../../menus/root.toml")),
    (
        "operations.toml",
        include_str!("../../menus/operations.toml"),
    ),
    ("users.toml", include_str!("../../menus/users.toml")),
    ("zone.toml", include_str!("../../menus/zone.toml")),
    (
        "import_csr.toml",
        include_str!("../../menus/import_csr.toml"),
    ),
    (
        "import_cert.toml",
        include_str!("../../menus/import_cert.toml"),
    ),
    (
        "import_root.toml",
        include_str!("../../menus/import_root.toml"),
    ),
    ("ssh_user.toml", include_str!("../../menus/ssh_user.toml")),
    (
        "authorized_keys.toml",
        include_str!("../../menus/authorized_keys.toml"),
    ),
    ("tls_check.toml", include_str!("../../menus/tls_check.toml")),
];

pub const ROOT: &str = "root";

/// What an action item opens; every variant has its screen in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    TaniumStatus,
    ConfigurationSettings,
    UserOverview,
    GenerateCsr,
    ShowCsr,
    ImportCsrIncoming,
    PasteCsr,
    IssuedCertificates,
    ShowRootPublicKey,
    ImportCertIncoming,
    PasteCert,
    ImportRootIncoming,
    PasteRoot,
    RegenerateTls,
    RootKeys,
    TrustedRoots,
    GenerateKeypair,
    ShowPublicKey,
    ListAuthorizedKeys,
    AddAuthorizedKey,
    RemoveAuthorizedKey,
    KnownHosts,
    SftpPull,
    SftpPush,
    AuditLog,
    TlsSelfTest,
    TlsProbe,
}

/// Who sees an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    TaniumServer,
    ZoneServer,
    /// A Tanium Server with the Zone Server Hub add-on.
    ZoneHub,
}

impl Audience {
    fn includes(self, config: &ApplianceConfig) -> bool {
        match self {
            Audience::TaniumServer => config.role == Role::TaniumServer,
            Audience::ZoneServer => config.role == Role::ZoneServer,
            Audience::ZoneHub => config.has_zone_hub(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum ItemSpec {
    Submenu {
        key: String,
        label: String,
        #[serde(default)]
        show: Vec<Audience>,
        menu: String,
    },
    Action {
        key: String,
        label: String,
        #[serde(default)]
        show: Vec<Audience>,
        action: Action,
    },
    /// The TanOS users by line number; the one chosen opens `menu`.
    Users {
        key: String,
        label: String,
        #[serde(default)]
        show: Vec<Audience>,
        menu: String,
    },
}

impl ItemSpec {
    fn into_item(self) -> Item {
        use ItemSpec as S;
        let target = match &self {
            S::Submenu { menu, .. } => Target::Submenu(menu.clone()),
            S::Action { action, .. } => Target::Action(*action),
            S::Users { menu, .. } => Target::Users(menu.clone()),
        };
        let (S::Submenu {
            key, label, show, ..
        }
        | S::Action {
            key, label, show, ..
        }
        | S::Users {
            key, label, show, ..
        }) = self;
        Item {
            key,
            label: String::new(),
            label_key: label,
            show,
            target,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuSpec {
    title: String,
    // Read into `ItemSpec` one by one: an internally tagged enum loses its position, and an
    // error must name the line of the item at fault, not the first item's.
    items: Vec<toml::Spanned<toml::Table>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Submenu(String),
    Action(Action),
    /// A user list whose line opens this menu for that user.
    Users(String),
}

impl Target {
    /// The menu this target leads to, if any.
    pub fn menu(&self) -> Option<&str> {
        match self {
            Target::Submenu(m) | Target::Users(m) => Some(m),
            Target::Action(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    /// The label in English, as `label_key` reads in assets/en.toml.
    pub label: String,
    /// The text key `menus/*.toml` names (`menu.zone.generate_csr`).
    pub label_key: String,
    /// Empty: everyone.
    pub show: Vec<Audience>,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub id: String,
    pub file: String,
    /// The title in English, as `title_key` reads in assets/en.toml.
    pub title: String,
    /// The text key `menus/*.toml` names (`menu.zone.title`).
    pub title_key: String,
    pub items: Vec<Item>,
}

impl Menu {
    /// The title in `lang`.
    pub fn title_in(&self, lang: Lang) -> &str {
        texts::text(lang, &self.title_key)
    }
}

impl Item {
    /// The label in `lang`.
    pub fn label_in(&self, lang: Lang) -> &str {
        texts::text(lang, &self.label_key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuTree {
    menus: BTreeMap<String, Menu>,
}

/// A menu file that cannot be used; the message names the file and the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("menus/{file}: {message}")]
pub struct MenuError {
    pub file: String,
    pub message: String,
}

impl MenuTree {
    /// The tree shipped in the binary.
    pub fn shipped() -> Result<MenuTree, MenuError> {
        MenuTree::load(SHIPPED)
    }

    /// Loads and checks menu files given as (file name, text); the menu id is the file stem.
    pub fn load(files: &[(&str, &str)]) -> Result<MenuTree, MenuError> {
        let mut menus = BTreeMap::new();
        for (file, text) in files {
            let err = |message: String| MenuError {
                file: file.to_string(),
                message,
            };
            let spec: MenuSpec =
                toml::from_str(text).map_err(|e| err(e.to_string().trim_end().to_string()))?;
            let id = file.strip_suffix(".toml").unwrap_or(file).to_string();
            let mut specs = Vec::with_capacity(spec.items.len());
            for (n, table) in spec.items.into_iter().enumerate() {
                let line = text
                    .get(..table.span().start)
                    .map_or(0, |t| t.matches('\n').count())
                    + 1;
                let item =
                    ItemSpec::deserialize(toml::Value::Table(table.into_inner())).map_err(|e| {
                        err(format!(
                            "line {line} (item {}): {}",
                            n + 1,
                            e.to_string().trim_end()
                        ))
                    })?;
                specs.push(item);
            }
            let items = specs.into_iter().map(ItemSpec::into_item).collect();
            let menu = Menu {
                id: id.clone(),
                file: file.to_string(),
                title: String::new(),
                title_key: spec.title,
                items,
            };
            if menus.insert(id.clone(), menu).is_some() {
                return Err(err(format!("a second menu named '{id}'")));
            }
        }
        let mut tree = MenuTree { menus };
        // Texts first: the checks after name items by their English labels.
        validate::texts(&mut tree)?;
        validate::check(&tree)?;
        Ok(tree)
    }

    pub fn get(&self, id: &str) -> Option<&Menu> {
        self.menus.get(id)
    }

    pub fn menus(&self) -> impl Iterator<Item = &Menu> {
        self.menus.values()
    }

    /// The items of `id` this appliance shows: its audience, and submenus with something in them.
    pub fn visible(&self, id: &str, config: &ApplianceConfig) -> Vec<&Item> {
        let Some(menu) = self.menus.get(id) else {
            return Vec::new();
        };
        menu.items
            .iter()
            .filter(|item| item.show.is_empty() || item.show.iter().any(|a| a.includes(config)))
            .filter(|item| match &item.target {
                Target::Submenu(sub) | Target::Users(sub) => !self.visible(sub, config).is_empty(),
                Target::Action(_) => true,
            })
            .collect()
    }

    /// Follows typed keys from the root, as an operator would: the target reached, if any.
    pub fn resolve(&self, keys: &[&str], config: &ApplianceConfig) -> Option<Target> {
        let mut menu = ROOT.to_string();
        let mut reached = Target::Submenu(menu.clone());
        for key in keys {
            match &reached {
                Target::Action(_) => return None,
                // A user list takes a line number and opens its menu for that user.
                Target::Users(next) => {
                    let line: usize = key.parse().ok()?;
                    if !(1..=crate::appliance::Layout::USERS.len()).contains(&line) {
                        return None;
                    }
                    menu = next.clone();
                    reached = Target::Submenu(menu.clone());
                    continue;
                }
                Target::Submenu(_) => {}
            }
            let item = self
                .visible(&menu, config)
                .into_iter()
                .find(|i| i.key.eq_ignore_ascii_case(key))?;
            reached = item.target.clone();
            if let Target::Submenu(sub) = &item.target {
                menu = sub.clone();
            }
        }
        Some(reached)
    }

    /// The reverse of `resolve`: the keys that reach `target` on this appliance's menus,
    /// from the root, the first way found. A user list on the way takes `user` (by name,
    /// as messages print it; `resolve_printed` reads it back).
    pub fn path_to(
        &self,
        target: &Target,
        config: &ApplianceConfig,
        user: Option<&str>,
    ) -> Option<Vec<String>> {
        self.path_from(ROOT, target, config, user, 0)
    }

    fn path_from(
        &self,
        menu: &str,
        target: &Target,
        config: &ApplianceConfig,
        user: Option<&str>,
        depth: usize,
    ) -> Option<Vec<String>> {
        // The validated tree has no cycles; the bound keeps a hand-made one finite.
        if depth > self.menus.len() {
            return None;
        }
        for item in self.visible(menu, config) {
            if &item.target == target {
                return Some(vec![item.key.clone()]);
            }
            let (next, picked) = match &item.target {
                Target::Submenu(sub) => (sub, None),
                Target::Users(sub) => (sub, Some(user?.to_string())),
                Target::Action(_) => continue,
            };
            if let Some(rest) = self.path_from(next, target, config, user, depth + 1) {
                let mut path = vec![item.key.clone()];
                path.extend(picked);
                path.extend(rest);
                return Some(path);
            }
        }
        None
    }

    /// Follows a key path as messages print it ("C › 3 › tanadmin › 4"), a user named
    /// where the operator types the user's line number.
    pub fn resolve_printed(&self, path: &str, config: &ApplianceConfig) -> Option<Target> {
        let users = crate::appliance::Layout::USERS;
        let keys: Vec<String> = path
            .split('›')
            .map(str::trim)
            .map(|k| match users.iter().position(|u| *u == k) {
                Some(i) => (i + 1).to_string(),
                None => k.to_string(),
            })
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.resolve(&keys, config)
    }
}

/// Keys the console keeps for navigation; no menu item may use them.
pub const RESERVED_KEYS: &[&str] = &["B", "X", "RR", "?"];
