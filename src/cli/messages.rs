//! `ascendia messages list SLUG` and `messages handled SLUG ID`: the front desk's messages
//! from the terminal.

use chrono::Utc;
use clap::Subcommand;

use crate::booking::{Message, MessageId, MessageQuery, MessageStatus, Scheduler};
use crate::config::Settings;
use crate::tenancy::Organization;

#[derive(Subcommand)]
pub enum MessagesCommand {
    /// List a clinic's new messages, newest first (--all: handled ones too).
    List {
        slug: String,
        /// From this date (the clinic's), YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// To this date, inclusive.
        #[arg(long)]
        to: Option<String>,
        /// Include messages already handled.
        #[arg(long)]
        all: bool,
    },
    /// Mark a message handled.
    Handled { slug: String, id: String },
}

pub async fn run(command: MessagesCommand, settings: &Settings) -> Result<(), String> {
    let store = crate::booking::open_store(
        &settings.database_url,
        settings.admin_database_url.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let scheduler = Scheduler::new(store.clone());
    match command {
        MessagesCommand::List {
            slug,
            from,
            to,
            all,
        } => {
            let org = store.require_org(&slug).await.map_err(|e| e.to_string())?;
            let day = |raw: Option<String>| {
                raw.as_deref()
                    .map(|d| crate::booking::parse_date(d, "date"))
                    .transpose()
                    .map_err(|e| e.to_string())
            };
            let query = MessageQuery {
                from: day(from)?,
                to: day(to)?,
                status: (!all).then_some(MessageStatus::New),
                limit: Some(200),
                offset: None,
            };
            let messages = all_pages(&scheduler, &org, query).await?;
            print_table(&org, &messages);
            Ok(())
        }
        MessagesCommand::Handled { slug, id } => {
            let org = store.require_org(&slug).await.map_err(|e| e.to_string())?;
            let id = id.parse::<MessageId>().map_err(|e| e.to_string())?;
            let message = scheduler
                .mark_message_handled(&org, id, Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            println!("message {} is handled", message.id);
            Ok(())
        }
    }
}

async fn all_pages(
    scheduler: &Scheduler,
    org: &Organization,
    mut query: MessageQuery,
) -> Result<Vec<Message>, String> {
    let mut messages = Vec::new();
    loop {
        let page = scheduler
            .messages(org, &query)
            .await
            .map_err(|e| e.to_string())?;
        messages.extend(page.items);
        match page.next_offset {
            Some(next) => query.offset = Some(next),
            None => return Ok(messages),
        }
    }
}

fn print_table(org: &Organization, messages: &[Message]) {
    let zone = org.time_zone.tz();
    println!(
        "{:<36}  {:<16}  {:<24}  {:<16}  {:<15}  REASON",
        "ID", "TIME", "NAME", "CALLBACK", "STATUS"
    );
    for m in messages {
        let mut status = m.status.as_str().to_owned();
        if m.urgent {
            status.push_str(", urgent");
        }
        if let Some(language) = &m.language {
            status.push_str(&format!(", {language}"));
        }
        println!(
            "{:<36}  {:<16}  {:<24}  {:<16}  {:<15}  {}",
            m.id,
            m.created_at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
            m.caller_name,
            m.callback.as_ref().map(|p| p.as_str()).unwrap_or(""),
            status,
            // One message, one line.
            m.reason.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    if messages.is_empty() {
        println!("(no messages)");
    }
}
