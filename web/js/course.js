// One course: modules, EQF level, skills, free seats, and enrolling with the live outcome.
import { api, session } from "./api.js";
import { formatDate, h, message, skillName } from "./dom.js";
import { t } from "./i18n.js";

export function statusText(enrolment) {
  return t(`status.${enrolment.status}`, { n: enrolment.waitlist_position });
}

export function statusBadge(enrolment) {
  return h("span", { class: `badge status-${enrolment.status}`, "data-status": enrolment.status }, statusText(enrolment));
}

export async function coursePage(main, courseId) {
  const course = await api("catalog", `/courses/${encodeURIComponent(courseId)}`);
  const seats = await api("enrolment", `/courses/${encodeURIComponent(courseId)}/seats`).catch(() => null);
  const levels = [...new Set(course.modules.map((m) => m.eqf_level).filter(Boolean))].join(", ");
  const skills = [...new Set(course.modules.flatMap((m) => m.skills))];
  const outcome = h("div", { id: "enrolment-outcome", "aria-live": "polite" });
  main.replaceChildren(
    h("p", {}, h("a", { href: "#/" }, t("course.back"))),
    h("h1", {}, course.title),
    course.description ? h("p", {}, course.description) : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("course.provider")), h("dd", {}, course.provider_id),
      h("dt", {}, t("course.dates")), h("dd", {}, `${formatDate(course.start_date)} – ${formatDate(course.end_date)}`),
      h("dt", {}, t("course.place")), h("dd", {}, [course.location?.municipality, t(`format.${course.format}`)].filter(Boolean).join(", ")),
      h("dt", {}, t("course.eqf")), h("dd", {}, levels || "–"),
      course.price_eur != null ? [h("dt", {}, t("course.price")), h("dd", {}, `${course.price_eur.toFixed(2)} €`)] : null,
      seats ? [h("dt", {}, t("course.seats")), h("dd", { id: "seats" }, t("course.taken", seats))] : null),
    h("h2", {}, t("course.modules")),
    h("ol", {}, course.modules.map((m) => h("li", {}, `${m.title} (EQF ${m.eqf_level ?? "–"}, ${t("course.hours", { n: m.workload_hours })})`))),
    h("h2", {}, t("course.skills")),
    h("ul", {}, skills.map((s) => h("li", {}, h("a", { href: s, rel: "noopener" }, skillName(s))))),
    enrolControl(course.course_id, outcome),
    outcome);
}

function enrolControl(courseId, outcome) {
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
    } catch (error) {
      outcome.replaceChildren(message(error.message, "error"));
      button.disabled = false;
    }
  });
  return button;
}
