//! threshold-web in a real browser: headless Chromium opens the page that web/build.sh
//! built (target/threshold-web/threshold.html, from a file:// address as a practitioner
//! opens it from a folder), and the test drives it through the DevTools protocol over a
//! pipe (`--remote-debugging-pipe`: no port, no socket of the test's own but the counting
//! proxy below).
//!
//! - Every example case (examples/cases/) is walked through the interview's screens,
//!   answering each question the page asks from the case; the page's result must equal
//!   `threshold assess --format json` on the case file the page offers to save (the same
//!   answers), and its levels, routes, actions and contacts must equal `assess` on the
//!   example itself (the questions it skipped could not change them).
//! - Three visits as a practitioner makes them: one with the keyboard only (real key
//!   events: Tab, arrows, Space, Enter, typing), one in immediate danger, and one with a
//!   change at review and a judgement that differs from the tool's, with its reason (its
//!   saved case file then opened again in a new visit).
//! - No request leaves the page: the browser's only route out is a proxy on loopback that
//!   counts every connection made to it; the page then tries fetch, XHR, WebSocket, an
//!   image, a script, a style sheet, a frame and a beacon, each refused by its
//!   Content-Security-Policy, and the proxy sees none of them. (Chromium's own background
//!   services, at Google's addresses, do call out whatever page is open; they are counted
//!   apart. The page holds no address at all.) A control (the browser
//!   itself opening an address outside any page) must reach the proxy, which shows that
//!   the proxy would have seen a request. Nothing is stored (no cookie, no local or session
//!   storage). At 320 px wide nothing scrolls sideways; printed, the buttons are hidden.
//!
//! - The page shows what every other format shows (tests/parity.rs) for every example in
//!   every area, morning and Saturday night; Back (the page's and the browser's) undoes one
//!   answer, and leaving with answers asks first.
//!
//! Never skipped: with no Chromium, or no page built from today's sources, each test fails
//! and says what to run (`.ci/run` installs Chromium and builds the page first).
//! Unix only (it starts Chromium through `sh`); the Windows build is tested by the CLI suite.
#![cfg(unix)]

mod common;

use common::shows::{Shows, missing, normalise};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use threshold::render::view::View;

const AT: &str = "2026-11-24T10:00:00Z";
/// A fuse, not a measurement: a browser that stops answering fails the test instead of
/// hanging it.
const FUSE: Duration = Duration::from_secs(120);

fn page() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/threshold-web/threshold.html")
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Chromium and the page, built from the sources as they are now. A test of the page never
/// passes without running: with no Chromium, no page, or a page older than a source it is
/// built from, it fails and says what to do.
fn ready() -> PathBuf {
    let Some(chromium) = chromium() else {
        panic!("Chromium is not installed: apt-get install chromium (.ci/run does)");
    };
    let built = std::fs::metadata(page())
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("the page is not built: run web/build.sh (.ci/run does)"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let newer: Vec<PathBuf> = ["web/page", "web/src", "src", "model/src", "rules"]
        .iter()
        .flat_map(|dir| files_under(&root.join(dir)))
        .filter(|f| {
            std::fs::metadata(f)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > built)
        })
        .collect();
    assert!(
        newer.is_empty(),
        "the page is older than its sources ({}): run web/build.sh again",
        newer[..newer.len().min(3)]
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    chromium
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Counts every connection made to it, and what each asked for.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    /// Connections whose request line was read.
    count: Arc<AtomicUsize>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let (s, c) = (Arc::clone(&seen), Arc::clone(&count));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (s, c) = (Arc::clone(&s), Arc::clone(&c));
                // A thread each: Chromium opens connections ahead of need that may never
                // send a request line.
                std::thread::spawn(move || {
                    let mut head = [0u8; 512];
                    let n = stream.read(&mut head).unwrap_or(0);
                    let line = String::from_utf8_lossy(&head[..n])
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    s.lock().unwrap().push(line);
                    c.fetch_add(1, Ordering::SeqCst);
                    let _ =
                        stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                });
            }
        });
        Proxy { port, seen, count }
    }

    /// Every connection that asked for something, but Chromium's own background services
    /// (the clock, updates and accounts at Google's addresses, which it asks for whatever
    /// page is open, and which the flags above only reduce): the count, and what each asked
    /// for. A connection closed before it sent a byte (Chromium opens one to its proxy
    /// ahead of need, and may close it unused) asked for nothing and carried nothing.
    fn connections(&self) -> (usize, Vec<String>) {
        let seen: Vec<String> = self
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|line| !line.is_empty() && !browser_own(line))
            .cloned()
            .collect();
        debug_assert!(self.count.load(Ordering::SeqCst) >= seen.len());
        (seen.len(), seen)
    }
}

