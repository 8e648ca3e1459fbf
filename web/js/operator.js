// The operator's status view: health, consumer lag, outbox backlog, dead letters, 5xx rate.
import { formatNumber, h } from "./dom.js";
import { t } from "./i18n.js";

export async function operatorPage(main) {
  const response = await fetch("/status.json");
  const services = await response.json();
  const ready = (s) => (s.ready === null ? ["bad", t("operator.down")] : s.ready ? ["ok", t("operator.up")] : ["warn", t("operator.notready")]);
  const columns = ["operator.service", "operator.ready", "operator.lag", "operator.outbox", "operator.dead", "operator.errors"];
  main.replaceChildren(h("h1", {}, t("operator.title")), h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, t(c))))),
    h("tbody", {}, services.map((s) => {
      const [kind, label] = ready(s);
      return h("tr", {}, h("th", { scope: "row" }, h("a", { href: `${s.url}/docs` }, s.service)),
        h("td", { class: kind }, label), h("td", {}, formatNumber(s.consumer_lag)), h("td", {}, formatNumber(s.outbox_backlog)),
        h("td", { class: s.dead_letters ? "warn" : null }, formatNumber(s.dead_letters)),
        h("td", {}, s.error_rate == null ? "–" : formatNumber(s.error_rate, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 })));
    })))));
}
