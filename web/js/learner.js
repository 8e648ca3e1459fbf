// "Mein Lernen": demo sign-in, enrolments (cancel), certificates (verify), recommendations.
import { api, session, signIn } from "./api.js";
import { field, formatDate, h, message, nodes } from "./dom.js";
import { t } from "./i18n.js";
import { onNotification } from "./live.js";
import { statusBadge } from "./course.js";

export function signInForm(role, main, after) {
  const sub = h("input", { name: "sub", required: true, autocomplete: "username", value: role === "learner" ? "lena" : `${role}-1` });
  const form = h("form", { class: "grid", id: `signin-${role}` },
    field(t("signin.sub"), sub),
    h("div", { class: "wide" }, h("button", { type: "submit" }, t("signin.submit"))),
    h("p", { class: "wide muted" }, t("signin.note")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await signIn(role, sub.value.trim());
    window.dispatchEvent(new Event("zll:session"));
    after();
  });
  main.replaceChildren(h("h1", {}, `${t("signin.title")} – ${t(`role.${role}`)}`), form);
  sub.focus();
}

export async function learnerPage(main) {
  const current = session.get();
  if (!current || current.role !== "learner") return signInForm("learner", main, () => learnerPage(main));
  const learner = encodeURIComponent(current.sub);
  const loading = () => h("p", { class: "loading muted" }, t("loading"));
  const enrolments = h("div", { id: "enrolments", "aria-busy": "true" }, loading());
  const certificates = h("div", { id: "certificates", "aria-busy": "true" }, loading());
  const recommendations = h("div", { id: "recommendations", "aria-live": "polite" });
  main.replaceChildren(h("h1", {}, t("nav.learner")),
    h("h2", {}, t("learner.enrolments")), enrolments,
    h("h2", {}, t("learner.certificates")), certificates,
    h("h2", {}, t("learner.goal")), goalForm(learner, recommendations), recommendations);

  const refresh = async () => enrolments.replaceChildren(await enrolmentList(learner));
  const unsubscribe = onNotification((n) => { if (n.kind.startsWith("enrolment.") && document.body.contains(enrolments)) refresh(); else unsubscribe(); });
  await refresh();
  enrolments.removeAttribute("aria-busy");
  certificates.replaceChildren(await certificateList(learner));
  certificates.removeAttribute("aria-busy");
}

/** Course titles for ids, from the catalog; the id where the course is gone from it. */
async function courseTitles(ids) {
  const unique = [...new Set(ids)];
  const titles = await Promise.all(unique.map((id) =>
    api("catalog", `/courses/${encodeURIComponent(id)}`).then((c) => c.title, () => id)));
  return Object.fromEntries(unique.map((id, i) => [id, titles[i]]));
}

async function enrolmentList(learner) {
  const { items } = await api("enrolment", `/learners/${learner}/enrolments`);
  if (!items.length) return message(t("learner.none"));
  const titles = await courseTitles(items.map((e) => e.course_id));
  return h("ul", { class: "results" }, items.map((e) => {
    const title = titles[e.course_id];
    const cancel = h("button", { type: "button", class: "secondary", "aria-label": `${t("learner.cancel")}: ${title}` }, t("learner.cancel"));
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      await api("enrolment", `/enrolments/${e.enrolment_id}/cancel`, { method: "POST", body: {} });
      cancel.closest("li").replaceWith(h("li", { class: "card" }, title, " ", statusBadge({ status: "cancelled" })));
    });
    const open = ["confirmed", "waitlisted", "offered"].includes(e.status);
    return h("li", { class: "card", "data-course": e.course_id },
      h("a", { href: `#/kurs/${encodeURIComponent(e.course_id)}` }, title), " ", statusBadge(e), " ",
      ...(e.status === "offered" ? offerAnswers(e, title) : []), open ? cancel : null);
  }));
}

/** Accept or decline a seat held for the learner (a timed offer); the answer replaces the card. */
function offerAnswers(e, title) {
  return [["accept", "confirmed"], ["decline", "declined"]].map(([answer, status]) => {
    const button = h("button", { type: "button", class: answer === "accept" ? "" : "secondary",
      "aria-label": `${t(`learner.${answer}`)}: ${title}` }, t(`learner.${answer}`));
    button.addEventListener("click", async () => {
      button.disabled = true;
      await api("enrolment", `/enrolments/${e.enrolment_id}/offer/${answer}`, { method: "POST", body: {} });
      button.closest("li").replaceWith(h("li", { class: "card" }, title, " ", statusBadge({ status })));
    });
    return button;
  });
}

async function certificateList(learner) {
  const record = await api("enrolment", `/learners/${learner}/certificates`);
  if (!record.certificates.length) return message(t("learner.nocerts"));
  const titles = await courseTitles(record.certificates.map((c) => c.course_id));
  return h("ul", { class: "results" }, record.certificates.map((c) => {
    const answer = h("span", { "aria-live": "polite" });
    const verify = h("button", { type: "button" }, t("learner.verify"));
    verify.addEventListener("click", async () => {
      const result = await api("enrolment", "/certificates/verify", { method: "POST", body: { jwt: c.jwt } });
      answer.replaceChildren(h("strong", { class: result.valid ? "ok" : "bad" },
        result.valid ? t("learner.valid") : t("learner.invalid")), result.detail ? ` – ${result.detail}` : "");
    });
    return h("li", { class: "card" }, h("strong", {}, titles[c.course_id]), ` · ${formatDate(c.issued_at)} `, verify, " ", answer);
  }));
}

function goalForm(learner, out) {
  const goal = h("input", { name: "goal", value: "Pflege" });
  const form = h("form", { class: "grid" }, field(t("learner.goaltext"), goal),
    h("div", { class: "wide" }, h("button", { type: "submit" }, t("learner.recommend"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("matching", `/learners/${learner}/profile`, { method: "PUT", body: { goal: { text: goal.value } } });
      const found = await api("matching", `/learners/${learner}/recommendations`);
      const courses = found.courses ?? [];
      const gap = (found.gap ?? []).slice(0, 8);
      out.replaceChildren(...nodes(h("h3", {}, t("learner.recommendations")),
        courses.length ? h("ol", {}, courses.map((c) => h("li", {},
          h("a", { href: `#/kurs/${encodeURIComponent(c.course_id)}` }, c.title),
          c.explanation ? h("br") : null, c.explanation ? h("small", { class: "muted" }, c.explanation) : null)))
          : message(t("learner.nocourses")),
        gap.length ? [h("h3", {}, t("learner.gap")), h("ul", {}, gap.map((s) => h("li", {}, s.label)))] : null));
    } catch (error) {
      out.replaceChildren(message(error.message, "error"));
    }
  });
  return form;
}
