//! What flows through the console: keys and messages into `update`, effects out of it, and
//! what a confirmation starts.

use super::{Finished, KeyListKind, Step, TextFor, TransferFailure, View};
use crate::appliance::batch::Listed;
use crate::appliance::catalogue::Validated;
use crate::appliance::fleet::Occupant;
use crate::appliance::init::InitOptions;
use crate::appliance::issuance::Order;
use crate::appliance::requests::Requests;
use crate::appliance::roots::RootRow;
use crate::appliance::settings::Change;
use crate::appliance::status::Snapshot;
use crate::appliance::tls::CertCheck;
use crate::appliance::transfer::Moved;
use crate::pki::TrustedKey;
use crate::pki::csr::{CsrRequest, NewCsr};
use crate::tlscheck::{Check, Report};
use crate::transfer::sftp::Peer;

/// A key as the console sees it, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    CtrlC,
    /// Ends a typed (unbracketed) paste.
    CtrlD,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Key),
    Paste(String),
    Resize(u16, u16),
    /// Time passing while an effect runs: animates the progress line.
    Tick,
    Loaded(Result<Snapshot, String>),
    Initialized(Result<Snapshot, String>),
    Saved(Result<(Change, Snapshot), String>),
    /// A step that changed or showed something finished.
    Done(Result<Outcome, String>),
    /// A step finished, as the executor found it; the model writes its sentences.
    Finished(Result<Finished, String>),
    /// A key and CSR exist in memory; nothing is written yet.
    CsrGenerated(Result<NewCsr, String>),
    CertChecked {
        text: String,
        result: Result<CertCheck, Failure>,
    },
    /// The requests waiting in /incoming.
    Listed(Result<Requests, String>),
    /// The Tanium Server's root keys.
    RootsListed(Result<Vec<RootRow>, String>),
    TextRead {
        purpose: TextFor,
        /// The /incoming file it was read from.
        from: String,
        result: Result<String, String>,
    },
    /// An issuance refused because its name has a certificate of another key: the
    /// operator decides whether to replace it.
    NameTaken {
        order: Box<Order>,
        occupant: Box<Occupant>,
    },
    /// Rows of an authorized_keys or known_hosts list.
    KeysListed {
        kind: KeyListKind,
        result: Result<Vec<String>, String>,
    },
    Transferred {
        op: TransferOp,
        peer: Peer,
        result: Result<Moved, TransferFailure>,
    },
    /// A TLS self-test or probe ran; its report, passed or not.
    TlsChecked(Result<Box<Report>, String>),
    Copied(String),
    /// The screen was just drawn on the terminal: the prompt on it has been seen.
    Drawn,
    /// The terminal's input holds a paste: keys are ignored until it goes quiet, since a
    /// pasted text can end the paste early and carry keys of its own.
    PasteBurst,
    /// The terminal's input went quiet after a paste: keys are taken again.
    Quiet,
    /// No key was pressed for the configured idle time: the console logs out.
    IdleTimeout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferOp {
    /// This Zone Server's certificate (`/outgoing/<hostname>.crt`, else `reporting.crt`) and
    /// `tanium.pub` from the Tanium Server into /incoming, then the install checks.
    PullCertificate,
    /// `zoneserver/reporting.csr` to the Tanium Server's `/incoming`.
    PushCsr,
}

impl TransferOp {
    /// What the transfer does, as the title of its questions.
    pub fn label(self, v: crate::texts::Voice) -> String {
        match self {
            TransferOp::PullCertificate => crate::say!(v; "model.transfer.pull_title"),
            TransferOp::PushCsr => crate::say!(v; "model.transfer.push_title"),
        }
    }
}

/// A step that could not be made: what stopped it, and the step to take first, if one
/// does (the model adds its key path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub first: Option<Step>,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            message,
            first: None,
        }
    }
}

/// What a finished step reports: a message, the appliance as it is now, something to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub message: String,
    pub snapshot: Option<Snapshot>,
    pub view: Option<View>,
}

