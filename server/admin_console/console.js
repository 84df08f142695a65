// The admin console: plain fetch calls to /admin/api/ with the token kept in
// sessionStorage (this tab only). Everything shown is set with textContent: names and
// messages come from users and are never parsed as HTML.
"use strict";

const TOKEN_KEY = "mtserver-admin-token";
const $ = (id) => document.getElementById(id);
let currentUser = null;
let lastQuery = "";

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = kind || "";
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const options = { method, headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch("/admin/api" + path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { /* an empty or non-JSON answer */ }
  if (response.status === 401 || response.status === 403) {
    logOut();
    throw new ApiError(response.status, data.error || "not allowed");
  }
  if (!response.ok) throw new ApiError(response.status, data.error || response.statusText);
  return data;
}

// Runs an action, reporting its outcome in the status line.
async function attempt(fn, done) {
  try {
    setStatus("Working...");
    await fn();
    if (done) setStatus(done, "ok");
    else if ($("status").textContent === "Working...") setStatus("");
  } catch (e) {
    setStatus(e.message, "error");
  }
}

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function button(label, onClick, attrs) {
  const b = el("button", label, { type: "button", ...(attrs || {}) });
  b.addEventListener("click", onClick);
  return b;
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? "" : String(cell);
    tr.appendChild(td);
  }
  return tr;
}

function when(stamp) {
  return stamp ? new Date(stamp * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never";
}

function fill(dl, entries) {
  dl.replaceChildren();
  for (const [k, v] of entries) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); }
}

// -- logging in -------------------------------------------------------------------------

async function logIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const me = await api("GET", "/me");
    $("whoami").textContent = "Signed in with the token \u201c" + me.name + "\u201d";
    $("login").hidden = true;
    $("console").hidden = false;
    $("logout-button").hidden = false;
    showTab("users");
    setStatus("");
    refreshBadge();
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    setStatus(e.status === 401 ? "That token is not valid." : e.status === 403 ? "That token was revoked." : e.message,
              "error");
  }
}

function logOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("console").hidden = true;
  $("login").hidden = false;
  $("logout-button").hidden = true;
  $("whoami").textContent = "";
}

function showTab(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== "tab-" + name;
  if (name === "reports") attempt(loadReports);
  if (name === "signup") attempt(loadSignup);
  if (name === "stats") attempt(loadStats);
  if (name === "settings") attempt(loadSettings);
}

// -- users ------------------------------------------------------------------------------

// Shows the users matching `query`; one match is opened. `keep`: reopen the user shown
// (after an action on them, so that their row shows their new state).
async function search(query, keep) {
  lastQuery = query;
  const data = await api("GET", "/users?q=" + encodeURIComponent(query));
  const table = $("search-results");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const u of data.users) {
    const state = u.deleted ? "deleted" : u.banned ? "banned" : "active";
    body.appendChild(row([u.id, u.phone ? "+" + u.phone : "", (u.first_name + " " + u.last_name).trim(), u.username ? "@" + u.username : "",
                          state, button("Open", () => attempt(() => openUser(u.id)), { "data-user-id": String(u.id) })]));
  }
  table.hidden = false;
  $("user-panel").hidden = true;
  if (keep && currentUser) await openUser(currentUser.id);
  else if (data.users.length === 1) await openUser(data.users[0].id);
  return data.users.length;
}

async function openUser(id) {
  const [user, sessions] = await Promise.all([api("GET", "/users/" + id), api("GET", "/users/" + id + "/sessions")]);
  currentUser = user;
  $("user-title").textContent = (user.first_name + " " + user.last_name).trim() + " (" + user.id + ")";
  fill($("user-details"), [["Phone", user.phone ? "+" + user.phone : "none"], ["Username", user.username ? "@" + user.username : "none"],
                          ["State", user.deleted ? "deleted" : user.banned ? "banned" : "active"],
                          ["Signed up", when(user.created_at)], ["Devices", user.sessions]]);
  $("user-details").dataset.state = user.deleted ? "deleted" : user.banned ? "banned" : "active";
  // A deleted account keeps only its id: nothing left to ban, log out or delete.
  $("ban-button").hidden = user.banned || user.deleted;
  $("unban-button").hidden = !user.banned || user.deleted;
  $("logout-all-button").hidden = user.deleted;
  $("delete-button").hidden = user.deleted;
  const body = $("sessions").querySelector("tbody");
  body.replaceChildren();
  for (const s of sessions.sessions) {
    body.appendChild(row([s.device_model + " " + s.system_version, s.app_name + " " + s.app_version + " (api_id " + s.api_id + ")",
                          s.ip, when(s.active_at),
                          button("Log out", () => attempt(async () => {
                            await api("DELETE", "/users/" + id + "/sessions/" + s.hash);
                            await openUser(id);
                          }, "Logged out that device."))]));
  }
  $("user-panel").hidden = false;
}

