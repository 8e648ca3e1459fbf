// Talks to the four services (URLs from the dev stack's /config.js) and keeps the session.
import config from "../config.js";
import { language } from "./i18n.js";

const SESSION_KEY = "zll.session";

export const session = {
  get() { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null"); },
  set(value) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(SESSION_KEY); },
};

export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ");
    super([problem.title, problem.detail, fields].filter(Boolean).join(" – "));
    this.status = status;
    this.problem = problem;
  }
}

export function serviceUrl(service, path) {
  return config.services[service] + path;
}

/** Calls a service; problem documents (RFC 9457) become ApiErrors with their text. */
export async function api(service, path, { method = "GET", body, headers = {} } = {}) {
  const current = session.get();
  const sent = { "Accept-Language": language(), Accept: "application/json", ...headers };
  if (current) sent.Authorization = `Bearer ${current.token}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  const response = await fetch(serviceUrl(service, path), {
    method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : { title: data });
  return data;
}

/** Dev stack only: a demo token from the portal's own server, never from a service. */
export async function signIn(role, sub) {
  const response = await fetch("/dev/token", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ role, sub }),
  });
  const data = await response.json();
  if (!response.ok) throw new ApiError(response.status, data);
  session.set(data);
  return data;
}

let providers = null;
const loadProviders = () => api("catalog", "/providers?limit=500")
  .then((page) => new Map(page.items.map((p) => [p.provider_id, p.name])))
  .catch(() => new Map());

/** Providers' names for their ids ({id: name}), from the catalog's GET /providers: read once,
 * again when an id is unknown (a partner registered since); the id only if it has no name. */
export async function providerNames(ids) {
  providers ??= loadProviders();
  let known = await providers;
  if (ids.some((id) => !known.has(id))) {
    providers = loadProviders();
    known = await providers;
  }
  return Object.fromEntries(ids.map((id) => [id, known.get(id) ?? id]));
}
