// The region's education report as pictures: municipalities as a table-map, bars by life
// phase, a time line of gaps opened and closed, joint projects. Counts below five are hidden.
import { api, serviceUrl } from "./api.js";
import { field, formatNumber, h, message, nodes } from "./dom.js";
import { t } from "./i18n.js";

const PHASES = ["early-childhood", "school", "transition", "working-age", "senior", "unspecified"];

/** A learner count of a row: "unter 5" where it was small, "k. A." where it was withheld so
 * that no small count can be worked out from a total; never "null". */
function count(row, key) {
  const value = row[key];
  if (value !== null && value !== undefined) return formatNumber(value);
  return (row.withheld || []).includes(key) ? t("report.withheld") : t("report.small");
}

function trend(direction) {
  if (!direction) return null;
  const arrow = { rising: "↑", falling: "↓", steady: "→" }[direction];
  return h("span", { class: `trend trend-${direction}` }, `${arrow} ${t(`report.trend.${direction}`)}`);
}

function headline(report) {
  const region = report.region || {};
  const tiles = [["courses", "report.courses"], ["seats", "report.seats"],
    ["participants", "report.participants"], ["completions", "report.completions"]];
  return h("ul", { class: "kpis", "aria-label": t("report.region") }, tiles.map(([key, label]) =>
    h("li", {}, h("span", { class: "kpi-value" }, ["courses", "seats"].includes(key) ? formatNumber(region[key] ?? 0) : count(region, key)),
      h("span", { class: "kpi-label" }, t(label)), trend(report.trends.direction[key]))));
}

/** Municipalities as tiles, shaded by participants (the darker, the more took part). */
function tableMap(report) {
  const rows = report.by_municipality;
  if (!rows.length) return h("p", { class: "empty" }, t("report.none"));
  const most = Math.max(1, ...rows.map((r) => r.participants ?? 0));
  return h("ul", { class: "tilemap", id: "municipalities" }, rows.map((r) => {
    const share = (r.participants ?? 0) / most;
    const place = r.municipality === "online" ? t("report.online") : r.municipality;
    return h("li", { class: share > 0.5 ? "tile strong" : "tile", style: `--share:${share.toFixed(2)}` },
      h("strong", {}, place),
      h("span", {}, t("report.tile", { participants: count(r, "participants"), courses: formatNumber(r.courses), seats: formatNumber(r.seats) })));
  }));
}

/** One bar per life phase, as long as its share of participants (seats when all are hidden). */
function phaseBars(report) {
  const rows = [...report.by_life_phase].sort((a, b) => PHASES.indexOf(a.life_phase) - PHASES.indexOf(b.life_phase));
  if (!rows.length) return h("p", { class: "empty" }, t("report.none"));
  const most = Math.max(1, ...rows.map((r) => r.participants ?? 0));
  return h("ul", { class: "bars", id: "life-phases" }, rows.map((r) => h("li", {},
    h("span", { class: "bar-label" }, t(`phase.${r.life_phase}`)),
    h("span", { class: "bar-track" }, h("span", { class: "bar", style: `width:${(100 * (r.participants ?? 0) / most).toFixed(1)}%` })),
    h("span", { class: "bar-value" }, t("report.bar", { participants: count(r, "participants"), seats: formatNumber(r.seats) })))));
}

/** Month by month: how many gaps were found and how many closed. */
function gapLine(report) {
  const months = report.gaps.timeline;
  const summary = h("p", {}, t("report.gapsummary", { opened: report.gaps.opened, closed: report.gaps.closed, open: report.gaps.open_at_end }));
  if (!months.length) return nodes(summary);
  const most = Math.max(1, ...months.map((m) => Math.max(m.opened, m.closed)));
  return nodes(summary, h("ol", { class: "timeline", id: "gap-timeline" }, months.map((m) => h("li", {},
    h("span", { class: "month" }, new Date(`${m.month}-01T00:00:00`).toLocaleDateString(document.documentElement.lang === "en" ? "en-GB" : "de-DE", { month: "short", year: "numeric" })),
    h("span", { class: "bar opened", style: `width:${(100 * m.opened / most).toFixed(1)}%` }),
    h("span", { class: "bar closed", style: `width:${(100 * m.closed / most).toFixed(1)}%` }),
    h("span", { class: "bar-value" }, t("report.gapmonth", { opened: m.opened, closed: m.closed }))))));
}

function projects(report) {
  if (!report.projects.length) return h("p", { class: "empty" }, t("report.noprojects"));
  return h("ul", { class: "results", id: "projects" }, report.projects.map((p) => h("li", { class: "card" },
    h("h3", {}, p.title), h("p", {}, h("span", { class: "badge" }, t(`project.${p.state}`))),
    h("p", {}, t("report.outcome", { participants: count(p, "participants"), certificates: count(p, "certificates"), courses: formatNumber(p.courses) })))));
}

export async function reportPage(main, params = {}) {
  const period = params.zeitraum || String(new Date().getFullYear());
  const input = h("input", { name: "period", value: period, inputmode: "numeric", pattern: "\\d{4}(-Q[1-4]|-\\d{2})?" });
  const form = h("form", { class: "row", onsubmit: (event) => {
    event.preventDefault();
    location.hash = `#/bericht?zeitraum=${encodeURIComponent(input.value.trim())}`;
  } }, field(t("report.period"), input), h("button", { type: "submit" }, t("report.show")));
  main.replaceChildren(h("h1", {}, t("report.title")), form, h("p", { class: "loading", role: "status" }, t("loading")));
  const report = await api("cooperative", `/reports/education?period=${encodeURIComponent(period)}`);
  const csv = serviceUrl("cooperative", `/reports/education.csv?period=${encodeURIComponent(period)}`);
  main.replaceChildren(
    h("h1", {}, t("report.title")), form,
    h("p", { class: "muted", role: "status" }, t("report.for", { period: report.period })),
    headline(report),
    h("section", { "aria-labelledby": "map-title" }, h("h2", { id: "map-title" }, t("report.map")), tableMap(report)),
    h("section", { "aria-labelledby": "phase-title" }, h("h2", { id: "phase-title" }, t("report.phases")), phaseBars(report)),
    h("section", { "aria-labelledby": "gap-title" }, h("h2", { id: "gap-title" }, t("report.gaps")), gapLine(report)),
    h("section", { "aria-labelledby": "project-title" }, h("h2", { id: "project-title" }, t("report.projects")), projects(report)),
    message(t("report.suppressed")),
    h("p", {}, h("a", { href: csv, download: "" }, t("report.csv"))),
  );
}
