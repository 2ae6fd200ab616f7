//! The `memberlens` CLI: parses arguments, reads files, calls the library, prints.

#[cfg(all(
    target_os = "linux",
    not(any(feature = "mimalloc", feature = "system-alloc"))
))]
mod alloc;
mod args;
mod summary;
#[cfg(feature = "mimalloc")]
mod with_mimalloc;

/// The CLI's own allocator: it beat mimalloc on time and memory (scripts/bench_alloc.sh,
/// docs/performance.md). Features `mimalloc` and `system-alloc` replace it for comparison.
#[cfg(all(
    target_os = "linux",
    not(any(feature = "mimalloc", feature = "system-alloc"))
))]
#[global_allocator]
static ALLOC: alloc::CachingAlloc = alloc::CachingAlloc;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use memberlens::{export, report, Analyzer};

use args::{Format, Request};

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    with_mimalloc::return_freed_memory_at_once();
    let request = match args::parse(std::env::args_os()) {
        Ok(request) => request,
        Err(e) => return e.report(),
    };
    match run(&request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memberlens: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(Request { files, args }: &Request) -> Result<()> {
    let mut analyzer = Analyzer::new();
    // The CLI never re-reads a file with other options: do not keep the bytes.
    analyzer.set_keep_bytes(false);
    let t0 = std::time::Instant::now();
    let phase = |name: &str| {
        if args.timings {
            eprintln!("[timing] {name}: {:.3}s", t0.elapsed().as_secs_f64());
        }
    };
    for (path, kind) in files {
        let bytes = std::fs::read(path)
            .with_context(|| format!("{}: cannot read the file", path.display()))?;
        phase("read");
        analyzer
            .add_file(&file_name(path), bytes, args.file_options(*kind))
            .map_err(|e| anyhow::anyhow!("{}\n{}", e.message_en(), e.message_zh()))?;
    }
    phase("ingest");
    let analysis = analyzer
        .analyze(&args.analysis_options())
        .map_err(|e| anyhow::anyhow!("{}\n{}", e.message_en(), e.message_zh()))?;
    phase("analyze");
    match args.format {
        Format::Text => print!("{}", summary::text_summary(&analysis.report)),
        Format::Json => println!("{}", report::to_json(&analysis.report)),
    }
    phase("print");
    if let Some(out) = &args.members_out {
        let analysis = analyzer.analysis().context("no analysis to export")?;
        let cannot_write = || format!("{}: cannot write the member table", out.display());
        if out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        {
            let bytes = export::members_xlsx(analysis.members.iter())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(out, bytes).with_context(cannot_write)?;
        } else {
            // Streamed: each member is written as it is read, never held as a row.
            let file = std::fs::File::create(out).with_context(cannot_write)?;
            export::write_members_csv(std::io::BufWriter::new(file), analysis.members.iter())
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(cannot_write)?;
        }
        eprintln!(
            "wrote {} members to {}",
            analysis.members.len(),
            out.display()
        );
    }
    // The process ends here: freeing a million orders one by one would only delay the exit
    // (about 0.25 s on the 1M-order benchmark); the OS reclaims the memory at once.
    std::mem::forget(analyzer);
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
