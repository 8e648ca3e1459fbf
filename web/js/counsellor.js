// A counsellor runs an allocation round from CSV files and sees who got which place.
import { api, session } from "./api.js";
import { field, h, message } from "./dom.js";
import { t } from "./i18n.js";
import { signInForm } from "./learner.js";

export function parseCsv(text) {
  return text.split(/\r?\n/).map((line) => line.split(/[;,]/).map((cell) => cell.trim()))
    .filter((cells) => cells[0] && !/^(angebot|offer|lernende|learner)/i.test(cells[0]));
}

const readFile = (input) => (input.files[0] ? input.files[0].text() : Promise.resolve(""));

export async function counsellorPage(main) {
  const current = session.get();
  if (!current || current.role !== "counsellor") return signInForm("counsellor", main, () => counsellorPage(main));
  const offers = h("input", { type: "file", accept: ".csv,text/csv", required: true });
  const applications = h("input", { type: "file", accept: ".csv,text/csv", required: true });
  const result = h("div", { "aria-live": "polite", id: "round-result" });
  const form = h("form", { class: "grid" }, field(t("counsellor.offers"), offers),
    field(t("counsellor.applications"), applications),
    h("div", { class: "wide" }, h("button", { type: "submit" }, t("counsellor.run"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      offers: parseCsv(await readFile(offers)).map(([offer_id, capacity]) => ({ offer_id, capacity: Number(capacity), rule: "first-come" })),
      applications: parseCsv(await readFile(applications)).map(([learner_id, ...ranking]) => ({ learner_id, ranking: ranking.filter(Boolean) })),
      publish: false,
    };
    try {
      const round = await api("matching", "/rounds", { method: "POST", body });
      result.replaceChildren(h("h2", {}, t("counsellor.result")),
        h("div", { class: "table-wrap" }, h("table", {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("role.learner")), h("th", { scope: "col" }, t("counsellor.offer")))),
          h("tbody", {}, Object.entries(round.assignments).map(([learner, offer]) =>
            h("tr", {}, h("th", { scope: "row" }, learner), h("td", {}, offer ?? t("counsellor.none"))))))),
        h("p", {}, t("counsellor.unplaced", { n: round.unplaced })));
    } catch (error) {
      result.replaceChildren(message(error.message, "error"));
    }
  });
  main.replaceChildren(h("h1", {}, t("counsellor.title")), form, result);
}