/// A request line to one of Chromium's own services: `CONNECT host:443` or
/// `GET http://host/...` for a host under google.com, googleapis.com or gvt1.com.
fn browser_own(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let (Some(_method), Some(target)) = (words.next(), words.next()) else {
        return false;
    };
    let host = target
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    ["google.com", "googleapis.com", "gvt1.com"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

/// Headless Chromium under the DevTools protocol, over its pipe.
struct Browser {
    child: Child,
    to: ChildStdin,
    from: mpsc::Receiver<Value>,
    events: Vec<Value>,
    next: u64,
    session: Option<String>,
    /// How many "Leave site?" questions the page has made the browser ask (each accepted).
    dialogs: usize,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(chromium: &Path, proxy: &Proxy) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        // fd 3 is what Chromium reads commands from, fd 4 where it writes replies: the shell
        // joins them to this process's pipes.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null")
            .arg(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter",
                "--disable-domain-reliability",
                "--disable-client-side-phishing-detection",
                "--disable-default-apps",
                "--disable-extensions",
                "--no-pings",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-pipe",
                "--window-size=1024,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
            // Loopback too goes through the proxy: no address is exempt.
            .arg("--proxy-bypass-list=<-loopback>")
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let to = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, from) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 65536];
            while let Ok(n) = out.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..n]);
                while let Some(end) = buffer.iter().position(|b| *b == 0) {
                    let message: Vec<u8> = buffer.drain(..=end).collect();
                    if let Ok(value) = serde_json::from_slice(&message[..end])
                        && tx.send(value).is_err()
                    {
                        return;
                    }
                }
            }
        });
        Browser {
            child,
            to,
            from,
            events: Vec::new(),
            next: 0,
            session: None,
            dialogs: 0,
            _profile: profile,
        }
    }

    fn receive(&mut self) -> Value {
        self.from
            .recv_timeout(FUSE)
            .expect("Chromium answers over its pipe")
    }

    /// Send a command (to the attached page, if any) and wait for its reply.
    fn send(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        if std::env::var_os("THRESHOLD_WEB_TRACE").is_some() {
            eprintln!("-> {method}");
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("write to Chromium");
        loop {
            let reply = match self.events.iter().position(|e| e["id"] == json!(id)) {
                Some(i) => self.events.remove(i),
                None => self.receive(),
            };
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
            if reply["method"] == "Page.javascriptDialogOpening" {
                // A "Leave site?" question holds the navigation until it is answered.
                assert_eq!(reply["params"]["type"], "beforeunload", "{reply}");
                self.dialogs += 1;
                self.send("Page.handleJavaScriptDialog", json!({"accept": true}));
                continue;
            }
            self.events.push(reply);
        }
    }

    /// Wait for an event by name (it may have come already).
    fn wait_for(&mut self, method: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(i);
        }
        loop {
            let event = self.receive();
            if event["method"] == method {
                return event;
            }
            if event["method"] == "Page.javascriptDialogOpening" {
                self.dialogs += 1;
                self.send("Page.handleJavaScriptDialog", json!({"accept": true}));
                continue;
            }
            self.events.push(event);
        }
    }

    /// Open `url` in a new page and attach to it, with network events on.
    fn open(&mut self, url: &str) {
        let target = self.send("Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.send(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        self.send("Page.enable", json!({}));
        self.send("Network.enable", json!({}));
        self.send("Runtime.enable", json!({}));
        self.navigate(url);
    }

    fn navigate(&mut self, url: &str) {
        self.events.retain(|e| e["method"] != "Page.loadEventFired");
        self.send("Page.navigate", json!({"url": url}));
        self.wait_for("Page.loadEventFired");
        self.eval("window.threshold.ready.then(() => true)");
    }

    /// Load the page afresh: a new visit, nothing kept from the last.
    fn reload(&mut self) {
        self.events.retain(|e| e["method"] != "Page.loadEventFired");
        self.send("Page.reload", json!({"ignoreCache": true}));
        self.wait_for("Page.loadEventFired");
        self.eval("window.threshold.ready.then(() => true)");
    }

    /// Evaluate `expression` in the page (awaiting a promise); its value as JSON.
    fn eval(&mut self, expression: &str) -> Value {
        let reply = self.send(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
        );
        if let Some(exception) = reply.get("exceptionDetails") {
            panic!("the page threw: {exception}\nin: {expression}");
        }
        reply["result"]["value"].clone()
    }

    /// Press a key, as a keyboard does (down, then up).
    fn key(&mut self, key: &str) {
        let (code, keycode, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            "Space" => ("Space", 32, " "),
            "ArrowDown" => ("ArrowDown", 40, ""),
            other => panic!("no key {other}"),
        };
        let name = if key == "Space" { " " } else { key };
        let mut down = json!({"type": "keyDown", "key": name, "code": code,
            "windowsVirtualKeyCode": keycode, "nativeVirtualKeyCode": keycode});
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.send("Input.dispatchKeyEvent", down);
        self.send(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": name, "code": code,
                "windowsVirtualKeyCode": keycode, "nativeVirtualKeyCode": keycode}),
        );
    }

    /// Type text into the focused field, one key at a time.
    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            self.send(
                "Input.dispatchKeyEvent",
                json!({"type": "keyDown", "key": s, "text": s}),
            );
            self.send("Input.dispatchKeyEvent", json!({"type": "keyUp", "key": s}));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn url() -> String {
    format!("file://{}#at={AT}", page().display())
}

