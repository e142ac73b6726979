//! The `flowdiff` binary: the library's command line ([`flowdiff::run`]) with this process's
//! arguments.

fn main() -> std::process::ExitCode {
    flowdiff::run(std::env::args_os())
}
