use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ascendia::agent::AgentRouter;
use ascendia::booking::AgentKind;
use ascendia::cli::org::OrgCommand;
use ascendia::client::loadtest::{self, LoadOptions};
use ascendia::client::persona::Persona;
use ascendia::client::{CallClient, CallOptions, script};
use ascendia::config::Settings;
use ascendia::{Server, server::shutdown_signal, telemetry};
use clap::{Parser, Subcommand};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

#[derive(Parser)]
#[command(
    name = "ascendia",
    version,
    about = "The brain of AI phone receptionists for dental clinics"
)]
struct Cli {
    /// Config file (default: ./ascendia.toml when present). Environment variables win.
    #[arg(long, global = true, env = "ASCENDIA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Retell calls for every clinic.
    Serve,
    /// Manage clinics (organizations).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Database administration.
    #[command(subcommand)]
    Db(DbCommand),
    /// Clinics' call records.
    #[command(subcommand)]
    Calls(ascendia::cli::calls::CallsCommand),
    /// A clinic's appointments of a day, with names.
    #[command(subcommand)]
    Appointments(ascendia::cli::appointments::AppointmentsCommand),
    /// Messages the receptionist took for the front desk.
    #[command(subcommand)]
    Messages(ascendia::cli::messages::MessagesCommand),
    /// Staff accounts for the web console.
    #[command(subcommand)]
    User(ascendia::cli::user::UserCommand),
    /// Call a custom-LLM server as Retell would: type what the caller says.
    Call {
        /// WebSocket URL; a call id is appended (default: this server's demo clinic).
        url: Option<String>,
        /// Play a scripted caller instead of reading the terminal.
        #[arg(long)]
        script: Option<PathBuf>,
        /// How long the agent may take to complete a response.
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// Run the agent here, on this machine's database, instead of calling a server.
        #[arg(long, value_parser = ["builtin", "llm"], conflicts_with = "url")]
        agent: Option<String>,
        /// The clinic to call, for local runs (default: demo).
        #[arg(long, default_value = "demo")]
        clinic: String,
        /// The caller's number, as Retell's call details give it (default: a made-up number,
        /// new each run, as are the `{first_name}`, `{last_name}` and `{birth_date}` a
        /// script's lines may use).
        #[arg(long)]
        from: Option<String>,
        /// For wss:// URLs: trust the CA (or self-signed) certificate in this PEM file instead
        /// of the public web's roots.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
    },
    /// Many concurrent simulated calls; reports latency and server memory.
    Loadtest {
        /// WebSocket base URL, e.g. ws://127.0.0.1:8080/llm-websocket/demo
        url: String,
        #[arg(long, default_value_t = 100)]
        calls: usize,
        /// Seconds of traffic after the ramp.
        #[arg(long, default_value_t = 30)]
        duration: u64,
        /// Seconds over which calls connect.
        #[arg(long, default_value_t = 5)]
        ramp: u64,
        /// Pings only, to measure memory per idle call.
        #[arg(long)]
        idle: bool,
        /// Include per-word timings in transcripts, as Retell does.
        #[arg(long)]
        words: bool,
        /// The server's process id, to report its memory.
        #[arg(long)]
        server_pid: Option<u32>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Apply migrations. PostgreSQL: as ASCENDIA_ADMIN_DATABASE_URL (the owning role), granting
    /// the role of ASCENDIA_DATABASE_URL what the server needs; then checks that role.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            telemetry::init(settings.log_format);
            let server = Server::build(&settings, AgentRouter::from_settings(&settings, None))
                .await
                .map_err(|e| e.to_string())?;
            server
                .run_until(shutdown_signal())
                .await
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Db(DbCommand::Migrate) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            let is_postgres = !settings.database_url.starts_with("sqlite:");
            if is_postgres && settings.admin_database_url.is_none() {
                return Err(
                    "set ASCENDIA_ADMIN_DATABASE_URL to the role that owns the schema".into(),
                );
            }
            let store = ascendia::booking::open_store(
                &settings.database_url,
                settings.admin_database_url.as_deref(),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("{} database is migrated and ready", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Calls(command) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            ascendia::cli::calls::run(command, &settings)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Appointments(command) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            ascendia::cli::appointments::run(command, &settings)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Messages(command) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            ascendia::cli::messages::run(command, &settings)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::User(command) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            ascendia::cli::user::run(command, &settings)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Org(command) => {
            let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
            ascendia::cli::org::run(command, &settings)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Call {
            url,
            script,
            timeout_ms,
            agent,
            clinic,
            from,
            ca_cert,
        } => {
            let url = match (url, agent) {
                (Some(url), _) => url,
                (None, Some(agent)) => {
                    // A server of our own on a free port, with the chosen agent for every clinic.
                    let mut settings =
                        Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
                    settings.listen = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
                    let kind = AgentKind::parse(&agent).ok_or("--agent is builtin or llm")?;
                    let server =
                        Server::build(&settings, AgentRouter::from_settings(&settings, Some(kind)))
                            .await
                            .map_err(|e| e.to_string())?;
                    let addr = server.local_addr().map_err(|e| e.to_string())?;
                    tokio::spawn(server.run_until(std::future::pending()));
                    format!("ws://{addr}/llm-websocket/{clinic}")
                }
                (None, None) => {
                    let settings =
                        Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
                    format!("{}/{clinic}", settings.websocket_base())
                }
            };
            let persona = Persona::random();
            let mut options = CallOptions::default();
            options.call.from_number = Some(from.unwrap_or_else(|| persona.phone.clone()));
            if let Some(path) = ca_cert {
                options.tls = Some(ascendia::client::trusting(&path).map_err(|e| e.to_string())?);
            }
            let url = format!(
                "{}/cli-{}",
                url.trim_end_matches('/'),
                uuid::Uuid::new_v4().simple()
            );
            let timeout = Duration::from_millis(timeout_ms);
            match script {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    let steps = persona.fill_in(script::parse(&text).map_err(|e| e.to_string())?);
                    script::run_with(&url, options, &steps, timeout, |line| println!("{line}"))
                        .await
                        .map_err(|e| e.to_string())?;
                    println!("script passed");
                    Ok(ExitCode::SUCCESS)
                }
                None => interactive(&url, options, timeout)
                    .await
                    .map(|()| ExitCode::SUCCESS),
            }
        }
        Command::Loadtest {
            url,
            calls,
            duration,
            ramp,
            idle,
            words,
            server_pid,
            json,
        } => {
            let mut options = LoadOptions::new(&url, calls, Duration::from_secs(duration));
            options.ramp = Duration::from_secs(ramp);
            options.idle = idle;
            options.words = words;
            options.server_pid = server_pid;
            let report = loadtest::run(options).await;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", report.render());
            }
            Ok(
                if report.connect_failures == 0 && report.closed_early == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                },
            )
        }
    }
}