/// The DOM driver: answers every screen of the interview from `oracle` (a visit's case, as
/// the page's own reader gives it) up to the review, then shows the result.
const DRIVER: &str = r##"
window.__walk = function (oracle) {
  const word = (v) => (v === true || /^(yes|true)$/i.test(String(v))) ? "yes"
    : (v === false || /^(no|false)$/i.test(String(v))) ? "no" : "unknown";
  const asked = [];
  for (let n = 0; n < 400; n++) {
    const title = document.getElementById("screen-title").textContent;
    const f = document.querySelector("#screen form");
    if (title === "Your answers") break;
    if (title === "Area") {
      f.querySelector('input[value="' + oracle.area + '"]').checked = true;
    } else if (f && f.dataset.question) {
      const id = f.dataset.question;
      const child = f.dataset.child;
      const answers = child === undefined ? oracle.answers : oracle.children[+child].answers;
      const v = answers[id];
      asked.push((child === undefined ? "" : child + ":") + id);
      const count = f.querySelector("#count");
      if (count && typeof v === "number") count.value = String(v);
      else f.querySelector('input[name=answer][value="' + (count ? "unknown" : word(v)) + '"]').checked = true;
    } else if (title === "Children") {
      f.querySelector("#child-count").value = String(oracle.children.length);
    } else if (/^Child \d+$/.test(title)) {
      const c = oracle.children[+title.slice(6) - 1];
      f.querySelector("#child-label").value = c.id;
      f.querySelector("#child-unborn").checked = !!c.unborn;
      f.querySelector("#child-age").value = c.unborn ? "" : String(c.age);
    } else {
      throw new Error("unexpected screen: " + title);
    }
    f.requestSubmit();
  }
  return asked;
};
window.__result = function () {
  document.getElementById("see-result").click();
  return window.__shown();
};
window.__shown = function () {
  const save = document.getElementById("save-case").getAttribute("href");
  return {
    result: JSON.parse(document.getElementById("result-json").textContent),
    record: document.getElementById("record").value,
    case_file: decodeURIComponent(save.slice(save.indexOf(",") + 1)),
    level: document.getElementById("household-level").textContent,
    danger: document.getElementById("danger").hidden ? "" : document.getElementById("danger").textContent,
  };
};
window.__oracle = function (name, text) {
  const reply = window.threshold.call({ op: "read_case", name: name, text: text });
  if (reply.error) throw new Error(reply.error);
  return reply.case;
};
true
"##;

