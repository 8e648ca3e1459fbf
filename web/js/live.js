// Live notifications: a stream ticket, then EventSource; reconnects resume after the last id.
import { api, serviceUrl, session } from "./api.js";
import { formatDate, h } from "./dom.js";
import { t } from "./i18n.js";

let source = null;
let lastId = null;
const listeners = new Set();

/** Pages that show enrolments refresh themselves when one of these arrives. */
export function onNotification(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function show(notification, fresh) {
  const list = document.getElementById("notifications");
  // A stream resumed from the inbox's newest id may bring one the page loaded already.
  if (list.querySelector(`li[data-id="${notification.id}"]`)) return false;
  list.querySelector(".empty")?.remove();
  const item = h("li", { class: fresh ? "fresh" : "", "data-kind": notification.kind, "data-id": String(notification.id) },
    h("strong", {}, notification.subject), h("br"),
    h("small", { class: "muted" }, formatDate(notification.created_at)));
  list.prepend(item);
  return true;
}

async function open(base) {
  const { ticket } = await api("notify", `${base}/notifications/stream-ticket`, { method: "POST" });
  const resume = lastId === null ? "" : `&last_event_id=${encodeURIComponent(lastId)}`;
  source = new EventSource(serviceUrl("notify", `${base}/notifications/stream?ticket=${encodeURIComponent(ticket)}${resume}`));
  const state = document.getElementById("live-state");
  source.onopen = () => { state.textContent = t("live.on"); };
  source.addEventListener("notification", (event) => {
    lastId = event.lastEventId; // opaque: the stream's position, sent back as it came
    const notification = JSON.parse(event.data);
    if (!show(notification, true)) return;
    for (const listener of listeners) listener(notification);
  });
  source.onerror = () => {
    // EventSource retries by itself; once the ticket expired it gives up: ask for a new one.
    state.textContent = t("live.off");
    if (source.readyState === EventSource.CLOSED) setTimeout(() => start(), 2000);
  };
}

/** Loads the inbox, then streams from its newest id on: nothing in between is lost. */
export async function start() {
  stop();
  const current = session.get();
  const aside = document.getElementById("live");
  if (!current || current.role !== "learner") { aside.hidden = true; return; }
  aside.hidden = false;
  const base = `/learners/${encodeURIComponent(current.sub)}`;
  const list = document.getElementById("notifications");
  if (lastId === null) {
    const { items } = await api("notify", `${base}/notifications?limit=20`);
    list.replaceChildren(...(items.length ? [] : [h("li", { class: "empty muted" }, t("live.none"))]));
    for (const notification of [...items].reverse()) show(notification, false);
    // Before the first message, the inbox's newest id (the stream takes a plain id too).
    lastId = String(items.length ? Math.max(...items.map((n) => n.id)) : 0);
  }
  await open(base);
}

export function stop() {
  source?.close();
  source = null;
}

export function reset() {
  stop();
  lastId = null;
  document.getElementById("notifications").replaceChildren();
}
