use std::io::IsTerminal;

fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    let interactive = stdout.is_terminal() && std::io::stdin().is_terminal();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut io = threshold::Io {
        stdin: &mut std::io::stdin().lock(),
        stdout: &mut stdout.lock(),
        stderr: &mut std::io::stderr().lock(),
        styled,
        // London time, from the bundled time-zone database: every area is in England, and
        // the system's zone would mean searching its time-zone folder for a name.
        now: jiff::Timestamp::now().to_zoned_datetime(threshold::hours::london().clone()),
        interactive,
    };
    std::process::ExitCode::from(threshold::run(std::env::args_os(), &mut io))
}
