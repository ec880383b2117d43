//! `till accounts …` and which account a verb acts on. The accounts are the
//! app's (same database, same keychain); the one marked default is kept in
//! a small file of the data directory, `default-account`, written atomically.

use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;
use till_core::accounts::Account;
use till_core::{DataDir, Error, Till};

use crate::cli::AccountsCommand;
use crate::failure::Failure;
use crate::out::{self, Out};

fn default_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("default-account")
}

fn read_default(data_dir: &DataDir) -> Option<String> {
    std::fs::read_to_string(default_path(data_dir))
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|id| !id.is_empty())
}

/// Written beside, then renamed over: a crash leaves the old file or the new.
fn write_default(data_dir: &DataDir, account_id: Option<&str>) -> Result<(), Failure> {
    let path = default_path(data_dir);
    let unusable = |err: std::io::Error| {
        Failure::from(Error::DataDirUnusable {
            path: path.display().to_string(),
            detail: err.to_string(),
        })
    };
    match account_id {
        Some(id) => {
            let temporary = path.with_extension("tmp");
            std::fs::write(&temporary, format!("{id}\n")).map_err(unusable)?;
            std::fs::rename(&temporary, &path).map_err(unusable)
        }
        None => match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(unusable(err)),
            _ => Ok(()),
        },
    }
}

/// The saved accounts: the app's offline demo is not one the command line
/// acts on.
pub fn saved(till: &Till) -> Result<Vec<Account>, Failure> {
    Ok(till
        .accounts()?
        .into_iter()
        .filter(|a| !a.is_demo)
        .collect())
}

/// An account by its id or its name (any case).
pub fn find(till: &Till, wanted: &str) -> Result<Account, Failure> {
    let all = saved(till)?;
    if let Some(account) = all.iter().find(|a| a.id == wanted) {
        return Ok(account.clone());
    }
    let named: Vec<&Account> = all
        .iter()
        .filter(|a| a.display_name.eq_ignore_ascii_case(wanted.trim()))
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Failure::from(Error::UnknownAccount {
            account_id: wanted.to_owned(),
        })),
        many => Err(Failure::usage(format!(
            "{} accounts are named {wanted:?}: give its id ({})",
            many.len(),
            many.iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The account a verb acts on: `--account`, else the only one, else the
/// one marked default.
pub fn resolve(till: &Till, wanted: Option<&str>) -> Result<Account, Failure> {
    if let Some(wanted) = wanted {
        return find(till, wanted);
    }
    let all = saved(till)?;
    match all.as_slice() {
        [] => Err(Failure::not_found(
            "There is no account in Till yet: add one with `till accounts add` (the key on standard input).",
        )),
        [one] => Ok(one.clone()),
        _ => {
            let marked = read_default(till.data_dir());
            all.iter()
                .find(|a| Some(&a.id) == marked.as_ref())
                .cloned()
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "Till has {} accounts: choose one with --account, or mark one with `till accounts default`.",
                        all.len()
                    ))
                })
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    #[serde(flatten)]
    account: Account,
    is_default: bool,
}

fn mode(account: &Account) -> String {
    match (account.livemode, account.restricted) {
        (true, false) => out::amber("live"),
        (true, true) => out::amber("live, restricted"),
        (false, false) => "test".to_owned(),
        (false, true) => "test, restricted".to_owned(),
    }
}

/// The key, from standard input or typed at a hidden prompt.
fn read_key() -> Result<String, Failure> {
    use std::io::IsTerminal;
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Stripe secret or restricted key (not shown): ")
            .map_err(|err| Failure::usage(format!("the key could not be read: {err}")))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| Failure::usage(format!("the key could not be read: {err}")))?;
        text
    };
    let key = text.trim().to_owned();
    if key.is_empty() {
        return Err(Failure::usage(
            "No key given: pipe it on standard input (e.g. `till accounts add < key.txt`) or type it at the prompt.",
        ));
    }
    Ok(key)
}

pub async fn run(till: &Till, out: Out, command: AccountsCommand) -> Result<(), Failure> {
    match command {
        AccountsCommand::List => {
            let marked = read_default(till.data_dir());
            let all = saved(till)?;
            let only = all.len() == 1;
            let listed: Vec<Listed> = all
                .into_iter()
                .map(|account| Listed {
                    is_default: only || Some(&account.id) == marked.as_ref(),
                    account,
                })
                .collect();
            out.answer(&listed, || {
                if listed.is_empty() {
                    out::line("No account yet: `till accounts add` adds one.");
                    return;
                }
                let mut rows = vec![vec![
                    String::new(),
                    out::bold("Name"),
                    out::bold("Id"),
                    out::bold("Mode"),
                    out::bold("Key"),
                ]];
                for l in &listed {
                    rows.push(vec![
                        if l.is_default {
                            "*".into()
                        } else {
                            String::new()
                        },
                        l.account.display_name.clone(),
                        l.account.id.clone(),
                        mode(&l.account),
                        format!("…{}", l.account.key_last4),
                    ]);
                }
                out::table(&rows);
            })
        }
        AccountsCommand::Add { replace, refused } => {
            if !refused.is_empty() {
                // Never repeated back: it may be a key.
                return Err(Failure::usage(
                    "`till accounts add` takes no key as an argument: arguments land in shell \
                     history and in `ps`. Pipe the key on standard input \
                     (`till accounts add < key.txt`) or type it at the prompt.",
                ));
            }
            let key = read_key()?;
            let added = match till.add_account(&key).await {
                Err(Error::KeyReplaceAsked { account_id, .. }) if replace => {
                    till.replace_account_key(&account_id, &key).await
                }
                Err(Error::AccountAlreadyAdded {
                    account_id,
                    display_name,
                }) => {
                    out::warn(&format!(
                        "{display_name} ({account_id}) is already in Till."
                    ));
                    find(till, &account_id).map_err(|f| Error::Internal { detail: f.words })
                }
                other => other,
            };
            drop(key);
            let account = added?;
            out.answer(&account, || {
                out::line(&format!(
                    "{} {} ({}, {}, key …{}) is in Till.",
                    out::green("Added"),
                    account.display_name,
                    account.id,
                    mode(&account),
                    account.key_last4
                ));
            })
        }
        AccountsCommand::Rename { account, new_name } => {
            let account = find(till, &account)?;
            if new_name.trim().is_empty() {
                return Err(Failure::usage("the new name is empty"));
            }
            till.rename_account(&account.id, new_name.trim())?;
            let renamed = find(till, &account.id)?;
            out.answer(&renamed, || {
                out::line(&format!(
                    "{} is now called {}.",
                    account.display_name, renamed.display_name
                ));
            })
        }
        AccountsCommand::Remove {
            account,
            forget_data,
        } => {
            let account = find(till, &account)?;
            till.remove_account(&account.id, forget_data)?;
            if read_default(till.data_dir()).as_deref() == Some(account.id.as_str()) {
                write_default(till.data_dir(), None)?;
            }
            out.answer(&account, || {
                out::line(&format!(
                    "{} ({}) is removed, with its key.{}",
                    account.display_name,
                    account.id,
                    if forget_data {
                        " Its cache is deleted."
                    } else {
                        " Its cache stays for when it comes back."
                    }
                ));
            })
        }
        AccountsCommand::Default { account } => {
            let account = find(till, &account)?;
            write_default(till.data_dir(), Some(&account.id))?;
            out.answer(&account, || {
                out::line(&format!(
                    "{} ({}) is the default account.",
                    account.display_name, account.id
                ));
            })
        }
    }
}
