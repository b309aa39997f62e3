//! `partner-hub`: serve the API (default), migrate the database, or print the OpenAPI document.

use std::process::ExitCode;

use api::config::Config;
use clap::{Parser, Subcommand, ValueEnum};

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
    /// Print the OpenAPI document.
    Openapi {
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    api::telemetry::init(cli.config.log_format, &cli.config.log);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new()
            .block_on(api::serve(cli.config))
            .map_err(api::CliError::from),
        Command::Migrate => api::open_database(&cli.config)
            .map(drop)
            .map_err(api::CliError::from),
        Command::CreatePlatformAdmin { email, name, logon } => {
            api::create_platform_admin(&cli.config, &email, name.as_deref(), logon.as_deref()).map(
                |link| {
                    #[allow(clippy::print_stdout)] // the link is this command's output
                    {
                        println!("{link}");
                    }
                },
            )
        }
        Command::Openapi { format } => {
            let document = api::openapi::document();
            let text = match format {
                Format::Yaml => api::openapi::to_yaml(&document),
                Format::Json => document.to_pretty_json().unwrap_or_default() + "\n",
            };
            #[allow(clippy::print_stdout)] // the document is this command's output
            {
                print!("{text}");
            }
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "partner-hub failed");
            eprintln!("partner-hub: {error}");
            ExitCode::FAILURE
        }
    }
}
