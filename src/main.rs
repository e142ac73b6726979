//! The `flowdiff` binary: the library's command line ([`flowdiff::run`]) with this process's
//! arguments.

/// The binary's allocator (the library leaves the choice to its user): reading a large capture
/// is millions of small allocations, which mimalloc serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    flowdiff::run(std::env::args_os())
}
