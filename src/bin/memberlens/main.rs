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
use memberlens::analyzer::ExportFormat;
use memberlens::export::{HeaderLang, Layout};
use memberlens::members::MemberQuery;
use memberlens::{report, Analyzer, FileOptions};

use args::{AudienceOut, Format, HtmlOut, Lang, ListLayout, Output, Request};

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

fn both(e: memberlens::Error) -> anyhow::Error {
    anyhow::anyhow!("{}\n{}", e.message_en(), e.message_zh())
}

fn format_of(path: &Path) -> ExportFormat {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        ExportFormat::Xlsx
    } else {
        ExportFormat::Csv
    }
}

/// Reads a file into the analyzer. A file of at most an eighth of the memory available is
/// read whole, its rows in two parts at once (one per core), and its text freed once they are
/// read: at 10M orders (445 MB) 1.5 s sooner than in pieces, with the same peak (the
/// analysis's, about 4× the file). A larger one is read as it comes from disk, 4 MiB at a
/// time: the engine reads the rows of each piece and frees its text, so the whole text is never
/// held (a file that cannot be read so is gathered whole by the engine; one that turns out not
/// to be UTF-8 past its first pieces is read again, whole).
fn add_file(analyzer: &mut Analyzer, path: &Path, options: FileOptions) -> Result<()> {
    use std::io::Read;
    let name = file_name(path);
    let cannot_read = || format!("{}: cannot read the file", path.display());
    let mut file = std::fs::File::open(path).with_context(cannot_read)?;
    let size = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    // MEMBERLENS_READ=pieces|whole chooses the way regardless of size (tests, measurements).
    let whole = match std::env::var("MEMBERLENS_READ").as_deref() {
        Ok("pieces") => false,
        Ok("whole") => true,
        _ => size <= available_memory() / 8,
    };
    if whole {
        let bytes = std::fs::read(path).with_context(cannot_read)?;
        analyzer.add_file(&name, bytes, options).map_err(both)?;
        return Ok(());
    }
    analyzer.begin_file_streamed(&name, size, options.clone());
    let mut piece = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut piece).with_context(cannot_read)?;
        if n == 0 {
            break;
        }
        analyzer.push_chunk(&name, &piece[..n]).map_err(both)?;
    }
    drop(piece);
    match analyzer.finish_file(&name, options.clone()) {
        Err(memberlens::Error::ReadWhole { .. }) => {
            let bytes = std::fs::read(path).with_context(cannot_read)?;
            analyzer.add_file(&name, bytes, options).map_err(both)?;
        }
        r => {
            r.map_err(both)?;
        }
    }
    Ok(())
}

/// Memory the system could give now (`MemAvailable`), or 0 when it cannot tell.
fn available_memory() -> usize {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(0)
}

fn run(
    Request {
        files,
        args,
        output,
    }: &Request,
) -> Result<()> {
    let mut analyzer = Analyzer::new();
    // The CLI never re-reads a file with other options: do not keep the bytes.
    analyzer.set_keep_bytes(false);
    if let Some(path) = &args.tags {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the tag scheme", path.display()))?;
        analyzer
            .set_catalogue(Some(&text))
            .map_err(both)
            .with_context(|| format!("{}: not a usable tag scheme", path.display()))?;
    }
    if let Some(path) = &args.playbook {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the playbook", path.display()))?;
        analyzer
            .set_playbook(Some(&text))
            .map_err(both)
            .with_context(|| format!("{}: not a usable playbook", path.display()))?;
    }
    let t0 = std::time::Instant::now();
    let phase = |name: &str| {
        if args.timings {
            eprintln!("[timing] {name}: {:.3}s", t0.elapsed().as_secs_f64());
        }
    };
    for (path, kind) in files {
        add_file(&mut analyzer, path, args.file_options(*kind))?;
        phase("read");
    }
    phase("ingest");
    let analysis = analyzer.analyze(&args.analysis_options()).map_err(both)?;
    phase("analyze");
    match output {
        Output::Print => match args.format {
            Format::Text => print!("{}", summary::text_summary(&analysis.report)),
            Format::Json => println!("{}", report::to_json(&analysis.report)),
        },
        Output::Audience(a) => {
            write_audience(&analyzer, a)?;
            std::mem::forget(analyzer);
            return Ok(());
        }
        Output::Html(h) => {
            write_html(&analyzer, h)?;
            std::mem::forget(analyzer);
            return Ok(());
        }
    }
    phase("print");
    if let Some(out) = &args.members_out {
        let cannot_write = || format!("{}: cannot write the member table", out.display());
        // Streamed (CSV): each member is written as it is read, never held as a row.
        let file = std::fs::File::create(out).with_context(cannot_write)?;
        let n = analyzer
            .write_list(
                std::io::BufWriter::new(file),
                &MemberQuery::default(),
                format_of(out),
                Layout::Full,
                HeaderLang::Zh,
                false,
            )
            .map_err(both)
            .with_context(cannot_write)?;
        eprintln!("wrote {n} members to {}", out.display());
    }
    // The process ends here: freeing a million orders one by one would only delay the exit
    // (about 0.25 s on the 1M-order benchmark); the OS reclaims the memory at once.
    std::mem::forget(analyzer);
    Ok(())
}

/// `memberlens audience`: the members the rule selects, written as a list.
fn write_audience(analyzer: &Analyzer, a: &AudienceOut) -> Result<()> {
    let query = MemberQuery {
        rule: Some(a.rule.clone()),
        ..Default::default()
    };
    let layout = match a.layout {
        ListLayout::Audience => Layout::Audience,
        ListLayout::Touch => Layout::Touch,
        ListLayout::Full => Layout::Full,
    };
    let lang = match a.lang {
        Lang::Zh => HeaderLang::Zh,
        Lang::En => HeaderLang::En,
    };
    let selected = analyzer.count_rule(&a.rule).map_err(both)?;
    let cannot_write = || format!("{}: cannot write the list", a.out.display());
    let file = std::fs::File::create(&a.out).with_context(cannot_write)?;
    let n = analyzer
        .write_list(
            std::io::BufWriter::new(file),
            &query,
            format_of(&a.out),
            layout,
            lang,
            a.mask,
        )
        .map_err(both)
        .with_context(cannot_write)?;
    let members = analyzer.analysis().map_or(0, |x| x.members.len());
    println!(
        "{selected} of {members} members match; wrote {n} to {}",
        a.out.display()
    );
    if n < selected {
        println!(
            "{} members without a phone are not in the touch list / {} 人没有手机号，未写入触达名单",
            selected - n,
            selected - n
        );
    }
    Ok(())
}

/// `memberlens report`: the client report, one HTML document.
fn write_html(analyzer: &Analyzer, h: &HtmlOut) -> Result<()> {
    let html = analyzer.report_html(&h.options).map_err(both)?;
    std::fs::write(&h.out, html)
        .with_context(|| format!("{}: cannot write the report", h.out.display()))?;
    println!("wrote the report to {}", h.out.display());
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
