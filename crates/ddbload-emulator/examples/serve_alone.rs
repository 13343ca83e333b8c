//! The endpoint alone in its own process, for profiling its HTTP path with perf (the wheel's module
//! carries no symbols): serves on 127.0.0.1:PORT with THREADS server threads for SECONDS, then stops.
//! Usage: cargo run --release -p ddbload-emulator --example serve_alone -- PORT [THREADS] [SECONDS]

use std::time::Duration;

use ddbload_emulator::Emulator;

// As in the ddbload extension, which serves this crate (src/lib.rs of the main crate).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let port = u16::try_from(number(0, 8000)).unwrap_or(8000);
    let emulator = Emulator::start("127.0.0.1", port, number(1, 1) as usize, "us-east-1")?;
    println!("serving on {}", emulator.url());
    std::thread::sleep(Duration::from_secs(number(2, 60)));
    Ok(())
}
