//! `threshold-web-page MODULE.wasm OUT.html`: write the offline page with the module inlined
//! (web/build.sh runs it). Errors name the file and exit 2.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [wasm, out] = args.as_slice() else {
        eprintln!(
            "threshold-web-page: error: give the module and the page to write\n  help: threshold-web-page target/wasm32-unknown-unknown/web/threshold_web.wasm threshold.html"
        );
        return ExitCode::from(2);
    };
    let module = match std::fs::read(wasm) {
        Ok(bytes) if bytes.starts_with(b"\0asm") => bytes,
        Ok(_) => {
            eprintln!(
                "threshold-web-page: {wasm}: error: not a WebAssembly module\n  help: build it with web/build.sh"
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!(
                "threshold-web-page: {wasm}: error: cannot read the module: {e}\n  help: build it with web/build.sh"
            );
            return ExitCode::from(2);
        }
    };
    let page = threshold_web::page::build(&module);
    if let Err(e) = std::fs::write(out, &page) {
        eprintln!(
            "threshold-web-page: {out}: error: cannot write the page: {e}\n  help: check the folder exists and can be written"
        );
        return ExitCode::from(2);
    }
    println!(
        "wrote {out}: {} bytes ({} bytes of WebAssembly)",
        page.len(),
        module.len()
    );
    ExitCode::SUCCESS
}
