//! `ascendia user add|list|remove|set-password`: the web console's staff accounts. A password
//! is read from standard input when it is not a terminal (one line), else prompted for twice
//! without echo; it never appears on the command line.

use std::io::{BufRead, IsTerminal};

use clap::Subcommand;

use crate::config::Settings;
use crate::staff::{Email, Role, StaffAccounts, check_password};
use crate::store::Store;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a staff account, or a clinic (or operator rights) to an existing one.
    Add {
        email: String,
        /// The clinic (slug) the user works for.
        #[arg(
            long,
            required_unless_present = "operator",
            conflicts_with = "operator"
        )]
        clinic: Option<String>,
        /// owner, manager or staff.
        #[arg(long, default_value = "staff")]
        role: String,
        /// An operator sees every clinic.
        #[arg(long)]
        operator: bool,
    },
    /// List accounts with their clinics and roles.
    List,
    /// Remove an account and end its sessions.
    Remove { email: String },
    /// Set a new password and end the account's sessions.
    SetPassword { email: String },
}

pub async fn run(command: UserCommand, settings: &Settings) -> Result<(), String> {
    let store = crate::booking::open_store(
        &settings.database_url,
        settings.admin_database_url.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    match command {
        UserCommand::Add {
            email,
            clinic,
            role,
            operator,
        } => add(&store, &email, clinic.as_deref(), &role, operator).await,
        UserCommand::List => list(&store).await,
        UserCommand::Remove { email } => {
            let email = Email::parse(&email).map_err(|e| e.to_string())?;
            if store.remove_user(&email).await.map_err(|e| e.to_string())? {
                println!("removed {email}");
                Ok(())
            } else {
                Err(format!("no account {email}"))
            }
        }
        UserCommand::SetPassword { email } => {
            let email = Email::parse(&email).map_err(|e| e.to_string())?;
            let hash = new_password_hash().await?;
            if store
                .set_password(&email, &hash)
                .await
                .map_err(|e| e.to_string())?
            {
                println!("password set for {email}; its sessions are ended");
                Ok(())
            } else {
                Err(format!("no account {email}"))
            }
        }
    }
}

async fn add(
    store: &Store,
    email: &str,
    clinic: Option<&str>,
    role: &str,
    operator: bool,
) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| e.to_string())?;
    let role = Role::parse(role).map_err(|e| e.to_string())?;
    let org = match clinic {
        Some(slug) => Some(store.require_org(slug).await.map_err(|e| e.to_string())?),
        None => None,
    };
    let existing = store
        .user_for_sign_in(&email)
        .await
        .map_err(|e| e.to_string())?;
    let user = match existing {
        Some((user, _)) => {
            if operator && !user.operator {
                return Err(format!(
                    "{email} exists; remove it and add it again with --operator"
                ));
            }
            user.id
        }
        None => {
            let hash = new_password_hash().await?;
            store
                .create_user(&email, &hash, operator)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("{email} was added meanwhile; try again"))?
        }
    };
    match org {
        Some(org) => {
            store
                .set_membership(user, org.id, role)
                .await
                .map_err(|e| e.to_string())?;
            println!("{email} is {} of {}", role.as_str(), org.slug);
        }
        None => println!("{email} is an operator: every clinic"),
    }
    Ok(())
}

async fn list(store: &Store) -> Result<(), String> {
    let users = store.users().await.map_err(|e| e.to_string())?;
    let orgs = store.list_orgs().await.map_err(|e| e.to_string())?;
    for (user, memberships) in users {
        let mut clinics: Vec<String> = memberships
            .iter()
            .map(|m| {
                let slug = orgs
                    .iter()
                    .find(|o| o.id == m.org)
                    .map_or("?", |o| o.slug.as_str());
                format!("{slug} ({})", m.role.as_str())
            })
            .collect();
        if user.operator {
            clinics.insert(0, "operator: every clinic".into());
        }
        println!("{}\t{}", user.email, clinics.join(", "));
    }
    Ok(())
}

/// Reads a new password (stdin when piped, else two prompts) and hashes it.
async fn new_password_hash() -> Result<String, String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    check_password(&password).map_err(|e| e.to_string())?;
    StaffAccounts::hash_password(&password)
        .await
        .map_err(|e| e.to_string())
}