// -- reports ----------------------------------------------------------------------------

async function loadReports() {
  const state = $("reports-resolved").checked ? "resolved" : "open";
  const data = await api("GET", "/reports?state=" + state);
  const list = $("reports-list");
  list.replaceChildren();
  if (!data.reports.length) list.appendChild(el("p", "No " + state + " reports.", { class: "muted" }));
  for (const r of data.reports) {
    const box = el("div", undefined, { class: "report", "data-report-id": String(r.id) });
    const peer = r.peer ? (r.peer.type === "group" ? "the group " + (r.peer.title || r.peer.id)
                                                   : (r.peer.name || "user") + " (" + r.peer.id + ")") : String(r.peer_id);
    box.appendChild(el("strong", "#" + r.id + " " + r.reason));
    box.appendChild(el("span", " \u2014 " + (r.reporter.name || "user") + " (" + r.reporter.id + ") reported " + peer
                               + ", " + when(r.created_at), { class: "muted" }));
    if (r.comment) box.appendChild(el("p", "Comment: " + r.comment));
    for (const m of r.messages) {
      box.appendChild(el("blockquote", (m.from.name || m.from.id) + ": " + (m.text || (m.has_media ? "[media]" : ""))));
    }
    if (r.missing_message_ids.length) box.appendChild(el("p", "Messages no longer there: " + r.missing_message_ids.join(", "), { class: "muted" }));
    if (r.resolved_at) {
      box.appendChild(el("p", "Resolved (" + r.resolution + ") by " + r.resolved_by + ", " + when(r.resolved_at), { class: "muted" }));
    } else {
      const act = (what, done) => () => attempt(async () => { await api("POST", "/reports/" + r.id + "/" + what); await loadReports(); refreshBadge(); }, done);
      const actions = el("p", undefined, { class: "actions" });
      if (r.messages.length) actions.appendChild(button("Delete the message for everyone", act("delete", "Deleted."), { class: "danger", "data-action": "delete" }));
      actions.appendChild(button("Ban the author", act("ban", "Banned."), { class: "danger", "data-action": "ban" }));
      actions.appendChild(button("Dismiss", act("dismiss", "Dismissed."), { "data-action": "dismiss" }));
      box.appendChild(actions);
    }
    list.appendChild(box);
  }
}

async function refreshBadge() {
  try {
    const data = await api("GET", "/reports?state=open");
    $("reports-badge").textContent = data.open ? "(" + data.open + ")" : "";
  } catch (e) { /* shown when the tab is opened */ }
}

// -- sign-up, statistics ----------------------------------------------------------------

async function loadSignup() {
  const [reg, inv] = await Promise.all([api("GET", "/registration"), api("GET", "/invites")]);
  fill($("registration"), [["Policy", reg.policy], ["Allowlist entries", reg.allowlist_entries],
                           ["Unused invites", reg.invites_unused], ["To change", reg.how_to_change]]);
  const body = $("invites").querySelector("tbody");
  body.replaceChildren();
  for (const i of inv.invites) body.appendChild(row([i.code, when(i.created_at), i.used_by ? i.used_by + " (" + when(i.used_at) + ")" : "unused"]));
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}

async function loadStats() {
  const s = await api("GET", "/stats");
  fill($("stats"), [["Users", s.users.total + " (" + s.users.banned + " banned)"],
                    ["Active in the last day / 7 days / 30 days", s.active_users["1d"] + " / " + s.active_users["7d"] + " / " + s.active_users["30d"]],
                    ["Logged-in devices", s.sessions], ["Connections now", s.connections],
                    ["Messages stored", s.messages.total], ["Groups", s.groups],
                    ["Files", s.storage.files + " (" + bytes(s.storage.file_bytes) + ")"],
                    ["Unfinished uploads", bytes(s.storage.pending_upload_bytes)], ["Open reports", s.reports_open]]);
  const body = $("stats-days").querySelector("tbody");
  body.replaceChildren();
  for (const d of s.messages.per_day.slice().reverse()) body.appendChild(row([d.day, d.messages]));
}

