// The catalogue search: German full text, filters with facet counts, cursor paging.
import { api, providerNames } from "./api.js";
import { field, formatDate, formatNumber, formatPrice, h, message } from "./dom.js";
import { t } from "./i18n.js";

const FILTERS = ["municipality", "format", "eqf_level", "funding"];
const LABELS = { municipality: "search.municipality", format: "search.format", eqf_level: "search.eqf", funding: "search.funding" };

function query(params, extra = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...params, ...extra })) if (value) search.set(name, value);
  return search.toString();
}

/** A facet value as a person reads it: "vor Ort", "Niveau 3", "Bildungsgutschein". */
export function valueLabel(name, value) {
  if (name === "format") return t(`format.${value}`);
  if (name === "eqf_level") return t("search.eqfvalue", { level: value });
  if (name === "funding") return fundingLabel(value);
  return value;
}

export function fundingLabel(value) {
  const text = value.replace(/[-_]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function facetValues(counts, chosen) {
  const values = { ...(counts || {}) };
  if (chosen && !(chosen in values)) values[chosen] = 0; // a chosen value stays visible at 0
  return Object.entries(values);
}

/** Places are many: a list to choose from, each with its count. */
function facetSelect(name, counts, chosen) {
  const select = h("select", { name },
    h("option", { value: "" }, t("search.any")),
    facetValues(counts, chosen).map(([value, n]) =>
      h("option", { value, selected: value === chosen }, `${valueLabel(name, value)} (${formatNumber(n)})`)));
  return field(t(LABELS[name]), select);
}

let radios = 0;
/** Form, level and funding have few values: all visible at once, the count beside each. */
function facetRadios(name, counts, chosen) {
  const radio = (value, text, n) => {
    const id = `r${++radios}`;
    return h("div", { class: "choice" },
      h("input", { type: "radio", name, id, value, checked: value === (chosen || "") }),
      h("label", { for: id }, text, n === null ? null : h("span", { class: "count" }, ` (${formatNumber(n)})`)));
  };
  return h("fieldset", { class: "facet" }, h("legend", {}, t(LABELS[name])),
    radio("", t("search.any"), null),
    facetValues(counts, chosen).map(([value, n]) => radio(value, valueLabel(name, value), n)));
}

const RADII = [5, 10, 25, 50, 100];

/** "3,2 km entfernt": only when searching near a place, for a course that has one. */
function distance(course) {
  if (course.distance_km === null || course.distance_km === undefined) return null;
  return t("search.distance", { km: formatNumber(course.distance_km, { maximumFractionDigits: 1 }) });
}

function courseCard(course, providers) {
  const facts = [providers[course.provider_id] ?? course.provider_id, course.location?.municipality, distance(course),
    `${formatDate(course.start_date)} – ${formatDate(course.end_date)}`, t(`format.${course.format}`),
    course.price_eur != null ? formatPrice(course.price_eur) : null];
  return h("li", { class: "card" },
    h("h3", {}, h("a", { href: `#/kurs/${encodeURIComponent(course.course_id)}` }, course.title)),
    h("p", { class: "muted" }, facts.filter(Boolean).join(" · ")),
    course.description ? h("p", {}, course.description) : null);
}

async function cards(items) {
  const providers = await providerNames([...new Set(items.map((c) => c.provider_id))]);
  return items.map((course) => courseCard(course, providers));
}

function emptyResult(params, didYouMean) {
  const filtered = Object.values(params).some(Boolean);
  const better = didYouMean ? `#/?${query({ ...params, q: didYouMean })}` : null;
  return h("div", { class: "empty", id: "empty-result" },
    better ? h("p", {}, h("a", { href: better, id: "did-you-mean" }, t("search.didyoumean", { q: didYouMean }))) : null,
    h("p", {}, t("search.hint")),
    filtered ? h("p", {}, h("a", { href: "#/" }, t("search.reset"))) : null);
}

export async function searchPage(main, params) {
  const form = h("form", { class: "filters", role: "search", "aria-label": t("search.filters") });
  const summary = h("p", { role: "status", id: "search-status", class: "loading" }, t("search.loading"));
  const results = h("ol", { class: "results", "aria-label": t("search.title"), "aria-busy": "true" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("search.more"));
  main.replaceChildren(h("h1", {}, t("search.title")),
    h("div", { class: "search-layout" }, form, h("div", { class: "hits" }, summary, results, more)));

  const [facets, page] = await Promise.all([
    api("catalog", `/courses/facets?${query(params)}`),
    api("catalog", `/courses?${query(params, { limit: 10 })}`),
  ]);
  const suggestions = h("datalist", { id: "search-suggestions" });
  const q = h("input", { name: "q", type: "search", value: params.q || "", autocomplete: "off",
    list: "search-suggestions" });
  completeWhileTyping(q, suggestions);
  // Near me: a postcode or town and a radius (a place typed into the search box works too).
  const near = h("input", { name: "near", type: "text", value: params.near || "", autocomplete: "off" });
  const chosenRadius = Number(params.radius_km || 25);
  const radius = h("select", { name: "radius_km" },
    [...new Set([...RADII, chosenRadius])].sort((a, b) => a - b).map((km) =>
      h("option", { value: String(km), selected: km === chosenRadius }, t("search.km", { km: formatNumber(km) }))));
  form.append(field(t("search.q"), q), suggestions,
    h("div", { class: "near" }, field(t("search.near"), near), field(t("search.radius"), radius)),
    ...FILTERS.map((name) => (name === "municipality" ? facetSelect : facetRadios)(name, facets[name], params[name])),
    h("button", { type: "submit" }, t("search.submit")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    if (!chosen.near) delete chosen.radius_km; // a radius typed into the search box counts then
    location.hash = `#/?${new URLSearchParams(chosen)}`;
  });

  results.append(...await cards(page.items));
  summary.classList.remove("loading");
  results.removeAttribute("aria-busy");
  summary.textContent = facets.total ? t("search.found", { n: facets.total }) : t("search.none");
  const understood = page.understood;
  if (understood?.near) {
    summary.textContent += ` ${t("search.within", { km: formatNumber(understood.radius_km), place: understood.near })}`;
  }
  if (!facets.total) results.replaceWith(emptyResult(params, page.did_you_mean));
  let cursor = page.next_cursor;
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = t("loading");
    const next = await api("catalog", `/courses?${query(params, { limit: 10, cursor })}`);
    results.append(...await cards(next.items));
    cursor = next.next_cursor;
    more.disabled = false;
    more.textContent = t("search.more");
    more.hidden = !cursor;
    results.children[results.children.length - next.items.length]?.querySelector("a")?.focus();
  });
  if (params.q !== undefined) q.focus();
}

/** The browser's own list under the search box (a datalist: keyboard and screen readers
 * know it) fills with titles, skills and places from GET /courses/suggest while typing. */
function completeWhileTyping(input, list) {
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = input.value.trim();
    if (typed.length < 2 || typed === asked) return;
    timer = setTimeout(async () => {
      asked = typed;
      const found = await api("catalog", `/courses/suggest?${query({ q: typed })}`).catch(() => ({ suggestions: [] }));
      if (input.value.trim() !== typed) return; // typed on meanwhile
      list.replaceChildren(...found.suggestions.map((s) => h("option", { value: s.label, label: `${s.label} · ${t(`suggest.${s.kind}`)}` })));
    }, 150);
  });
}

export function showError(main, error) {
  main.append(message(`${t("error")}: ${error.message}`, "error"));
}
