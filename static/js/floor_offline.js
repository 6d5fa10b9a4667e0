// The floor job screen keeps working when the network drops (issue 21).
//
// Every floor POST made by htmx under #floor-screen carries an Idempotency-Key, which the server honours (a
// twin is told what the first did). When the tablet is offline, or a POST never reached an answer, the POST
// is kept in IndexedDB (idb-keyval) exactly as it was posted, fields and headers, and the card is redrawn as
// the tap would leave it. When the network is back the queue is sent in order; an action the server refuses
// (someone else changed the job) stays on screen until the operator dismisses it, never silently dropped.
// A queued tap that followed another queued tap on the same operation was drawn on the operation's next
// version: its version field is set to what the server answered for the tap before, nothing else changes.
//
// The same queue serves a kiosk tablet (templates/jobs/kiosk/, data-offline-kind="kiosk"): its screen has the
// kiosk's moves (start or join, stop my work, finish) and each tap carries the kiosk's tap token header, kept with
// the tap, so a replay is done as the operator who tapped it. The queue is sent from any page that has the
// banner (every kiosk page), so it goes even if the tablet left the job screen meanwhile. Replays say so
// (X-Floor-Replay: 1); the server's screen polls wait while taps wait, or while the operator types.
(() => {
  const screen = () => document.getElementById("floor-screen");
  const banner = document.getElementById("floor-offline");
  const refusedBox = document.getElementById("floor-refused");
  if (!banner || !window.idbKeyval) { return; }
  const kiosk = () => !!screen() && screen().dataset.offlineKind === "kiosk";
  const db = window.idbKeyval;
  const QUEUE = "mto-floor-queue";
  const REFUSED = "mto-floor-refused";
  const movesData = document.getElementById("floor-moves");
  const MOVES = movesData ? JSON.parse(movesData.textContent) : {};
  const STATUS_LABEL = { pending: "Pending", running: "Running", paused: "Paused", done: "Done" };
  let queue = [];
  let refused = [];
  let sending = false;
  let loaded = false;

  const newKey = () => {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    const bytes = crypto.getRandomValues(new Uint8Array(16));  // randomUUID needs https; this does not
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const isVersionField = (name) => name === "version" || name.endsWith("-version");
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  async function save() {
    await db.set(QUEUE, queue);
    await db.set(REFUSED, refused);
  }

  function showState() {
    if (queue.length) {
      const what = plural(queue.length, "action", "actions");
      banner.textContent = navigator.onLine && sending ? `Sending ${what}…` : `Offline, ${what} waiting`;
      banner.hidden = false;
    } else if (!navigator.onLine) {
      banner.textContent = "Offline: taps are kept on this tablet and sent when the network is back.";
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.textContent = "";
    }
    refusedBox.innerHTML = refused.map((r, i) => `
      <div class="alert alert-danger d-flex flex-wrap align-items-center gap-2" role="alert">
        <div class="me-auto fs-5"><strong>Not done: ${escapeHtml(r.label)}</strong> (${escapeHtml(r.job)}).
          ${escapeHtml(r.message || "The server refused it.")}</div>
        <button type="button" class="btn btn-outline-dark" data-dismiss-refused="${i}">Seen it</button>
      </div>`).join("");
  }

  // --- what a tap was ---------------------------------------------------------------------------------

  function describe(elt, url) {
    const card = elt.closest("[data-op]");
    const action = (url.match(/\/operations\/\d+\/([\w-]+)\/$/) || [])[1];
    const button = elt.closest("button");
    let label = (button && button.textContent.trim()) || elt.getAttribute("aria-label") || "Action";
    if (card) { label = `${label} on op ${card.dataset.sequence}`; }
    return { action: action || "", opId: card ? card.dataset.op : "", label };
  }

  function entryFrom(config) {
    const fields = [];
    for (const [name, value] of config.formData.entries()) { fields.push([name, String(value)]); }
    const what = describe(config.elt, config.path);
    if (what.action === "report") {
      const count = (suffix) => Number((fields.find(([n]) => n.endsWith(`-${suffix}`)) || ["", 0])[1]) || 0;
      const scrap = count("scrap");
      what.label = `Report ${count("good")} good${scrap ? `, ${scrap} scrap` : ""} on op ${what.label.split(" on op ")[1]}`;
    }
    return {
      key: config.headers["Idempotency-Key"],
      url: config.path,
      headers: { ...config.headers },
      fields,
      jobId: screen().dataset.job,
      job: screen().dataset.jobNumber,
      ...what,
      chained: !!what.opId && queue.some((e) => e.opId === what.opId),
      queuedAt: new Date().toISOString(),
    };
  }

  async function enqueue(entry) {
    if (queue.some((e) => e.key === entry.key)) { return; }
    queue.push(entry);
    await save();
    drawLocally(entry);
    showState();
  }

  // --- the card as the tap leaves it (until the server says) -----------------------------------------

  function field(entry, suffix) {
    const found = entry.fields.find(([name]) => name === suffix || name.endsWith(`-${suffix}`));
    return found ? Number(found[1]) || 0 : 0;
  }

  function kioskMovesHtml(card) {
    const status = card.dataset.status;
    if (status === "done") { return ""; }
    const left = Number(card.dataset.available);
    const pk = card.dataset.op;
    const base = card.dataset.floorUrl.replace(/start\/$/, "");
    const post = (action, extra) => `type="button" hx-post="${base}${action}/" hx-vals='${JSON.stringify({ version: card.dataset.version, ...extra })}' hx-target="#floor-screen" hx-swap="outerHTML"`;
    const buttons = [];
    if (card.dataset.meOn === "1") {
      buttons.push(`<button class="btn btn-warning" ${post("stop")}><i class="bi bi-pause-fill" aria-hidden="true"></i> Stop my work</button>`);
    } else {
      const join = Number(card.dataset.othersOn) > 0;
      buttons.push(`<button class="btn btn-success" ${post("start")}><i class="bi bi-play-fill" aria-hidden="true"></i> ${join ? "Join" : "Start"}</button>`);
    }
    let panel = "";
    if (status !== "pending" && left) {
      buttons.push(`<button class="btn btn-dark" type="button" data-bs-toggle="collapse" data-bs-target="#op${pk}-finish" aria-expanded="false" aria-controls="op${pk}-finish"><i class="bi bi-check2-circle" aria-hidden="true"></i> Finish…</button>`);
      panel = `<div class="collapse mt-2" id="op${pk}-finish"><div class="alert alert-warning mb-0" role="group" aria-labelledby="op${pk}-finish-h">
        <p class="fs-5 mb-2" id="op${pk}-finish-h"><strong>${left}</strong> ${left === 1 ? "piece" : "pieces"} on op ${card.dataset.sequence} not reported yet.</p>
        <div class="d-flex flex-wrap gap-2">
          <button class="btn btn-success" ${post("finish-rest")}><i class="bi bi-check2-all" aria-hidden="true"></i> Report the remaining ${left} and finish</button>
          <button class="btn btn-outline-danger" ${post("finish", { short: "1" })}>Finish with ${left} not reported</button>
          <button class="btn btn-outline-secondary" type="button" data-bs-toggle="collapse" data-bs-target="#op${pk}-finish" aria-controls="op${pk}-finish">Keep working</button>
        </div></div></div>`;
    } else if (status !== "pending") {
      buttons.push(`<button class="btn btn-dark" ${post("finish")}><i class="bi bi-check2-circle" aria-hidden="true"></i> Finish</button>`);
    }
    return `<div class="d-flex flex-wrap gap-2 mt-2">${buttons.join("")}</div>${panel}`;
  }

  function movesHtml(card) {
    if (kiosk()) { return kioskMovesHtml(card); }
    const status = card.dataset.status;
    const left = Number(card.dataset.available);
    const pk = card.dataset.op;
    const base = card.dataset.floorUrl.replace(/start\/$/, "");
    const post = (action, extra) => `hx-post="${base}${action}/" hx-vals='${JSON.stringify({ version: card.dataset.version, ...extra })}' hx-target="#floor-screen" hx-swap="outerHTML"`;
    const others = Array.from(screen().querySelectorAll("[data-op]")).filter((c) => c !== card);
    const completes = others.every((c) => c.dataset.status === "done");
    const buttons = [];
    let panel = "";
    for (const [name, move] of Object.entries(MOVES)) {
      if (!move.from.includes(status)) { continue; }
      const icon = `<i class="bi bi-${move.icon}" aria-hidden="true"></i>`;
      if (name === "finish" && (left || completes)) {
        buttons.push(`<button class="btn btn-${move.button}" type="button" data-bs-toggle="collapse" data-bs-target="#op${pk}-finish" aria-expanded="false" aria-controls="op${pk}-finish">${icon} ${move.label}…</button>`);
        const job = screen().dataset.jobNumber;
        const keep = `<button class="btn btn-outline-secondary" type="button" data-bs-toggle="collapse" data-bs-target="#op${pk}-finish" aria-controls="op${pk}-finish">Keep working</button>`;
        const completing = completes ? ` Finishing <strong>completes ${job}</strong>.` : "";
        const choices = left
          ? `<button class="btn btn-success" ${post("finish-rest")}><i class="bi bi-check2-all" aria-hidden="true"></i> Report the remaining ${left} and finish</button>
             <button class="btn btn-outline-danger" ${post("finish", { short: "1" })}>Finish with ${left} not reported</button>`
          : `<button class="btn btn-dark" ${post("finish")}>${icon} Finish and complete ${job}</button>`;
        const text = left ? `<strong>${left}</strong> ${left === 1 ? "piece" : "pieces"} on op ${card.dataset.sequence} not reported yet.${completing}`
          : `Finishing op ${card.dataset.sequence} <strong>completes ${job}</strong>. A completed job cannot be reopened.`;
        panel = `<div class="collapse mt-2" id="op${pk}-finish"><div class="alert alert-${left ? "warning" : "danger"} mb-0" role="group" aria-labelledby="op${pk}-finish-h">
          <p class="fs-5 mb-2" id="op${pk}-finish-h">${text}</p><div class="d-flex flex-wrap gap-2">${choices}${keep}</div></div></div>`;
      } else {
        buttons.push(`<button class="btn btn-${move.button}" ${post(name)}>${icon} ${move.label}</button>`);
      }
    }
    return buttons.length ? `<div class="d-flex flex-wrap gap-2 mt-2">${buttons.join("")}</div>${panel}` : "";
  }

  function redrawCard(card, pending) {
    const status = card.dataset.status;
    const badge = card.querySelector("[data-op-status]");
    if (badge) {
      badge.className = `badge op-status-${status} fs-6`;
      badge.textContent = STATUS_LABEL[status] || status;
    }
    const left = card.querySelector("[data-left]");
    if (left) { left.textContent = card.dataset.available; }
    const moves = card.querySelector("[data-op-moves]");
    if (moves && (MOVES || kiosk())) {
      moves.innerHTML = movesHtml(card);
      if (window.htmx) { htmx.process(moves); }
    }
    const report = card.querySelector("[data-report-form]");
    if (report) {
      report.hidden = kiosk() ? card.dataset.meOn !== "1" || status === "done" : !(status === "running" || status === "paused");
    }
    let mark = card.querySelector("[data-waiting]");
    if (!mark) {
      mark = document.createElement("div");
      mark.className = "badge text-bg-secondary fs-6 mt-2";
      mark.setAttribute("data-waiting", "");
      card.querySelector(".card-body").appendChild(mark);
    }
    mark.textContent = `Waiting to send: ${pending.join(", ")}`;
  }

  function drawLocally(entry) {
    if (!screen() || entry.jobId !== screen().dataset.job) { return; }
    if (entry.opId) {
      const card = screen().querySelector(`[data-op="${entry.opId}"]`);
      if (!card) { return; }
      const left = Number(card.dataset.available);
      const to = { start: "running", resume: "running", pause: "paused", finish: "done", "finish-rest": "done" }[entry.action];
      if (to) { card.dataset.status = to; }
      if (kiosk() && entry.action === "start") { card.dataset.meOn = "1"; }
      if (kiosk() && entry.action === "stop") {  // the last one off pauses it
        card.dataset.meOn = "0";
        if (!Number(card.dataset.othersOn)) { card.dataset.status = "paused"; }
      }
      if (kiosk() && (entry.action === "finish" || entry.action === "finish-rest")) { card.dataset.meOn = "0"; }
      if (entry.action === "report") {
        const good = field(entry, "good");
        const scrap = field(entry, "scrap");
        card.dataset.available = String(Math.max(left - good - scrap, 0));
        for (const [sel, n] of [["[data-good]", good], ["[data-scrap]", scrap]]) {
          const shown = card.querySelector(sel);
          if (shown) { shown.textContent = String(Number(shown.textContent) + n); }
        }
        const form = card.querySelector("[data-report-form]");
        if (form) { form.reset(); }
      }
      if (entry.action === "finish-rest") {
        const good = card.querySelector("[data-good]");
        if (good) { good.textContent = String(Number(good.textContent) + left); }
        card.dataset.available = "0";
      }
      const pending = queue.filter((e) => e.opId === entry.opId).map((e) => e.label.replace(/ on op \d+$/, ""));
      redrawCard(card, pending);
    } else if (entry.url.includes("/notes/")) {
      const list = screen().querySelector("[data-notes]");
      const text = (entry.fields.find(([n]) => n === "text") || ["", ""])[1];
      if (list) { list.insertAdjacentHTML("afterbegin", `<li class="list-group-item">${escapeHtml(text)}<div class="small">Waiting to send</div></li>`); }
      const form = screen().querySelector("[data-note-form]");
      if (form) { form.reset(); }
    } else {
      const section = document.getElementById("hold-section");
      if (section) { section.insertAdjacentHTML("beforeend", `<div class="badge text-bg-secondary fs-6 mt-2">Waiting to send: ${escapeHtml(entry.label)}</div>`); }
    }
  }

  // --- sending --------------------------------------------------------------------------------------

  async function send() {
    if (sending || !queue.length || !navigator.onLine) { showState(); return; }
    sending = true;
    showState();
    let sentAny = false;
    try {
      while (queue.length) {
        const entry = queue[0];
        let response;
        try {
          response = await fetch(entry.url, {
            method: "POST",
            headers: { ...entry.headers, "Content-Type": "application/x-www-form-urlencoded", "X-Floor-Replay": "1" },
            body: new URLSearchParams(entry.fields),
            credentials: "same-origin",
          });
        } catch (_network) {
          break;  // still cut off: try again later, in the same order
        }
        const status = response.headers.get("X-Action-Status");
        if (!status) {
          if (response.status >= 500 || response.url.includes("/login/")) { break; }  // not reached, or signed out
        }
        const message = decodeURIComponent(response.headers.get("X-Action-Message") || "");
        if (status === "200") {
          const version = response.headers.get("X-Operation-Version");
          for (const later of queue.slice(1)) {
            if (version && later.chained && later.opId === entry.opId) {
              later.fields = later.fields.map(([n, v]) => [n, isVersionField(n) ? version : v]);
              break;  // the next tap on this operation was drawn on this one's result
            }
          }
        } else {
          refused.push({ label: entry.label, job: entry.job, message: message || `Refused (${response.status}).`, at: new Date().toISOString() });
        }
        queue.shift();
        sentAny = true;
        await save();
        showState();
      }
    } finally {
      sending = false;
    }
    showState();
    if (sentAny && !queue.length && window.htmx && screen()) {
      htmx.ajax("GET", window.location.pathname, { target: "#floor-screen", swap: "outerHTML" });
    }
  }

  // --- htmx: the key on every floor POST; the POST kept instead of sent when it cannot go --------------

  document.body.addEventListener("htmx:configRequest", (event) => {
    const config = event.detail;
    if (config.verb !== "post" || !config.elt.closest("#floor-screen")) { return; }
    config.headers["Idempotency-Key"] = newKey();
    if (!navigator.onLine || queue.length || sending || !loaded) {
      event.preventDefault();  // kept, in order behind what already waits
      enqueue(entryFrom(config));
    }
  });

  document.body.addEventListener("htmx:sendError", (event) => {
    const config = event.detail.requestConfig;
    if (config && config.verb === "post" && config.headers["Idempotency-Key"]) {
      enqueue(entryFrom(config));  // it may have arrived: the key makes sending it again harmless
    }
  });

  // No redraw from the server while taps wait: the screen would lose what they drew.
  // On a kiosk, nor while the operator types into the screen (a redraw would move the field under their finger);
  // the lead's screen redraws and puts back what was half typed (below).
  const typing = () => {
    const active = document.activeElement;
    return kiosk() && screen().contains(active) && active.matches("input, select, textarea");
  };
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const config = event.detail.requestConfig;
    if (config && config.verb === "get" && (queue.length || !navigator.onLine || typing())) { event.preventDefault(); }
  });

  refusedBox.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-dismiss-refused]");
    if (!button) { return; }
    refused.splice(Number(button.dataset.dismissRefused), 1);
    await save();
    showState();
  });

  window.addEventListener("online", send);
  window.addEventListener("offline", showState);
  setInterval(send, 5000);  // navigator.onLine can say online while the Wi-Fi still drops

  (async () => {
    const early = queue;  // tapped before the stored queue was read: behind it
    queue = [...((await db.get(QUEUE)) || []), ...early];
    refused = [...((await db.get(REFUSED)) || []), ...refused];
    loaded = true;
    showState();
    send();
  })();
})();

// Another tablet's change redraws the screen (the probe): what this operator half-typed in a piece report
// survives the redraw. The form that was sent is left to the server's answer.
(() => {
  let kept = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (!event.detail.target || event.detail.target.id !== "floor-screen") { return; }
    const sentFrom = event.detail.requestConfig && event.detail.requestConfig.elt.closest("form");
    kept = { values: [], focus: document.activeElement && document.activeElement.id };
    for (const input of event.detail.target.querySelectorAll("[data-report-form] input:not([type=hidden]), [data-report-form] select, [data-note-form] textarea")) {
      if (!input.id || (sentFrom && input.form === sentFrom)) { continue; }
      const changed = input.tagName === "SELECT"
        ? Array.from(input.options).some((o) => o.selected !== o.defaultSelected)
        : input.value !== input.defaultValue;
      if (changed) { kept.values.push([input.id, input.value]); }
    }
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    if (!kept) { return; }
    for (const [id, value] of kept.values) {
      const input = document.getElementById(id);
      if (input) {
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    const focus = kept.focus && document.getElementById(kept.focus);
    if (focus && kept.values.length) { focus.focus(); }
    kept = null;
  });
})();