fn assess(case: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_threshold"))
        .args(["assess"])
        .arg(case)
        .args(["--format", "json", "--at", AT])
        .env_remove("THRESHOLD_RULES")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        case.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What the interview promises to keep whatever it skips: levels, routes (and for whom),
/// actions, contacts and the emergency.
fn decision(result: &Value) -> Value {
    let pick = |list: &Value, f: &dyn Fn(&Value) -> Value| -> Value {
        list.as_array().unwrap().iter().map(f).collect()
    };
    json!({
        "emergency": result["emergency"],
        "overall": result["overall"],
        "children": pick(&result["children"], &|c| json!([c["id"], c["level"], c["could_reach"]])),
        "routes": pick(&result["routes"], &|r| json!([r["id"], r["children"]])),
        "actions": pick(&result["actions"], &|a| a["text"].clone()),
        "contacts": pick(&result["contacts"], &|c| json!([c["id"], c["open_now"]])),
    })
}

/// The page's result equals `assess` on the case file the page saved, exactly.
fn same_as_assess(shown: &Value, dir: &Path, name: &str) -> Value {
    let saved = dir.join(format!("{name}.yaml"));
    std::fs::write(&saved, shown["case_file"].as_str().unwrap()).unwrap();
    let expected = assess(&saved);
    assert_eq!(
        shown["result"], expected,
        "{name}: the page's result differs from `threshold assess` on its own case file"
    );
    expected
}

fn walk_file(browser: &mut Browser, path: &Path) -> (Value, Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let oracle = browser.eval(&format!(
        "window.__oracle({}, {})",
        json!(name),
        json!(text)
    ));
    let asked = browser.eval(&format!("window.__walk({oracle})"));
    (browser.eval("window.__result()"), asked)
}

#[test]
fn the_page_in_chromium_gives_assess_results_asks_no_network_and_stores_nothing() {
    let chromium = ready();
    let proxy = Proxy::start();
    let mut browser = Browser::launch(&chromium, &proxy);
    browser.open(&url());
    browser.eval(DRIVER);
    let dir = tempfile::tempdir().unwrap();

    // Every example case, walked through the screens.
    let mut examples: Vec<PathBuf> = std::fs::read_dir("examples/cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 16, "{examples:?}");
    for example in &examples {
        let name = example.file_stem().unwrap().to_string_lossy().into_owned();
        browser.reload();
        browser.eval(DRIVER);
        let (shown, asked) = walk_file(&mut browser, example);
        assert_eq!(
            asked[0],
            json!("immediate_danger"),
            "{name}: immediate danger comes first"
        );
        same_as_assess(&shown, dir.path(), &name);
        assert_eq!(
            decision(&shown["result"]),
            decision(&assess(example)),
            "{name}: the page's decision differs from `threshold assess {}`",
            example.display()
        );
        let level = shown["level"].as_str().unwrap();
        match shown["result"]["overall"]["name"].as_str() {
            Some(tier_name) => assert!(level.contains(tier_name), "{name}: {level}"),
            None => assert!(level.contains("No children"), "{name}: {level}"),
        }
        if shown["result"]["emergency"] == true {
            assert!(
                shown["danger"].as_str().unwrap().contains("Ring 999 now"),
                "{name}"
            );
        }
    }

    // No request leaves the page. First a control: the browser itself, outside any page,
    // does reach the proxy, so the proxy would see a request if one were made.
    let before = proxy.connections().0;
    assert_eq!(
        before,
        0,
        "the browser made connections while the page ran: {:?}",
        proxy.connections().1
    );
    let target = format!("http://127.0.0.1:{}/", proxy.port);
    let attempts = browser.eval(&format!(
        r##"(async () => {{
        const target = {target:?};
        const violations = [];
        document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
        const tried = [];
        try {{ await fetch(target + "fetch"); tried.push("fetch went"); }} catch (e) {{ tried.push("fetch refused"); }}
        try {{ const x = new XMLHttpRequest(); x.open("GET", target + "xhr"); x.send(); }} catch (e) {{ tried.push("xhr refused"); }}
        try {{ new WebSocket(target.replace("http", "ws") + "ws"); }} catch (e) {{ tried.push("ws refused"); }}
        try {{ tried.push("beacon " + navigator.sendBeacon(target + "beacon", "x")); }} catch (e) {{ tried.push("beacon refused"); }}
        const img = new Image(); img.src = target + "img"; document.body.append(img);
        const s = document.createElement("script"); s.src = target + "script"; document.body.append(s);
        const l = document.createElement("link"); l.rel = "stylesheet"; l.href = target + "css"; document.head.append(l);
        const f = document.createElement("iframe"); f.src = target + "frame"; document.body.append(f);
        await new Promise((r) => setTimeout(r, 500));
        return {{ tried: tried, violations: violations }};
        }})()"##
    ));
    let violations = attempts["violations"].as_array().unwrap();
    for directive in [
        "connect-src",
        "img-src",
        "script-src-elem",
        "style-src-elem",
        "frame-src",
    ] {
        assert!(
            violations.iter().any(|v| v == directive),
            "{directive} was not refused: {attempts}"
        );
    }
    assert!(
        attempts["tried"]
            .as_array()
            .unwrap()
            .contains(&json!("fetch refused")),
        "{attempts}"
    );
    // DevTools lists a request the policy refused as failed with the reason "csp".
    let blocked: Vec<&Value> = browser
        .events
        .iter()
        .filter(|e| e["method"] == "Network.loadingFailed" && e["params"]["blockedReason"] == "csp")
        .map(|e| &e["params"]["requestId"])
        .collect();
    let outside: Vec<(String, Value)> = browser
        .events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .map(|e| {
            let url = e["params"]["request"]["url"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (url, e["params"]["requestId"].clone())
        })
        .filter(|(url, _)| {
            !["file://", "data:", "about:"]
                .iter()
                .any(|p| url.starts_with(p))
        })
        .collect();
    for (url, id) in &outside {
        assert!(blocked.contains(&id), "{url} was not refused by the policy");
    }
    assert_eq!(
        proxy.connections().0,
        0,
        "a request left the page: {:?}",
        proxy.connections().1
    );
    let control = browser.send(
        "Target.createTarget",
        json!({"url": format!("{target}control")}),
    );
    assert!(control["targetId"].is_string());
    // A fuse of 30 s, polled: the control's connection comes from the browser's network
    // process in its own time.
    for _ in 0..600 {
        if proxy.connections().0 > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        proxy.connections().1.iter().any(|l| l.contains("/control")),
        "{:?}",
        proxy.connections().1
    );

    // Nothing is stored.
    let stored = browser.eval(
        "({cookie: document.cookie, local: localStorage.length, session: sessionStorage.length})",
    );
    assert_eq!(stored, json!({"cookie": "", "local": 0, "session": 0}));
}

