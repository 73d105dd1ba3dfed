// Many small, short-lived allocations per request (rows, JSON values, GraphQL trees): mimalloc
// serves them faster than the system allocator and returns memory promptly.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::main()
}
