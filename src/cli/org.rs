//! `ascendia org ...`: clinics, their setup files and their Booking API keys.

use std::path::PathBuf;

use clap::Subcommand;

use crate::booking::setup::{self, ClinicPatch};
use crate::clinics::readiness;
use crate::config::Settings;
use crate::store::Store;
use crate::tenancy::{
    AgentId, NewApiKey, NewOrganization, Organization, OrganizationUpdate, Slug, TimeZone,
    clinic_name,
};

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Add a clinic.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        /// IANA time zone.
        #[arg(long, default_value = "America/New_York")]
        timezone: String,
        #[arg(long)]
        greeting: Option<String>,
        #[arg(long)]
        instructions: Option<String>,
    },
    /// Change a clinic; a new slug takes effect on running servers within seconds.
    Update {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        new_slug: Option<String>,
        #[arg(long)]
        timezone: Option<String>,
        /// An empty string restores the default greeting.
        #[arg(long)]
        greeting: Option<String>,
        #[arg(long)]
        instructions: Option<String>,
    },
    /// List clinics with the WebSocket URL to paste into Retell.
    List,
    /// Serve calls without a slug with this clinic.
    SetDefault { slug: String },
    /// Remove a clinic.
    Remove {
        slug: String,
        /// Also delete its call records, patients and appointments.
        #[arg(long)]
        force: bool,
    },
    /// Create or update a clinic's setup (providers, operatories, schedules, appointment
    /// types, settings, instructions) from a TOML file; a new slug creates the clinic.
    Import {
        slug: String,
        file: PathBuf,
        /// Validate the file and change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Print a clinic's setup as a TOML file that `org import` reads.
    Export {
        slug: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Booking API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Map a Retell agent id to the clinic, so its webhooks find the clinic even for calls
    /// this server never saw.
    SetAgent { slug: String, agent_id: String },
    /// The clinic's readiness checklist: its setup, keys, Retell agents, last call and
    /// webhook; exits non-zero while it cannot book by phone.
    Status { slug: String },
}

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed once and only its hash is stored.
    Create {
        slug: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// List a clinic's keys by prefix.
    List { slug: String },
    /// Revoke a key by its prefix (as `list` shows it).
    Revoke { slug: String, prefix: String },
}

pub async fn run(command: OrgCommand, settings: &Settings) -> Result<(), String> {
    let store = crate::booking::open_store(
        &settings.database_url,
        settings.admin_database_url.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match command {
        OrgCommand::Add {
            name,
            slug,
            timezone,
            greeting,
            instructions,
        } => {
            let slug = Slug::parse(&slug).map_err(|e| text(&e))?;
            let zone = TimeZone::parse(&timezone).map_err(|e| text(&e))?;
            let mut new = NewOrganization::new(&name, slug, zone).map_err(|e| text(&e))?;
            new.greeting = greeting.filter(|g| !g.trim().is_empty());
            new.instructions = instructions.filter(|i| !i.trim().is_empty());
            let org = store.create_org(new).await.map_err(|e| text(&e))?;
            println!("added clinic '{}' ({}) id {}", org.slug, org.name, org.id);
            println!(
                "Retell custom LLM URL: {}/{}",
                settings.websocket_base(),
                org.slug
            );
            print_unready(&store, settings, &org).await?;
        }
        OrgCommand::Status { slug } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            status(&store, settings, &org).await?;
        }
        OrgCommand::Update {
            slug,
            name,
            new_slug,
            timezone,
            greeting,
            instructions,
        } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let update = OrganizationUpdate {
                name: name
                    .as_deref()
                    .map(clinic_name)
                    .transpose()
                    .map_err(|e| text(&e))?,
                slug: new_slug
                    .as_deref()
                    .map(Slug::parse)
                    .transpose()
                    .map_err(|e| text(&e))?,
                time_zone: timezone
                    .as_deref()
                    .map(TimeZone::parse)
                    .transpose()
                    .map_err(|e| text(&e))?,
                greeting,
                instructions,
            };
            let org = store
                .update_org(org.id, update)
                .await
                .map_err(|e| text(&e))?;
            println!(
                "updated clinic '{}' ({}), time zone {}",
                org.slug, org.name, org.time_zone
            );
        }
        OrgCommand::List => {
            let orgs = store.list_orgs().await.map_err(|e| text(&e))?;
            let explicit = store.default_org_id().await.map_err(|e| text(&e))?;
            let default = explicit.or(orgs.first().map(|o| o.id));
            let rows: Vec<[String; 5]> = orgs
                .iter()
                .map(|org| {
                    [
                        org.id.to_string(),
                        org.slug.to_string(),
                        org.name.clone(),
                        if Some(org.id) == default { "yes" } else { "" }.to_owned(),
                        format!("{}/{}", settings.websocket_base(), org.slug),
                    ]
                })
                .collect();
            print_table(&["ID", "SLUG", "NAME", "DEFAULT", "URL"], &rows);
            if orgs.is_empty() {
                println!("(no clinics; add one with `ascendia org add --name NAME --slug SLUG`)");
            }
        }
        OrgCommand::SetDefault { slug } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            store.set_default_org(org.id).await.map_err(|e| text(&e))?;
            println!("default clinic is now '{}' ({})", org.slug, org.name);
        }
        OrgCommand::Remove { slug, force } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let calls = store.remove_org(&org, force).await.map_err(|e| text(&e))?;
            println!(
                "removed clinic '{}' ({}) and {calls} call record(s)",
                org.slug, org.name
            );
        }
        OrgCommand::Import { slug, file, check } => {
            import(&store, settings, &slug, &file, check).await?;
        }
        OrgCommand::Export { slug, output } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let file = setup::export(&store, &org).await.map_err(|e| text(&e))?;
            let toml = file.to_toml().map_err(|e| text(&e))?;
            match output {
                Some(path) => {
                    std::fs::write(&path, toml).map_err(|e| format!("{}: {e}", path.display()))?;
                    println!("wrote clinic '{}' to {}", org.slug, path.display());
                }
                None => print!("{toml}"),
            }
        }
        OrgCommand::ApiKey(command) => api_key(&store, command).await?,
        OrgCommand::SetAgent { slug, agent_id } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let agent = AgentId::parse(&agent_id).map_err(|e| text(&e))?;
            store
                .set_agent(org.id, agent.as_str())
                .await
                .map_err(|e| text(&e))?;
            println!(
                "Retell agent {} now belongs to clinic '{}'",
                agent.as_str(),
                org.slug
            );
        }
    }
    Ok(())
}

