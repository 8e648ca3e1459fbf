// The catalogue search: German full text, filters with facet counts, cursor paging.
import { api } from "./api.js";
import { field, formatDate, h, message } from "./dom.js";
import { t } from "./i18n.js";

const FILTERS = ["municipality", "format", "eqf_level", "funding"];
const LABELS = { municipality: "search.municipality", format: "search.format", eqf_level: "search.eqf", funding: "search.funding" };

function query(params, extra = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...params, ...extra })) if (value) search.set(name, value);
  return search.toString();
}

function facetSelect(name, counts, chosen) {
  const select = h("select", { name },
    h("option", { value: "" }, t("search.any")),
    Object.entries(counts || {}).map(([value, n]) => {
      const label = name === "format" ? t(`format.${value}`) : value;
      return h("option", { value, selected: value === chosen }, `${label} (${n})`);
    }));
  return field(t(LABELS[name]), select);
}

function courseCard(course) {
  return h("li", { class: "card" },
    h("h3", {}, h("a", { href: `#/kurs/${encodeURIComponent(course.course_id)}` }, course.title)),
    h("p", { class: "muted" },
      [course.provider_id, course.location?.municipality, `${formatDate(course.start_date)} – ${formatDate(course.end_date)}`,
       t(`format.${course.format}`)].filter(Boolean).join(" · ")),
    course.description ? h("p", {}, course.description) : null);
}

export async function searchPage(main, params) {
  const form = h("form", { class: "grid", role: "search" });
  const results = h("ol", { class: "results", "aria-label": t("search.title") });
  const summary = h("p", { role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("search.more"));
  main.replaceChildren(h("h1", {}, t("search.title")), form, summary, results, more);

  const [facets, page] = await Promise.all([
    api("catalog", `/courses/facets?${query(params)}`),
    api("catalog", `/courses?${query(params, { limit: 10 })}`),
  ]);
  const q = h("input", { name: "q", type: "search", value: params.q || "", autocomplete: "off" });
  form.append(h("div", { class: "wide" }, field(t("search.q"), q)),
    ...FILTERS.map((name) => facetSelect(name, facets[name], params[name])),
    h("div", { class: "wide" }, h("button", { type: "submit" }, t("search.submit"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    location.hash = `#/?${new URLSearchParams(chosen)}`;
  });

  summary.textContent = facets.total ? t("search.found", { n: facets.total }) : t("search.none");
  let cursor = page.next_cursor;
  results.append(...page.items.map(courseCard));
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    const next = await api("catalog", `/courses?${query(params, { limit: 10, cursor })}`);
    results.append(...next.items.map(courseCard));
    cursor = next.next_cursor;
    more.hidden = !cursor;
    results.children[results.children.length - next.items.length]?.querySelector("a")?.focus();
  });
  if (params.q !== undefined) q.focus();
}

export function showError(main, error) {
  main.append(message(`${t("error")}: ${error.message}`, "error"));
}
