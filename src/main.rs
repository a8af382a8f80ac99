//! The `tfremedy` binary: parse arguments, run, map the outcome to an exit code (0 ok, 1 drift, 2 error)
//! and print errors with their whole cause chain.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = tfremedy::cli::Cli::parse();
    let stdin = std::io::stdin();
    match tfremedy::app::run(cli, &mut stdin.lock()) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
