//! `partner-hub`: serve the API (default), migrate the database, or print the OpenAPI document.

use std::process::ExitCode;

use api::config::Config;
use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc instead of glibc's allocator: a listing page allocates thousands of small strings,
/// and glibc's malloc/free showed as a large share of its CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "partner-hub", version, about = "Partner Hub API server")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Invite a platform admin and print the single-use invitation link.
    CreatePlatformAdmin {
        #[arg(long)]
        email: String,
        /// Display name (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
        /// User logon (default: the email address).
        #[arg(long, alias = "username")]
        logon: Option<String>,
    },
    /// Generate the demo dataset: one large partner (PARTDEMO) and many small ones, with
    /// customers, entities and users; prints the link to set up PARTDEMO's admin.
    Demo {
        /// Customers of the large partner.
        #[arg(long, default_value_t = 1000)]
        customers: u32,
        /// Partners in all; each but the large one gets 50 customers.
        #[arg(long, default_value_t = 5)]
        partners: u32,
        /// Entities per customer, the group layer included.
        #[arg(long, default_value_t = 3)]
        entities: u32,
        /// Users per customer (one admin, the rest users).
        #[arg(long, default_value_t = 5)]
        users: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Measure the listing's database work in a tight loop, without HTTP (`make bench`'s F1):
    /// prints JSON with the CPU time per round.
    Floor {
        /// An access token of the user whose listing is read.
        #[arg(long, env = "PH_FLOOR_TOKEN")]
        token: String,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// The server's keys (the key file).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit trail's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document.
    Openapi {
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Add a new key that signs and seals from now on, seal every secret again with it (one
    /// transaction), and retire the keys no token or secret needs any more. Servers pick the new
    /// key up within a minute; nobody is logged out.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the chain from its first link: prints what was checked and the last good hash (a
    /// checkpoint to keep elsewhere); fails naming the first broken link.
    Verify,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    api::telemetry::init(cli.config.log_format, &cli.config.log);
    match run(cli.command.unwrap_or(Command::Serve), &cli.config) {
        Ok(output) => {
            #[allow(clippy::print_stdout)] // a command's answer is its output
            {
                print!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "partner-hub failed");
            eprintln!("partner-hub: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `command`; returns what it prints.
fn run(command: Command, config: &Config) -> Result<String, api::CliError> {
    match command {
        Command::Serve => {
            actix_web::rt::System::new().block_on(api::serve(config.clone()))?;
            Ok(String::new())
        }
        Command::Migrate => {
            api::open_database(config)?;
            Ok(String::new())
        }
        Command::CreatePlatformAdmin { email, name, logon } => {
            let link =
                api::create_platform_admin(config, &email, name.as_deref(), logon.as_deref())?;
            Ok(format!("{link}\n"))
        }
        Command::Demo {
            customers,
            partners,
            entities,
            users,
            seed,
        } => {
            let options = api::demo::DemoOptions {
                customers,
                partners,
                small_customers: 50,
                entities,
                users,
                seed,
            };
            let started = std::time::Instant::now();
            let report = api::generate_demo(config, &options)?;
            Ok(format!(
                "{} customers in {} partners in {:.1} s.\nPARTDEMO's admin (admin@demo.example) sets up their login here:\n{}\n",
                report.customers,
                report.partners,
                started.elapsed().as_secs_f64(),
                report.admin_link
            ))
        }
        Command::Floor { token, seconds } => {
            let floor = api::floor::run(config, &token, seconds)?;
            Ok(format!("{}\n", serde_json::json!(floor)))
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            let db = api::open_database(config)?;
            let now = domain::clock::Clock::now(&domain::clock::SystemClock);
            let rotation = api::rotate_keys(&db, &config.signing_key_file, now)?;
            Ok(format!("{}\n", serde_json::json!(rotation)))
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let verdict = api::verify_audit(config)?;
            let report = serde_json::json!(verdict);
            match verdict.broken {
                None => Ok(format!("{report}\n")),
                Some(broken) => Err(api::CliError::Invalid(format!(
                    "{report}\nthe audit chain is broken at position {}: {}",
                    broken.position, broken.reason
                ))),
            }
        }
        Command::Openapi { format } => {
            let document = api::openapi::document();
            Ok(match format {
                Format::Yaml => api::openapi::to_yaml(&document),
                Format::Json => document.to_pretty_json().unwrap_or_default() + "\n",
            })
        }
    }
}
