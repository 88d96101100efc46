// The dashboard page: configuration from config.json (the stack outputs), sign-in, list, upload, delete,
// admin view and sign-out.
import { Api } from "./api.js";
import { Auth } from "./auth.js";

const $ = (selector) => document.querySelector(selector);
const cursors = { mine: null, all: null };
let auth;
let api;

function say(text, error = false) {
  const message = $("#message");
  message.textContent = text;
  message.className = error ? "error" : "";
  message.setAttribute("role", error ? "alert" : "status");
  message.hidden = !text;
}

function show(signedIn) {
  $("#sign-in").hidden = signedIn;
  $("#sign-out").hidden = !signedIn;
  $("#signed-out").hidden = signedIn;
  $("#uploads").hidden = !signedIn;
  $("#mine").hidden = !signedIn;
  $("#who").hidden = !signedIn;
  $("#admin").hidden = !(signedIn && auth.user.groups.includes("admin"));
  if (signedIn) $("#who").textContent = auth.user.email;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
}

function addRow(tbody, item, admin) {
  const row = document.createElement("tr");
  row.dataset.id = item.id;
  if (admin) cell(row, item.owner);
  cell(row, item.filename);
  if (!admin) cell(row, item.contentType);
  cell(row, `${item.size} B`);
  cell(row, item.status);
  cell(row, new Date(item.createdAt).toLocaleString());
  const actions = document.createElement("td");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "delete";
  button.textContent = "Delete";
  button.setAttribute("aria-label", `Delete ${item.filename}`);
  button.addEventListener("click", () => remove(item));
  actions.append(button);
  row.append(actions);
  tbody.append(row);
}

async function load(which, more = false) {
  const admin = which === "all";
  const tbody = $(admin ? "#all-items tbody" : "#items tbody");
  if (!more) {
    tbody.replaceChildren();
    cursors[which] = null;
  }
  const page = await api.list(cursors[which], admin);
  for (const item of page.items) addRow(tbody, item, admin);
  cursors[which] = page.nextCursor;
  $(admin ? "#admin-more" : "#more").hidden = !page.nextCursor;
}

async function refreshLists() {
  await load("mine");
  if (auth.user.groups.includes("admin")) await load("all");
}

async function guarded(action) {
  try {
    await action();
  } catch (error) {
    say(error.message, true);
    if (error.status === 401) {
      auth.forget();
      show(false);
    }
  }
}

async function remove(item) {
  await guarded(async () => {
    await api.remove(item.id);
    await refreshLists();
    say(`Deleted ${item.filename}.`);
  });
}

async function upload(event) {
  event.preventDefault();
  const file = $("#file").files[0];
  if (!file) return;
  const progress = $("#progress");
  progress.hidden = false;
  progress.value = 0;
  await guarded(async () => {
    await api.upload(file, (fraction) => { progress.value = Math.round(fraction * 100); });
    progress.value = 100;
    $("#upload-form").reset();
    await refreshLists();
    say(`Uploaded ${file.name}.`);
  });
  progress.hidden = true;
}

async function main() {
  const config = await (await fetch("/config.json")).json();
  auth = new Auth(config);
  api = new Api(config.apiUrl, auth);
  auth.onRefreshed = () => say("Session renewed.");
  auth.onExpired = (error) => { say(error.message, true); show(false); };
  $("#sign-in").addEventListener("click", () => auth.signIn());
  $("#sign-out").addEventListener("click", () => auth.signOut());
  $("#upload-form").addEventListener("submit", upload);
  $("#more").addEventListener("click", () => guarded(() => load("mine", true)));
  $("#admin-more").addEventListener("click", () => guarded(() => load("all", true)));
  if (location.pathname === "/callback") {
    try {
      await auth.completeSignIn(new URL(location.href));
    } catch (error) {
      say(error.message, true);
    }
  }
  show(auth.signedIn);
  if (auth.signedIn) await guarded(refreshLists);
  document.body.dataset.ready = "true";
}

main().catch((error) => say(`The page could not start: ${error.message}`, true));