#[test]
fn three_visits_keyboard_only_in_danger_and_with_a_different_judgement() {
    let chromium = ready();
    let proxy = Proxy::start();
    let mut browser = Browser::launch(&chromium, &proxy);
    let dir = tempfile::tempdir().unwrap();

    // 1. Keyboard only, read at 320 px: Salford, no concerns, one child of 7.
    browser.open(&url());
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": true}),
    );
    browser.eval(DRIVER);
    let mut screens = 0;
    loop {
        screens += 1;
        assert!(screens < 80, "the keyboard visit does not end");
        let now = browser.eval(
            r##"(() => {
            const f = document.querySelector("#screen form");
            const unlabelled = [...document.querySelectorAll("#screen input, #screen select, #screen textarea")]
              .filter((i) => i.labels.length === 0 && !i.getAttribute("aria-label"));
            return {
              title: document.getElementById("screen-title").textContent,
              focused: document.activeElement.id,
              question: f ? (f.dataset.question || "") : "",
              type: f && f.querySelector("#count") ? "count" : "",
              unlabelled: unlabelled.map((i) => i.id),
              wide: document.documentElement.scrollWidth,
              status: document.getElementById("status").textContent,
            };
            })()"##,
        );
        let title = now["title"].as_str().unwrap().to_string();
        assert_eq!(
            now["focused"], "screen-title",
            "{title}: focus is on the new screen"
        );
        assert!(
            !now["status"].as_str().unwrap().is_empty(),
            "{title}: announced"
        );
        assert_eq!(
            now["unlabelled"],
            json!([]),
            "{title}: every field has a label"
        );
        assert!(
            now["wide"].as_u64().unwrap() <= 320,
            "{title}: {} px wide at 320",
            now["wide"]
        );
        if title == "Your answers" {
            break;
        }
        browser.key("Tab");
        match title.as_str() {
            "Area" => {
                // Redbridge, Salford, Torbay, Trafford: the first is focused, one down checks Salford.
                browser.key("ArrowDown");
            }
            "Children" => browser.type_text("1"),
            "Child 1" => {
                // The label field holds "A"; on to the age.
                browser.key("Tab");
                browser.type_text("7");
            }
            _ if now["type"] == "count" => browser.type_text("0"),
            _ => {
                // Yes, No, Not known: the first is focused; one down checks No. For the
                // strengths (support, engagement) yes is the reassuring answer: Space.
                let reassuring_yes = ["support_network", "engaging_with_services"]
                    .contains(&now["question"].as_str().unwrap());
                if reassuring_yes {
                    browser.key("Space");
                } else {
                    browser.key("ArrowDown");
                }
            }
        }
        // On to the form's button, by Tab alone, and press it.
        for _ in 0..6 {
            let on = browser.eval("document.activeElement.type || ''");
            if on == "submit" {
                break;
            }
            browser.key("Tab");
        }
        assert_eq!(
            browser.eval("document.activeElement.type || ''"),
            "submit",
            "{title}"
        );
        browser.key("Enter");
    }
    for _ in 0..30 {
        if browser.eval("document.activeElement.id") == "see-result" {
            break;
        }
        browser.key("Tab");
    }
    browser.key("Enter");
    let shown = browser.eval("window.__shown()");
    let expected = same_as_assess(&shown, dir.path(), "keyboard");
    assert_eq!(expected["children"][0]["id"], "A");
    assert_eq!(expected["children"][0]["age"], 7);
    assert_eq!(expected["area"]["id"], "salford");
    let wide = browser.eval("document.documentElement.scrollWidth");
    assert!(
        wide.as_u64().unwrap() <= 320,
        "the result is {wide} px wide at 320"
    );
    // Printed: the buttons go, the result stays.
    browser.send("Emulation.setEmulatedMedia", json!({"media": "print"}));
    let printed = browser.eval(
        r##"({button: getComputedStyle(document.getElementById("see-result") || document.querySelector("button")).display,
            level: getComputedStyle(document.getElementById("household-level")).display})"##,
    );
    assert_eq!(printed["button"], "none", "{printed}");
    assert_ne!(printed["level"], "none", "{printed}");
    browser.send("Emulation.setEmulatedMedia", json!({"media": ""}));
    browser.send("Emulation.clearDeviceMetricsOverride", json!({}));

    // 2. Immediate danger: the 999 panel comes before any other question.
    browser.reload();
    browser.eval(DRIVER);
    let panel = browser.eval(
        r##"(() => {
        const f = () => document.querySelector("#screen form");
        f().querySelector('input[value="trafford"]').checked = true; f().requestSubmit();
        const first = f().dataset.question;
        f().querySelector('input[value="yes"]').checked = true; f().requestSubmit();
        const danger = document.getElementById("danger");
        return {first: first, hidden: danger.hidden, role: danger.getAttribute("role"), text: danger.textContent, next: f() ? f().dataset.question : ""};
        })()"##,
    );
    assert_eq!(panel["first"], "immediate_danger");
    assert_eq!(panel["hidden"], false, "{panel}");
    assert_eq!(panel["role"], "alert");
    assert!(
        panel["text"].as_str().unwrap().contains("Ring 999 now"),
        "{panel}"
    );
    // The panel is decided once (threshold::interview::danger): the page says what the
    // terminal says after the call.
    assert!(
        panel["text"]
            .as_str()
            .unwrap()
            .contains(threshold::interview::danger::THEN),
        "{panel}"
    );
    assert_ne!(panel["next"], "immediate_danger");
    let oracle = json!({"area": "trafford", "answers": {"immediate_danger": "yes"},
        "children": [{"id": "baby", "unborn": true, "answers": {}}, {"id": "B", "age": 4, "answers": {}}]});
    browser.eval(&format!("window.__walk({oracle})"));
    let shown = browser.eval("window.__result()");
    let expected = same_as_assess(&shown, dir.path(), "danger");
    assert_eq!(expected["emergency"], true);
    assert_eq!(
        expected["contacts"][0]["phone"], "999",
        "{}",
        expected["contacts"]
    );

    // 3. Two children, an answer changed at review, a judgement with its reason.
    browser.reload();
    browser.eval(DRIVER);
    let oracle = json!({"area": "redbridge", "answers": {"immediate_danger": "no", "adult_mental_health": "yes"},
        "children": [{"id": "A", "age": 9, "answers": {}}, {"id": "B", "age": 15, "answers": {"young_carer": "yes"}}]});
    browser.eval(&format!("window.__walk({oracle})"));
    let before = browser.eval("window.__result()");
    let changed = browser.eval(
        r##"(() => {
        document.getElementById("back-to-answers").click();
        document.getElementById("change-answer").click();
        const button = [...document.querySelectorAll("#screen button")].find((b) => b.dataset.question === "adult_substance_misuse");
        button.click();
        const f = document.querySelector("#screen form");
        f.querySelector('input[value="yes"]').checked = true; f.requestSubmit();
        return document.getElementById("screen-title").textContent;
        })()"##,
    );
    assert!(changed.is_string());
    // Whatever the change opened is asked; then the review again.
    let more = json!({"area": "redbridge", "answers": {}, "children": [{"id": "A", "age": 9, "answers": {}}, {"id": "B", "age": 15, "answers": {}}]});
    browser.eval(&format!("window.__walk({more})"));
    let after = browser.eval("window.__result()");
    let tool = after["result"]["overall"]["level"].as_u64().unwrap();
    let mine = if tool == 4 { 3 } else { tool + 1 };
    let judged = browser.eval(&format!(
        r##"(() => {{
        document.getElementById("judgement").value = "{mine}";
        document.getElementById("record-judgement").click();
        const refused = document.getElementById("judgement-error").textContent;
        document.getElementById("reason").value = "Known to the school nurse; seen twice this term.";
        document.getElementById("record-judgement").click();
        return {{refused: refused, shown: window.__shown()}};
        }})()"##
    ));
    assert!(
        judged["refused"]
            .as_str()
            .unwrap()
            .contains("reason is needed"),
        "{judged}"
    );
    let shown = &judged["shown"];
    let expected = same_as_assess(shown, dir.path(), "judgement");
    assert_eq!(expected["recorded_level"], json!(mine));
    assert_eq!(expected["agrees"], false);
    let record = shown["record"].as_str().unwrap();
    assert!(record.contains("Known to the school nurse"), "{record}");
    assert!(
        record.contains("different from the tool's; both are kept"),
        "{record}"
    );
    assert_ne!(
        before["result"], after["result"],
        "the change at review changed nothing"
    );

    // The case file it saved, opened again in a new visit: the same answers, the same
    // result, and only what is still not known is asked.
    browser.reload();
    browser.eval(DRIVER);
    let input = browser.send(
        "Runtime.evaluate",
        json!({"expression": "document.getElementById('open-case')"}),
    );
    browser.send(
        "DOM.setFileInputFiles",
        json!({"files": [dir.path().join("judgement.yaml")], "objectId": input["result"]["objectId"]}),
    );
    browser.eval(
        r##"new Promise((done) => {
        const wait = () => document.getElementById("screen-title").textContent === "Area" ? setTimeout(wait, 20) : done(true);
        wait();
        })"##,
    );
    // As `check --answers` does, a question answered "not known" may be asked again; one
    // answered yes or no never is.
    let asked = browser.eval(&format!("window.__walk({more})"));
    for answered in [
        "immediate_danger",
        "adult_mental_health",
        "adult_substance_misuse",
        "1:young_carer",
    ] {
        assert!(
            !asked.as_array().unwrap().contains(&json!(answered)),
            "{answered} asked again: {asked}"
        );
    }
    let reopened = browser.eval("window.__result()");
    assert_eq!(
        decision(&reopened["result"]),
        decision(&expected),
        "the reopened case gives another result"
    );
    assert_eq!(proxy.connections().0, 0, "{:?}", proxy.connections().1);
}