/// Applies a clinic file: only what it says changes (a new slug creates the clinic from it).
/// Says what changed, or with `check_only` what would, and writes nothing then.
async fn import(
    store: &Store,
    settings: &Settings,
    slug: &str,
    path: &std::path::Path,
    check_only: bool,
) -> Result<(), String> {
    let in_file = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| in_file(&e))?;
    let patch = ClinicPatch::parse(&text).map_err(|e| in_file(&e))?;
    let slug = Slug::parse(slug).map_err(|e| e.to_string())?;
    let existing = store.org_by_slug(&slug).await.map_err(|e| e.to_string())?;
    let org = match existing {
        Some(org) => org,
        None => {
            // Check the whole file before the clinic is created, so a bad file adds nothing.
            let mut file = patch.new_clinic().map_err(|e| in_file(&e))?;
            patch.clone().apply(&mut file);
            setup::check(&file).map_err(|e| in_file(&e))?;
            if check_only {
                println!(
                    "{} is a valid clinic file for a new clinic '{slug}'",
                    path.display()
                );
                return Ok(());
            }
            let zone = TimeZone::parse(&file.time_zone).map_err(|e| e.to_string())?;
            let new = NewOrganization::new(&file.name, slug, zone).map_err(|e| e.to_string())?;
            let org = store.create_org(new).await.map_err(|e| e.to_string())?;
            println!("added clinic '{}' ({}) id {}", org.slug, org.name, org.id);
            println!(
                "Retell custom LLM URL: {}/{}",
                settings.websocket_base(),
                org.slug
            );
            org
        }
    };
    let applied = setup::apply_file(store, &org, patch, !check_only)
        .await
        .map_err(|e| in_file(&e))?;
    if check_only {
        println!(
            "{} is a valid clinic file; importing it into '{}':",
            path.display(),
            org.slug
        );
    } else {
        println!(
            "imported clinic '{}': {} provider(s), {} operatories, {} appointment type(s){}",
            org.slug,
            applied.summary.providers,
            applied.summary.operatories,
            applied.summary.appointment_types,
            if applied.summary.deactivated > 0 {
                format!(
                    "; {} no longer in the file deactivated",
                    applied.summary.deactivated
                )
            } else {
                String::new()
            }
        );
    }
    for change in &applied.changes {
        println!("  {change}");
    }
    if !check_only {
        print_unready(store, settings, &org).await?;
    }
    Ok(())
}