/// Work with side effects, run by the executor, answered by a `Msg`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Reads the appliance again: answered by `Msg::Loaded`.
    Load,
    /// Creates the appliance (first run): answered by `Msg::Initialized`.
    Init(InitOptions),
    /// Saves a validated (and, when risky, confirmed) setting: answered by `Msg::Saved`.
    SaveSetting(Validated),
    /// Generates a key and CSR in memory: `Msg::CsrGenerated`.
    GenerateCsr(CsrRequest),
    /// Writes a generated key and CSR: `Msg::Done` showing the CSR.
    WriteCsr(NewCsr),
    /// Signs a checked CSR with the root key: `Msg::Finished` showing the certificate, or
    /// `Msg::NameTaken`.
    IssueCert(Box<Order>),
    /// Issues every listed request of /incoming: `Msg::Finished`, a line each.
    IssueBatch { listed: Vec<Listed>, days: i64 },
    /// Checks a certificate against the Zone Server's key and trusted root: `Msg::CertChecked`.
    CheckCert(String),
    /// Installs a checked certificate, trusting `trust` first when given: `Msg::Done`.
    InstallCert {
        text: String,
        trust: Option<TrustedKey>,
    },
    /// Stores a Tanium root public key as trusted: `Msg::Done`.
    ImportRoot(String),
    /// New TLS key and certificate for the Tanium Server itself: `Msg::Done`.
    RegenerateTls,
    /// The requests in /incoming, with their state: `Msg::Listed`.
    ListRequests,
    /// The root keys: `Msg::RootsListed`.
    ListRoots,
    /// A new signing root key, the server's TLS pair with it: `Msg::Finished`.
    AddRoot,
    /// Revokes a trusted root key: `Msg::Finished`.
    RevokeRoot { fingerprint: String },
    /// One file of /incoming: `Msg::TextRead`.
    ReadIncoming { name: String, purpose: TextFor },
    /// Shows an appliance file in the copy-friendly view: `Msg::Done`.
    ShowFile { rel: String, title: String },
    /// New key pair for a TanOS user (the old one kept): `Msg::Done`.
    GenerateKeypair { user: String },
    /// Adds a pasted public key to a user's authorized_keys: `Msg::Done`.
    AddAuthorized { user: String, text: String },
    /// Removes line `line` of a user's authorized_keys: `Msg::Done`.
    /// Removed only while that line is still `row`, as listed and confirmed.
    RemoveAuthorized {
        user: String,
        line: usize,
        row: String,
    },
    /// Removes line `line` of tanadmin's known_hosts (while it is still `row`): `Msg::Done`.
    RemoveKnownHost { line: usize, row: String },
    /// Lists a user's authorized keys or tanadmin's known hosts: `Msg::KeysListed`.
    ListKeys { kind: KeyListKind, user: String },
    /// An SFTP pull or push with tanadmin's key: `Msg::Transferred`.
    Transfer {
        op: TransferOp,
        peer: Peer,
        trust: Option<String>,
    },
    /// A TLS self-test or a probe of a peer: `Msg::TlsChecked`.
    TlsCheck(Check),
    /// Shows a page of what this Tanium Server issued, newest first: `Msg::Finished`.
    ShowIssued { page: usize },
    /// Shows a page of log/audit.jsonl, most recent first: `Msg::Finished`.
    ShowAudit { page: usize },
    /// Sends text to the operator's clipboard: `Msg::Copied`.
    Copy(String),
    /// Abandons the running transfer or key generation at once; run by the console loop,
    /// beside the worker (whose answer to the abandoned effect `discard` drops).
    Cancel,
}

/// What a confirmation starts once the operator answers `y`: the effect, the busy line
/// shown while it runs, and whether Esc abandons it.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    pub busy: String,
    pub effect: Effect,
    /// What Esc abandons, when it may.
    pub cancel: Option<Abandon>,
}

/// A running step Esc may abandon: the message says what became of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandon {
    KeyGeneration,
    Transfer,
    TlsCheck,
}

impl Start {
    pub fn new(busy: impl Into<String>, effect: Effect) -> Start {
        Start {
            busy: busy.into(),
            effect,
            cancel: None,
        }
    }

    /// An effect Esc abandons (a key generation, a transfer, a TLS check).
    pub fn cancellable(busy: impl Into<String>, effect: Effect, what: Abandon) -> Start {
        Start {
            cancel: Some(what),
            ..Start::new(busy, effect)
        }
    }
}
