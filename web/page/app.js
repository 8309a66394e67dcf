// threshold-web: the interview of `threshold check` in the browser. The decisions (what to
// ask next, the result, the decision record) come from the WebAssembly module built from
// the threshold library; this script only shows them and keeps the visit in memory. It
// never stores anything and never makes a request (the page's Content-Security-Policy
// forbids both connections and other scripts). Text is always set with textContent.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let wasm = null;

  // --- the module ---------------------------------------------------------------------
  function call(request) {
    const bytes = new TextEncoder().encode(JSON.stringify(request));
    const ptr = wasm.threshold_input(bytes.length);
    new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
    const len = wasm.threshold_call();
    const out = wasm.threshold_output();
    const text = new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, out, len));
    return JSON.parse(text);
  }

  async function load() {
    const text = $("threshold-wasm").textContent.trim();
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const { instance } = await WebAssembly.instantiate(bytes, {});
    wasm = instance.exports;
  }

  // --- the visit ------------------------------------------------------------------------
  let info = null;
  let visit = null;
  let asked = 0;
  let last = null;

  function atFromHash() {
    const m = /(?:^#|&)at=([^&]+)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function newVisit() {
    visit = {
      at: atFromHash() || new Date().toISOString(),
      child_count: null,
      reason: null,
      case: { area: null, reference: null, recorded_level: null, answers: {}, children: [] },
    };
    asked = 0;
    last = null;
    undo = [];
  }

  // --- going back --------------------------------------------------------------------------
  // Each change to the visit is remembered first, so "Back" (the page's button or the
  // browser's) undoes the last answer instead of losing the visit.
  let undo = [];

  function remember() {
    undo.push(JSON.stringify({ visit: visit, asked: asked }));
    history.pushState({ threshold: undo.length }, "");
  }

  function goBack() {
    const saved = undo.pop();
    if (saved === undefined) return;
    const state = JSON.parse(saved);
    visit = state.visit;
    asked = Math.max(0, state.asked - 1);
    advance();
    $("status").textContent = "Back: the last answer is undone. " + $("status").textContent;
  }

  function backButton() {
    return el("button", { type: "button", id: "back", onclick: () => history.back(), disabled: undo.length === 0 }, ["Back"]);
  }

  function hasAnswers() {
    const c = visit.case;
    return c.area !== null || Object.keys(c.answers).length > 0 || c.children.length > 0;
  }

  window.addEventListener("popstate", () => goBack());
  window.addEventListener("beforeunload", (e) => {
    if (visit && hasAnswers()) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  function request(op, extra) {
    const reply = call(Object.assign({ op: op, visit: visit }, extra || {}));
    if (reply.error) {
      showError(reply.error);
      return null;
    }
    $("error").hidden = true;
    return reply;
  }

  function showError(text) {
    const box = $("error");
    box.replaceChildren(el("p", { class: "alert" }, [el("strong", {}, ["Something is wrong: "]), text]));
    box.hidden = false;
  }

  function answersOf(child) {
    return child === null ? visit.case.answers : visit.case.children[child].answers;
  }

  // --- building the page -----------------------------------------------------------------
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children || []) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function screen(title, nodes, announce) {
    const h = el("h2", { id: "screen-title", tabindex: "-1" }, [title]);
    $("screen").replaceChildren(h, ...nodes);
    $("status").textContent = announce || title;
    h.focus();
    window.scrollTo(0, 0);
  }

  function choice(name, value, text, checked) {
    const id = name + "-" + value;
    return el("label", { class: "choice", for: id }, [
      el("input", { type: "radio", name: name, id: id, value: value, checked: checked }),
      text,
    ]);
  }

  function errorLine(id) {
    return el("p", { id: id, class: "field-error", role: "alert" }, []);
  }

  function form(onsubmit, nodes) {
    const f = el("form", { novalidate: true }, nodes);
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      onsubmit(f, e.submitter);
    });
    return f;
  }

  function actions(buttons) {
    return el("div", { class: "actions" }, buttons);
  }

  // --- the danger panel --------------------------------------------------------------------
  function showDanger(danger) {
    const box = $("danger");
    if (!danger) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const nodes = [];
    if (danger.emergency) {
      nodes.push(el("strong", { class: "big" }, [danger.alarm]));
    }
    for (const text of danger.routes) {
      nodes.push(el("p", {}, [text]));
    }
    nodes.push(el("ol", {}, danger.contacts.map((c) =>
      el("li", {}, [el("span", {}, [c.name + ": "]), el("span", { class: "number" }, [c.reach]), el("span", {}, [", " + c.open])]))));
    if (danger.then) {
      nodes.push(el("p", {}, [danger.then]));
    }
    box.replaceChildren(el("div", { class: "alert" }, nodes));
    box.hidden = false;
  }

  // --- the steps ---------------------------------------------------------------------------
  function advance() {
    const reply = request("next");
    if (!reply) return;
    last = reply;
    showDanger(reply.danger);
    const step = reply.step;
    if (step.kind === "area") return askArea(false);
    if (step.kind === "question") return askQuestion(step, true);
    if (step.kind === "child_count") return askChildCount();
    if (step.kind === "child") return askChild(step);
    return showReview();
  }

  function askArea(changing) {
    const current = visit.case.area || "";
    const f = form((f) => {
      const chosen = f.querySelector("input[name=area]:checked");
      if (!chosen) {
        f.querySelector("#area-error").textContent = "Choose an area.";
        return;
      }
      remember();
      visit.case.area = chosen.value;
      advance();
    }, [
      el("fieldset", { "aria-describedby": "area-error" }, [
        el("legend", {}, ["Whose guidance applies? Choose the area where the child lives."]),
        ...info.areas.map((a) => choice("area", a.id, a.name, a.id === current)),
      ]),
      errorLine("area-error"),
      actions([el("button", { type: "submit", class: "primary" }, [changing ? "Change the area" : "Next"]), backButton()]),
    ]);
    screen("Area", [f]);
  }

  function askQuestion(step, numbered) {
    if (numbered) asked += 1;
    const who = step.child === null ? "" : " (child " + step.child_label + ")";
    const title = (numbered ? "Question " + asked + ": " : "Change: ") + step.short + who;
    const help = el("details", {}, [
      el("summary", {}, ["What this means, and the source"]),
      el("p", {}, [step.help]),
      el("p", { class: "source" }, ["Source: " + step.source]),
    ]);
    let inputs;
    if (step.type === "yesno") {
      const cur = step.current;
      inputs = [
        choice("answer", "yes", "Yes", cur === "yes"),
        choice("answer", "no", "No", cur === "no"),
        choice("answer", "unknown", "Not known", cur === "unknown"),
      ];
    } else {
      const cur = typeof step.current === "number" ? String(step.current) : "";
      inputs = [
        el("label", { for: "count" }, ["Number (whole number, 0 or more)"]),
        el("input", { type: "number", id: "count", name: "count", min: "0", step: "1", inputmode: "numeric", value: cur, "aria-describedby": "answer-error",
          // A number typed is the answer: "Not known" no longer holds.
          oninput: (e) => { const nk = e.target.form.querySelector("input[name=answer][value=unknown]"); if (nk) nk.checked = false; } }),
        choice("answer", "unknown", "Not known", step.current === "unknown"),
      ];
    }
    const f = form((f) => {
      const picked = f.querySelector("input[name=answer]:checked");
      let answer;
      if (step.type === "count" && !(picked && picked.value === "unknown")) {
        const text = f.querySelector("#count").value.trim();
        if (!/^\d+$/.test(text)) {
          f.querySelector("#answer-error").textContent = "Type a whole number, 0 or more, or choose Not known.";
          return;
        }
        answer = parseInt(text, 10);
      } else if (picked) {
        answer = picked.value;
      } else {
        f.querySelector("#answer-error").textContent = "Choose Yes, No or Not known.";
        return;
      }
      remember();
      answersOf(step.child)[step.id] = answer;
      advance();
    }, [
      el("p", { class: "small" }, [step.section_title]),
      el("fieldset", { "aria-describedby": "answer-error" }, [el("legend", {}, [step.prompt]), ...inputs]),
      errorLine("answer-error"),
      help,
      actions([el("button", { type: "submit", class: "primary" }, ["Next"]), backButton()]),
    ]);
    f.dataset.question = step.id;
    if (step.child !== null) f.dataset.child = String(step.child);
    screen(title, [f], title + ". " + step.prompt);
  }

  function askChildCount() {
    const f = form((f) => {
      const text = f.querySelector("#child-count").value.trim();
      if (!/^\d+$/.test(text) || parseInt(text, 10) > 20) {
        f.querySelector("#count-error").textContent = "Type a whole number from 0 to 20.";
        return;
      }
      remember();
      visit.child_count = parseInt(text, 10);
      advance();
    }, [
      el("label", { for: "child-count" }, ["How many children under 18 live in the household or often stay there? Count a baby on the way. Type 0 if there are none."]),
      el("input", { type: "number", id: "child-count", min: "0", max: "20", step: "1", inputmode: "numeric", "aria-describedby": "count-error" }),
      errorLine("count-error"),
      actions([el("button", { type: "submit", class: "primary" }, ["Next"]), backButton()]),
    ]);
    screen("Children", [f], "Children: how many?");
  }

  function ageFields(age, unborn) {
    return [
      el("label", { for: "child-age" }, ["Age in whole years, 0 to 17 (your best estimate)"]),
      el("input", { type: "number", id: "child-age", min: "0", max: "17", step: "1", inputmode: "numeric", value: age === null || age === undefined ? "" : String(age), "aria-describedby": "child-error" }),
      el("label", { class: "choice", for: "child-unborn" }, [
        el("input", { type: "checkbox", id: "child-unborn", checked: unborn }), "Unborn (a baby on the way)",
      ]),
    ];
  }

  function readAge(f) {
    const unborn = f.querySelector("#child-unborn").checked;
    const text = f.querySelector("#child-age").value.trim();
    if (unborn && text === "") return { unborn: true, age: null };
    if (!unborn && /^\d+$/.test(text) && parseInt(text, 10) <= 17) return { unborn: false, age: parseInt(text, 10) };
    return null;
  }

  function checkLabel(label, except) {
    const problem = call({ op: "check_label", label: label }).problem;
    if (problem) return problem;
    if (visit.case.children.some((c, i) => c.id === label && i !== except)) return "Another child has that label.";
    return null;
  }

  function askChild(step) {
    const f = form((f) => {
      const label = f.querySelector("#child-label").value.trim();
      const problem = checkLabel(label, -1);
      const age = readAge(f);
      const err = f.querySelector("#child-error");
      if (problem) { err.textContent = problem; return; }
      if (!age) { err.textContent = "Type an age from 0 to 17, or tick Unborn (and leave the age empty)."; return; }
      remember();
      visit.case.children.push({ id: label, age: age.age, unborn: age.unborn, answers: {} });
      if (visit.child_count === null || visit.child_count < visit.case.children.length) visit.child_count = visit.case.children.length;
      advance();
    }, [
      el("label", { for: "child-label" }, ["A label such as " + step.suggested_label + ", \"eldest\" or \"baby\". Never a name."]),
      el("input", { type: "text", id: "child-label", value: step.suggested_label, autocomplete: "off", "aria-describedby": "child-error" }),
      ...ageFields(null, false),
      errorLine("child-error"),
      actions([el("button", { type: "submit", class: "primary" }, ["Next"]), backButton()]),
    ]);
    screen("Child " + step.number, [f]);
  }

  // --- review ------------------------------------------------------------------------------
  function table(head, rows) {
    return el("table", {}, [
      el("thead", {}, [el("tr", {}, head.map((h) => el("th", { scope: "col" }, [h])))]),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) =>
        el("td", { "data-label": head[i] }, [c]))))),
    ]);
  }

  function showReview() {
    const review = last.review;
    const nodes = [];
    const area = info.areas.find((a) => a.id === visit.case.area);
    nodes.push(el("p", {}, ["Area: " + (area ? area.name : "not chosen")]));
    for (const s of review.sections) {
      nodes.push(el("h3", {}, [s.title]));
      nodes.push(s.rows.length ? table(["Question", "Answer"], s.rows) : el("p", {}, ["No answers yet."]));
    }
    if (visit.case.children.length === 0) nodes.push(el("p", {}, ["No children recorded."]));
    if (review.not_asked.length) {
      nodes.push(el("p", {}, ["Not asked, because no answer to them could change the level, routes or actions (they stay unknown; you can answer them with \"Change an answer\"): " + review.not_asked.join(", ") + "."]));
    }
    if (review.stale) {
      nodes.push(el("p", { class: "alert" }, ["Some answers no longer apply after a change, and are kept: change them to \"Not known\" if they are wrong (marked \"check it\")."]));
    }
    nodes.push(actions([
      el("button", { type: "button", class: "primary", id: "see-result", onclick: showResult }, ["See the result"]),
      el("button", { type: "button", id: "change-answer", onclick: showChanges }, ["Change an answer"]),
      el("button", { type: "button", id: "add-child", onclick: () => { remember(); visit.child_count = visit.case.children.length + 1; advance(); } }, ["Add a child"]),
      visit.case.children.length ? el("button", { type: "button", id: "remove-child", onclick: showRemove }, ["Remove a child"]) : "",
    ]));
    screen("Your answers", nodes, "Your answers, for review before the result.");
  }

  function showChanges() {
    const items = [el("li", {}, [el("button", { type: "button", onclick: () => askArea(true) }, ["Area: " + (visit.case.area || "not chosen")])])];
    let shownChild = null;
    for (const c of last.review.changeable) {
      if (c.child !== null && c.child !== shownChild) {
        shownChild = c.child;
        const child = visit.case.children[c.child];
        const i = c.child;
        items.push(el("li", {}, [el("button", { type: "button", onclick: () => editChild(i) }, ["Child " + child.id + ": label and age (" + (child.unborn ? "unborn" : child.age) + ")"])]));
      }
      const who = c.child === null ? "Household" : "Child " + visit.case.children[c.child].id;
      const text = who + " · " + c.short + ": " + c.answer + (c.stale ? " (no longer asked: check it)" : "");
      items.push(el("li", {}, [el("button", { type: "button", "data-question": c.id, "data-child": c.child === null ? "" : String(c.child), onclick: () => changeQuestion(c.child, c.id) }, [text])]));
    }
    // children with no questions listed yet still get their label and age
    visit.case.children.forEach((child, i) => {
      if (!last.review.changeable.some((c) => c.child === i)) {
        items.push(el("li", {}, [el("button", { type: "button", onclick: () => editChild(i) }, ["Child " + child.id + ": label and age"])]));
      }
    });
    screen("Change which answer?", [
      el("ul", {}, items),
      actions([el("button", { type: "button", onclick: showReview }, ["Back: change nothing"])]),
    ]);
  }

  function changeQuestion(child, id) {
    // Ask the question again, whatever the flow would ask next; then carry on with the flow.
    const saved = answersOf(child)[id];
    const step = questionStep(child, id);
    step.current = saved === undefined ? null : saved;
    askQuestion(step, false);
  }

  function questionStep(child, id) {
    const q = info.questions[id];
    return {
      kind: "question", child: child, id: id, type: q.type, prompt: q.prompt, short: q.short,
      help: q.help, source: q.source, child_label: child === null ? null : visit.case.children[child].id,
      section_title: child === null ? "Household and adult" : "Child " + visit.case.children[child].id,
    };
  }

  function editChild(i) {
    const child = visit.case.children[i];
    const f = form((f) => {
      const label = f.querySelector("#child-label").value.trim();
      const problem = checkLabel(label, i);
      const age = readAge(f);
      const err = f.querySelector("#child-error");
      if (problem) { err.textContent = problem; return; }
      if (!age) { err.textContent = "Type an age from 0 to 17, or tick Unborn (and leave the age empty)."; return; }
      remember();
      child.id = label;
      child.age = age.age;
      child.unborn = age.unborn;
      advance();
    }, [
      el("label", { for: "child-label" }, ["Label (never a name)"]),
      el("input", { type: "text", id: "child-label", value: child.id, autocomplete: "off", "aria-describedby": "child-error" }),
      ...ageFields(child.age, child.unborn),
      errorLine("child-error"),
      actions([el("button", { type: "submit", class: "primary" }, ["Save"])]),
    ]);
    screen("Child " + child.id, [f]);
  }

  function showRemove() {
    const f = form((f) => {
      const picked = f.querySelector("input[name=remove]:checked");
      if (!picked) { f.querySelector("#remove-error").textContent = "Choose a child."; return; }
      remember();
      visit.case.children.splice(parseInt(picked.value, 10), 1);
      visit.child_count = visit.case.children.length;
      advance();
    }, [
      el("fieldset", { "aria-describedby": "remove-error" }, [
        el("legend", {}, ["Remove which child and their answers?"]),
        ...visit.case.children.map((c, i) => choice("remove", String(i), "Child " + c.id, false)),
      ]),
      errorLine("remove-error"),
      actions([
        el("button", { type: "submit" }, ["Remove"]),
        el("button", { type: "button", onclick: showReview }, ["Back: remove nothing"]),
      ]),
    ]);
    screen("Remove a child", [f]);
  }

  // --- result ------------------------------------------------------------------------------
  function levelLabel(area, tier) {
    const l = area.levels.find((x) => x.level === tier);
    return l ? l.label : String(tier);
  }

  // A phone number or email that never wraps.
  function number(text) {
    return el("span", { class: "number" }, [text]);
  }

  function childLine(line) {
    return (line.child === null ? "" : line.child + ": ") + line.text;
  }

  // The view of the result, as every format shows it: the sections in order, worded by the
  // engine's view. Nothing here decides or words anything about the result.
  function viewNodes(v) {
    const nodes = [];
    if (v.emergency) {
      nodes.push(el("div", { class: "alert", id: "view-emergency" }, [el("strong", { class: "big" }, [v.emergency])]));
    }
    nodes.push(el("p", { id: "view-assessed" }, ["Assessed " + v.assessed + (v.reference ? ", reference " + v.reference : "") + ". " + v.rules + "."]));
    if (v.not_yet_known.length) {
      nodes.push(el("div", { class: "alert", id: "view-not-yet-known" }, [
        el("strong", {}, ["NOT YET KNOWN"]),
        el("ul", {}, v.not_yet_known.map((l) => el("li", {}, [childLine(l)]))),
      ]));
    }
    nodes.push(el("p", { class: "level", id: "household-level" }, [
      v.household === null ? "No children were recorded, so no level was decided." : "Household level: " + v.household,
    ]));
    if (v.children.length) {
      nodes.push(table(["Child", "Age", "Level", "Score", "Could reach"], v.children.map((c) => [
        c.id, c.age, c.level, String(c.score), c.could_reach === null ? "no higher" : c.could_reach + " if unknowns are worrying",
      ])));
    }
    nodes.push(el("h3", { id: "view-contacts-heading" }, [v.contacts.heading]));
    if (v.contacts.note) nodes.push(el("p", {}, [v.contacts.note]));
    const contacts = table(["#", "Who", "Number", "When"], v.contacts.rows.map((c, i) => [
      String(i + 1), c.name,
      el("span", {}, [c.phone ? number(c.phone) : "", c.phone && c.email ? el("br") : "", c.email ? number(c.email) : ""]),
      c.when + ". " + c.hours,
    ]));
    contacts.id = "view-contacts";
    v.contacts.rows.forEach((c, i) => { if (c.ring_now) contacts.tBodies[0].rows[i].classList.add("ring-now"); });
    nodes.push(contacts);
    nodes.push(el("h3", {}, ["Next actions"]));
    nodes.push(el("ol", { id: "view-actions" }, v.actions.map((a) => el("li", {}, [a.text + a.basis + " ", el("span", { class: "source" }, ["(" + a.source + ")"])]))));
    nodes.push(el("h3", {}, ["Routes"]));
    nodes.push(el("ul", { id: "view-routes" }, v.routes.map((r) => el("li", {}, [
      r.id + (r.children.length ? " (child " + r.children.join(", ") + ")" : "") + ": " + r.text + r.basis,
      r.detail.length ? el("ul", {}, r.detail.map((d) => el("li", {}, [d]))) : "",
      " ", el("span", { class: "source" }, ["(" + r.source + ")"]),
    ]))));
    if (v.unknowns.length) {
      nodes.push(el("h3", {}, ["Still unknown"]));
      nodes.push(el("ul", { id: "view-unknowns" }, v.unknowns.map((u) => el("li", {}, [u.child + " (could reach " + u.could_reach + "): " + u.text]))));
    }
    if (v.children.length) {
      nodes.push(el("h3", {}, ["Why"]));
      nodes.push(el("ul", { id: "view-reasons" }, v.reasons.map((r) => el("li", {}, r.effect === ""
        ? [r.child + ": " + r.label]
        : [r.child + ": " + r.effect + " " + r.label + r.basis + " ", el("span", { class: "source" }, ["Source: " + r.source])]))));
    }
    if (v.recorded) {
      nodes.push(el("p", { id: "view-recorded" }, [v.recorded.line + (v.recorded.reason ? " Reason: " + v.recorded.reason : "")]));
    }
    nodes.push(el("p", {}, [v.judgement_note]));
    return nodes;
  }

  function showResult() {
    const reply = request("next");
    if (!reply || !reply.result) return;
    last = reply;
    const r = reply.result;
    const area = info.areas.find((a) => a.id === r.area.id);
    const nodes = [el("div", { id: "view" }, viewNodes(reply.view))];

    // The practitioner's judgement, kept beside the tool's.
    if (r.overall.level !== null) {
      const tool = r.overall.level;
      const mine = visit.case.recorded_level;
      const f = form((f) => {
        const level = parseInt(f.querySelector("#judgement").value, 10);
        const reason = f.querySelector("#reason").value.trim();
        if (level !== tool && reason === "") {
          f.querySelector("#judgement-error").textContent = "A reason is needed when your level differs from the tool's.";
          return;
        }
        visit.case.recorded_level = level;
        visit.reason = level === tool ? null : reason;
        f.querySelector("#judgement-error").textContent = "";
        $("status").textContent = level === tool ? "Recorded: you agree with the tool's level." : "Recorded: your level and reason, beside the tool's.";
        makeRecord();
      }, [
        el("label", { for: "judgement" }, ["The level you judge right for the household (the tool's level is kept beside yours)"]),
        el("select", { id: "judgement", "aria-describedby": "judgement-error" }, [1, 2, 3, 4].map((t) =>
          el("option", { value: String(t), selected: (mine || tool) === t }, [levelLabel(area, t) + (t === tool ? " (the tool's level)" : "")]))),
        el("label", { for: "reason" }, ["If different, why? Say what you know that the questions did not capture. Use no names."]),
        el("textarea", { id: "reason", rows: "3" }, [visit.reason || ""]),
        errorLine("judgement-error"),
        actions([el("button", { type: "submit", id: "record-judgement" }, ["Record my judgement"])]),
      ]);
      nodes.push(el("h3", {}, ["Your professional judgement"]));
      nodes.push(f);
    }

    nodes.push(el("h3", {}, ["Decision record"]));
    nodes.push(el("label", { for: "reference" }, ["Case reference for the record (an opaque code from your case system, never a name; optional)"]));
    nodes.push(el("input", { type: "text", id: "reference", autocomplete: "off", value: visit.case.reference || "", onchange: (e) => { visit.case.reference = e.target.value.trim() || null; makeRecord(); } }));
    nodes.push(el("div", { id: "record-area" }, []));
    nodes.push(actions([
      el("button", { type: "button", onclick: () => window.print() }, ["Print"]),
      el("button", { type: "button", id: "back-to-answers", onclick: showReview }, ["Back to the answers"]),
      el("button", { type: "button", id: "new-visit", onclick: () => { if (window.confirm("Start a new visit? The answers on this page will be cleared.")) { newVisit(); advance(); } } }, ["Start a new visit"]),
    ]));
    const v = reply.view;
    screen("Result", nodes, "Result. " + (v.emergency ? v.emergency + " " : "") + (v.household === null ? "" : "Household level " + v.household + "."));
    $("result-json").textContent = JSON.stringify(r);
    makeRecord();
  }

  function download(name, type, text, label, id) {
    return el("a", { class: "button", id: id, download: name, href: "data:" + type + ";charset=utf-8," + encodeURIComponent(text) }, [label]);
  }

  function makeRecord() {
    const reply = request("record");
    if (!reply) return;
    $("result-json").textContent = JSON.stringify(reply.result);
    const area = $("record-area");
    const text = el("textarea", { class: "record", id: "record", readonly: true, "aria-label": "Decision record (Markdown)", rows: "16" }, []);
    text.value = reply.record;
    const copy = el("button", { type: "button", id: "copy-record", onclick: () => {
      text.select();
      let done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      $("status").textContent = done ? "The decision record is copied: paste it into the case notes." : "Select the record's text and copy it (Ctrl+C).";
    } }, ["Copy the record"]);
    area.replaceChildren(
      el("p", {}, ["Copy it into the case notes, or save it as a file. A case file holds the answers: open it again here, or with threshold assess."]),
      text,
      actions([
        copy,
        download(reply.file_stem + "-record.md", "text/markdown", reply.record, "Save the record (.md)", "save-record"),
        download(reply.file_stem + ".yaml", "application/yaml", reply.case_file, "Save the answers as a case file (.yaml)", "save-case"),
      ]),
    );
  }

  // --- opening a case file ---------------------------------------------------------------------
  function openCase(file) {
    const reader = new FileReader();
    reader.onload = () => {
      const reply = call({ op: "read_case", name: file.name, text: String(reader.result), at: visit.at });
      if (reply.error) return showError(reply.error);
      newVisit();
      visit.case = reply.case;
      visit.reason = reply.reason || null;
      visit.child_count = reply.case.children.length || null;
      advance();
    };
    reader.readAsText(file);
  }

  async function start() {
    try {
      await load();
    } catch (e) {
      showError("This browser could not start the page's engine (" + e + "). Use Microsoft Edge or Google Chrome.");
      throw e;
    }
    info = call({ op: "start" });
    $("about").textContent = "";
    $("rules-line").textContent = info.program + ", bundled rules sha256 " + info.rules.sha256.slice(0, 12) + ".";
    const open = el("input", { type: "file", id: "open-case", accept: ".yaml,.yml,.json", onchange: (e) => { if (e.target.files[0]) openCase(e.target.files[0]); } });
    $("about").append(el("label", { for: "open-case", class: "no-print" }, ["Carry on from a saved case file: "]), open);
    document.body.append(el("pre", { id: "result-json", hidden: true }, []));
    newVisit();
    advance();
  }

  window.threshold = { ready: start(), call: (r) => call(r), visit: () => visit };
})();