/// A terminal call: each line is what the caller says; `/silence` asks for a reminder and
/// `/quit` hangs up. Agent words print as they stream.
async fn interactive(url: &str, options: CallOptions, timeout: Duration) -> Result<(), String> {
    let mut client = CallClient::connect(url, options)
        .await
        .map_err(|e| e.to_string())?;
    let mut stdout = tokio::io::stdout();
    let greeting = client.greeting(timeout).await.map_err(|e| e.to_string())?;
    println!("agent: {}", greeting.text);
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        let _ = stdout.write_all(b"you: ").await;
        let _ = stdout.flush().await;
        let Ok(Some(line)) = lines.next_line().await else {
            break;
        };
        let line = line.trim();
        if line == "/quit" {
            break;
        }
        let _ = stdout.write_all(b"agent: ").await;
        let _ = stdout.flush().await;
        let turn = if line.is_empty() || line == "/silence" {
            client.silence(timeout).await
        } else {
            client
                .say_with(line, timeout, |chunk| {
                    print!("{chunk}");
                    let _ = std::io::Write::flush(&mut std::io::stdout());
                })
                .await
        };
        let turn = turn.map_err(|e| e.to_string())?;
        for call in &turn.tool_calls {
            println!(
                "\n  [tool] {}({}) -> {}",
                call.name,
                call.arguments,
                call.result.as_deref().unwrap_or("(no result)")
            );
        }
        if line.is_empty() || line == "/silence" {
            print!("{}", turn.text);
        }
        println!();
        if turn.end_call {
            println!("(the agent ended the call)");
            break;
        }
        if let Some(number) = turn.transfer_number {
            println!("(the agent transferred the call to {number})");
            break;
        }
    }
    client.hang_up().await;
    Ok(())
}