// -- settings that change at run time ---------------------------------------------------

const CHOICES = { registration: ["open", "allowlist", "invite"], log_level: ["debug", "info", "warning", "error"] };
let shownSettings = {};

async function loadSettings() {
  const data = await api("GET", "/settings");
  shownSettings = data.settings;
  $("settings-scope").textContent = data.applies_to;
  const box = $("settings-fields");
  box.replaceChildren();
  for (const [field, info] of Object.entries(data.fields)) {
    const id = "setting-" + field;
    box.appendChild(el("label", info.about + " (" + info.env + ")", { for: id }));
    const value = data.settings[field];
    let input;
    if (CHOICES[field]) {
      input = el("select", undefined, { id, "data-field": field });
      for (const choice of CHOICES[field]) {
        const option = el("option", choice, { value: choice });
        if (choice === value) option.selected = true;
        input.appendChild(option);
      }
    } else if (Array.isArray(value)) {
      input = el("input", undefined, { id, type: "text", "data-field": field, "data-list": "true",
                                       placeholder: "comma-separated" });
      input.value = value.join(", ");
    } else {
      input = el("input", undefined, { id, type: "number", min: "0", "data-field": field });
      input.value = String(value);
    }
    box.appendChild(input);
  }
}

// Only what differs from what was loaded is sent.
function changedSettings() {
  const changes = {};
  for (const input of document.querySelectorAll("#settings-fields [data-field]")) {
    const field = input.dataset.field;
    let value = input.value;
    if (input.dataset.list) value = value.split(",").map((x) => x.trim()).filter(Boolean);
    else if (input.type === "number") value = Number(value);
    if (JSON.stringify(value) !== JSON.stringify(shownSettings[field])) changes[field] = value;
  }
  return changes;
}

// -- wiring -----------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (e) => { e.preventDefault(); logIn($("token-input").value.trim()); $("token-input").value = ""; });
  $("logout-button").addEventListener("click", () => { logOut(); setStatus("Logged out of the console."); });
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    attempt(async () => {
      const n = await search($("search-input").value);
      setStatus(n ? n + " found." : "Nobody found.", "ok");
    });
  });
  const onUser = (path, confirmText, done, method) => () => {
    if (!currentUser || (confirmText && !window.confirm(confirmText))) return;
    const id = currentUser.id;
    attempt(async () => {
      await api(method || "POST", "/users/" + id + path);
      if (lastQuery) await search(lastQuery, true); else await openUser(id);
    }, done);
  };
  $("ban-button").addEventListener("click", onUser("/ban", "Ban this user? Every device of theirs is logged out.", "Banned; every device logged out."));
  $("unban-button").addEventListener("click", onUser("/unban", null, "Unbanned."));
  $("logout-all-button").addEventListener("click", onUser("/logout", "Log out every device of this user?", "Every device logged out."));
  $("delete-button").addEventListener("click", onUser("", "Delete this account with its data? Their devices are logged out, "
    + "they leave their groups, their contacts, photos and own message box are deleted; what they sent stays with "
    + "the others, shown from a deleted account. This cannot be undone.", "Account deleted.", "DELETE"));
  $("reports-resolved").addEventListener("change", () => attempt(loadReports));
  $("reports-refresh").addEventListener("click", () => attempt(loadReports));
  $("broadcast-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const to = $("broadcast-to").value.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
    if (to.some((x) => !Number.isInteger(x))) { setStatus("User ids are numbers.", "error"); return; }
    const body = { text: $("broadcast-text").value };
    if (to.length) body.to = to;
    attempt(async () => {
      const r = await api("POST", "/broadcast", body);
      $("broadcast-text").value = "";
      setStatus("Sending to " + r.recipients + " user(s).", "ok");
    });
  });
  $("invites-form").addEventListener("submit", (e) => {
    e.preventDefault();
    attempt(async () => { await api("POST", "/invites", { count: Number($("invites-count").value) }); await loadSignup(); }, "Created.");
  });
  $("settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const changes = changedSettings();
    if (!Object.keys(changes).length) { setStatus("Nothing changed."); return; }
    attempt(async () => {
      await api("PUT", "/settings", changes);
      await loadSettings();
    }, "Saved: " + Object.keys(changes).join(", ") + ".");
  });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) logIn(saved);
});
