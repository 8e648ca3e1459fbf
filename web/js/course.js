// One course: modules, EQF level, skills, free seats, and enrolling with the live outcome.
import { api, providerNames, session } from "./api.js";
import { formatDate, formatPrice, h, message, nodes } from "./dom.js";
import { language, t } from "./i18n.js";
import { fundingLabel } from "./search.js";

export function statusText(enrolment) {
  const deadline = enrolment.offer_expires_at
    ? new Date(enrolment.offer_expires_at).toLocaleString(language() === "en" ? "en-GB" : "de-DE",
      { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Berlin" })
    : "";
  return t(`status.${enrolment.status}`, { n: enrolment.waitlist_position, deadline });
}

export function statusBadge(enrolment) {
  return h("span", { class: `badge status-${enrolment.status}`, "data-status": enrolment.status }, statusText(enrolment));
}

/** A course's skills by their ESCO names (matching's GET /skills/names; ESCO's names are
 * English, marked lang="en" for screen readers); a URI without a name keeps "ESCO-Kompetenz n". */
function skillList(skills, names) {
  return h("ul", { class: "skills" }, skills.map((uri, i) => {
    const name = names[uri];
    const text = name ? name.label : t("course.skill", { n: i + 1 });
    return h("li", {}, h("a", { href: uri, rel: "noopener", target: "_blank", lang: name?.language }, text));
  }));
}

async function skillNames(skills) {
  if (!skills.length) return {};
  const query = skills.map((uri) => `uri=${encodeURIComponent(uri)}`).join("&");
  const answer = await api("matching", `/skills/names?${query}`).catch(() => null);
  return answer?.names ?? {};
}

export async function coursePage(main, courseId) {
  main.replaceChildren(h("p", { role: "status", class: "loading" }, t("loading")));
  const course = await api("catalog", `/courses/${encodeURIComponent(courseId)}`);
  const modules = course.modules ?? [];
  const skills = [...new Set(modules.flatMap((m) => m.skills ?? []))];
  const [seats, providers, names] = await Promise.all([
    api("enrolment", `/courses/${encodeURIComponent(courseId)}/seats`).catch(() => null),
    providerNames([course.provider_id]),
    skillNames(skills),
  ]);
  const levels = [...new Set(modules.map((m) => m.eqf_level).filter(Boolean))].join(", ");
  const funding = (course.funding ?? []).map(fundingLabel).join(", ");
  const hours = (m) => (m.workload_hours != null ? t("course.hours", { n: m.workload_hours }) : null);
  const outcome = h("div", { id: "enrolment-outcome", "aria-live": "polite" });
  main.replaceChildren(...nodes(
    h("p", {}, h("a", { href: "#/" }, t("course.back"))),
    h("h1", {}, course.title),
    course.description ? h("p", {}, course.description) : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("course.provider")), h("dd", { id: "provider" }, providers[course.provider_id]),
      h("dt", {}, t("course.dates")), h("dd", {}, `${formatDate(course.start_date)} – ${formatDate(course.end_date)}`),
      h("dt", {}, t("course.place")), h("dd", {}, [course.location?.municipality, t(`format.${course.format}`)].filter(Boolean).join(", ")),
      levels ? [h("dt", {}, t("course.eqf")), h("dd", {}, levels)] : null,
      course.price_eur != null ? [h("dt", {}, t("course.price")), h("dd", { id: "price" }, formatPrice(course.price_eur))] : null,
      funding ? [h("dt", {}, t("search.funding")), h("dd", {}, funding)] : null,
      seats ? [h("dt", {}, t("course.seats")), h("dd", { id: "seats" }, t("course.taken", seats))] : null),
    modules.length ? [h("h2", {}, t("course.modules")),
      h("ol", {}, modules.map((m) => h("li", {},
        [m.title, m.eqf_level ? `EQF ${m.eqf_level}` : null, hours(m)].filter(Boolean).join(" · "))))] : null,
    skills.length ? [h("h2", {}, t("course.skills")), skillList(skills, names), h("p", { class: "muted" }, t("course.skillnote"))] : null,
    enrolControl(course.course_id, outcome, async () => {
      const now = await api("enrolment", `/courses/${encodeURIComponent(courseId)}/seats`).catch(() => null);
      if (now) main.querySelector("#seats")?.replaceChildren(t("course.taken", now));
    }),
    outcome));
}

function enrolControl(courseId, outcome, enrolled) {
  const current = session.get();
  if (!current || current.role !== "learner") return message(t("course.signin"));
  const button = h("button", { type: "button", id: "enrol" }, t("course.enrol"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const enrolment = await api("enrolment", "/enrolments", {
        method: "POST", body: { course_id: courseId, learner_id: current.sub },
        headers: { "Idempotency-Key": crypto.randomUUID() },
      });
      outcome.replaceChildren(statusBadge(enrolment));
      await enrolled();
    } catch (error) {
      outcome.replaceChildren(message(error.message, "error"));
      button.disabled = false;
    }
  });
  return button;
}