async fn api_key(store: &Store, command: ApiKeyCommand) -> Result<(), String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match command {
        ApiKeyCommand::Create { slug, label } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let key = NewApiKey::generate(label);
            store
                .insert_api_key(org.id, &key)
                .await
                .map_err(|e| text(&e))?;
            println!("{}", key.secret);
            eprintln!(
                "Booking API key for '{}' (prefix {}). It is shown once: store it now. Use it as\n  Authorization: Bearer <key>",
                org.slug, key.prefix
            );
        }
        ApiKeyCommand::List { slug } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            let keys = store.api_keys(org.id).await.map_err(|e| text(&e))?;
            println!(
                "{:<14}  {:<20}  {:<25}  STATUS",
                "PREFIX", "LABEL", "CREATED"
            );
            for key in &keys {
                println!(
                    "{:<14}  {:<20}  {:<25}  {}",
                    key.prefix,
                    key.label.as_deref().unwrap_or(""),
                    key.created_at.format("%Y-%m-%d %H:%M UTC"),
                    if key.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
        ApiKeyCommand::Revoke { slug, prefix } => {
            let org = store.require_org(&slug).await.map_err(|e| text(&e))?;
            if store
                .revoke_api_key(org.id, prefix.trim())
                .await
                .map_err(|e| text(&e))?
            {
                println!("revoked key {prefix} of '{}'", org.slug);
            } else {
                return Err(format!("clinic '{}' has no active key {prefix}", org.slug));
            }
        }
    }
    Ok(())
}

/// Whether the server holds a key that verifies this clinic's webhooks.
fn has_webhook_key(settings: &Settings, org: &Organization) -> bool {
    settings.retell_api_key.is_some() || settings.retell_org_keys.contains_key(org.slug.as_str())
}

async fn checklist(
    store: &Store,
    settings: &Settings,
    org: &Organization,
) -> Result<readiness::Checklist, String> {
    readiness::for_clinic(store, org, has_webhook_key(settings, org))
        .await
        .map_err(|e| e.to_string())
}

/// After `org add` or an import: what the clinic still needs before it can book by phone.
async fn print_unready(
    store: &Store,
    settings: &Settings,
    org: &Organization,
) -> Result<(), String> {
    let list = checklist(store, settings, org).await?;
    if list.can_book() {
        return Ok(());
    }
    println!(
        "'{}' cannot book by phone yet (callers hear that and are offered the front desk). Still missing:",
        org.slug
    );
    for item in list.unmet().filter(|item| item.needed_to_book()) {
        println!("  - {}: {}", item.title, item.next_step);
    }
    println!(
        "Set these up with `ascendia org import {} FILE` (start from `ascendia org export demo`); `ascendia org status {}` shows the whole checklist.",
        org.slug, org.slug
    );
    Ok(())
}

/// `org status`: the checklist, the Retell agents mapped, the last call and webhook.
async fn status(store: &Store, settings: &Settings, org: &Organization) -> Result<(), String> {
    let list = checklist(store, settings, org).await?;
    let agents = store.agent_ids(org.id).await.map_err(|e| e.to_string())?;
    let last = store
        .last_activity(org.id)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "clinic '{}' ({}), time zone {}",
        org.slug, org.name, org.time_zone
    );
    println!(
        "Retell custom LLM URL: {}/{}",
        settings.websocket_base(),
        org.slug
    );
    println!("setup: {} of {} done", list.met(), list.total());
    for item in &list.items {
        if item.met {
            println!("  [x] {}", item.title);
        } else {
            println!("  [ ] {}: {}", item.title, item.next_step);
        }
    }
    println!(
        "Retell agents mapped: {}",
        if agents.is_empty() {
            "none (`ascendia org set-agent SLUG AGENT_ID`)".to_owned()
        } else {
            agents.join(", ")
        }
    );
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| match at {
        Some(at) => format!(
            "{} ({})",
            org.time_zone.local(at).format("%Y-%m-%d %H:%M"),
            org.time_zone
        ),
        None => "never".to_owned(),
    };
    println!("last call: {}", when(last.call));
    println!("last webhook event: {}", when(last.webhook));
    if list.can_book() {
        println!("books by phone: yes");
        Ok(())
    } else {
        Err(format!(
            "'{}' cannot book by phone yet: {}",
            org.slug,
            list.unmet()
                .filter(|item| item.needed_to_book())
                .map(|item| item.title.to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Columns as wide as their widest cell (names may be long or not ASCII).
fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; N]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(*header);
    for row in rows {
        line(std::array::from_fn(|i| row[i].as_str()));
    }
}