/// The result screen's view as a person reads it (the layout's text, white space collapsed).
const VIEW_TEXT: &str = "document.getElementById('view').innerText";

/// The page shows what every other format shows (tests/parity.rs): each example case, in
/// every area, at a weekday morning and at a Saturday night, walked through the page; its
/// result screen holds the levels, the urgency, the numbers in the same order, what is not
/// yet known, the unknowns and every basis of the one view of the result.
#[test]
fn the_page_shows_the_same_result_as_every_format() {
    let chromium = ready();
    let proxy = Proxy::start();
    let mut browser = Browser::launch(&chromium, &proxy);
    let rules = threshold::rules::bundled().unwrap();
    let mut examples: Vec<PathBuf> = std::fs::read_dir("examples/cases")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut opened = false;
    let mut last_url = String::new();
    for at in ["2026-11-24T10:00:00Z", "2026-11-28T23:00:00Z"] {
        let url = format!("file://{}#at={at}", page().display());
        let moment = threshold::hours::parse_moment(at).unwrap();
        for path in &examples {
            let text = std::fs::read_to_string(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for area in &rules.areas {
                // A fresh page for each visit. Only the address's fragment changes between
                // moments, which no browser loads afresh: it goes by a blank page.
                if !opened {
                    browser.open(&url);
                    opened = true;
                } else if url == last_url {
                    browser.reload();
                } else {
                    browser
                        .events
                        .retain(|e| e["method"] != "Page.loadEventFired");
                    browser.send("Page.navigate", json!({"url": "about:blank"}));
                    browser.wait_for("Page.loadEventFired");
                    browser.navigate(&url);
                }
                last_url.clone_from(&url);
                browser.eval(DRIVER);
                let oracle = browser.eval(&format!(
                    "Object.assign(window.__oracle({}, {}), {{area: {}}})",
                    json!(name),
                    json!(text),
                    json!(area.id)
                ));
                browser.eval(&format!("window.__walk({oracle})"));
                let shown = browser.eval("window.__result()");
                let saved = shown["case_file"].as_str().unwrap();
                let case = threshold::case::read(saved.as_bytes(), &name, &rules.questions)
                    .unwrap_or_else(|e| {
                        panic!("{name}: the page saved a case `assess` refuses: {e}")
                    });
                let outcome = threshold::engine::assess(area, &rules.questions, &case, &moment);
                let view = View::of(&rules, &outcome);
                let page = browser.eval(VIEW_TEXT);
                let gaps = missing(&view, &normalise(page.as_str().unwrap()), Shows::Everything);
                checked += 1;
                if !gaps.is_empty() {
                    failures.push(format!("{name} in {} at {at}: {gaps:?}", area.id));
                }
            }
        }
    }
    assert_eq!(checked, examples.len() * rules.areas.len() * 2);
    assert!(
        failures.is_empty(),
        "{} of {checked} results on the page do not show what every format shows:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    assert_eq!(proxy.connections().0, 0, "the page made a connection");
}

/// A wrong click does not lose a visit: the page's Back button and the browser's own Back
/// each undo the last answer and return to its question, and leaving (a reload, closing
/// the tab) with answers asks first.
#[test]
fn back_undoes_one_answer_and_leaving_with_answers_asks_first() {
    let chromium = ready();
    let proxy = Proxy::start();
    let mut browser = Browser::launch(&chromium, &proxy);
    browser.open(&url());
    let title = |b: &mut Browser| b.eval("document.getElementById('screen-title').textContent");
    let visit = |b: &mut Browser| b.eval("JSON.stringify(window.threshold.visit())");
    assert_eq!(title(&mut browser), "Area");
    assert_eq!(
        browser.eval("document.getElementById('back').disabled"),
        true
    );
    browser.eval("document.querySelector('input[value=salford]').checked = true; document.querySelector('#screen form').requestSubmit(); true");
    let at_first = visit(&mut browser);
    let first = title(&mut browser);
    assert!(
        first.as_str().unwrap().contains("immediate danger"),
        "{first}"
    );
    browser.eval("document.querySelector('input[name=answer][value=no]').checked = true; document.querySelector('#screen form').requestSubmit(); true");
    let second = title(&mut browser);
    assert_ne!(second, first);

    // The page's Back: the answer is undone and its question asked again.
    browser.eval("document.getElementById('back').click(); true");
    browser.eval("new Promise((r) => setTimeout(() => r(true), 200))");
    assert_eq!(title(&mut browser), first);
    assert_eq!(
        visit(&mut browser),
        at_first,
        "Back restores the visit as it was"
    );

    // The browser's Back, as a wrong click on it: the same, and the page is not left.
    browser.eval("document.querySelector('input[name=answer][value=no]').checked = true; document.querySelector('#screen form').requestSubmit(); true");
    assert_eq!(title(&mut browser), second);
    let history = browser.send("Page.getNavigationHistory", json!({}));
    let current = history["currentIndex"].as_u64().unwrap() as usize;
    let entry = history["entries"][current - 1]["id"].clone();
    browser.send("Page.navigateToHistoryEntry", json!({"entryId": entry}));
    browser.eval("new Promise((r) => setTimeout(() => r(true), 200))");
    assert_eq!(title(&mut browser), first);
    assert_eq!(visit(&mut browser), at_first);

    // Leaving with answers asks first (the browser's own "Leave site?" question).
    browser.send(
        "Runtime.evaluate",
        json!({"expression": "document.querySelector('input[name=answer][value=no]').click()", "userGesture": true}),
    );
    let dialogs = browser.dialogs;
    browser.reload();
    assert_eq!(
        browser.dialogs,
        dialogs + 1,
        "no warning before the visit was lost"
    );
}
