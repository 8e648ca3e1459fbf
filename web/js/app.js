// The portal's router: #/ search, #/kurs/<id> course, #/lernen, #/beratung, #/betrieb, #/bericht.
import { session } from "./api.js";
import { coursePage } from "./course.js";
import { counsellorPage } from "./counsellor.js";
import { h, message } from "./dom.js";
import { language, setLanguage, t, translatePage } from "./i18n.js";
import { learnerPage } from "./learner.js";
import * as live from "./live.js";
import { operatorPage } from "./operator.js";
import { reportPage } from "./report.js";
import { searchPage } from "./search.js";

const main = document.getElementById("main");

async function route() {
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const params = Object.fromEntries(new URLSearchParams(search || ""));
  for (const link of document.querySelectorAll("nav a")) {
    const target = link.getAttribute("href").slice(1);
    link.toggleAttribute("aria-current", target === (path || "/") || (target !== "/" && path?.startsWith(target)));
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  try {
    if (path?.startsWith("/kurs/")) await coursePage(main, decodeURIComponent(path.slice(6)));
    else if (path === "/lernen") await learnerPage(main);
    else if (path === "/beratung") await counsellorPage(main);
    else if (path === "/betrieb") await operatorPage(main);
    else if (path === "/bericht") await reportPage(main, params);
    else await searchPage(main, params);
  } catch (error) {
    main.replaceChildren(message(`${t("error")}: ${error.message}`, "error"));
  }
}

function showSession() {
  const who = document.getElementById("who");
  const current = session.get();
  if (!current) { who.replaceChildren(); return; }
  const out = h("button", { type: "button", class: "secondary" }, t("signin.out"));
  out.addEventListener("click", () => { session.clear(); live.reset(); showSession(); live.start(); route(); });
  who.replaceChildren(t("signin.as", { sub: current.sub, role: t(`role.${current.role}`) }), " ", out);
}

const languageSelect = document.getElementById("language");
languageSelect.value = language();
languageSelect.addEventListener("change", () => {
  setLanguage(languageSelect.value);
  translatePage(); showSession(); route();
});
window.addEventListener("hashchange", () => { route(); main.focus({ preventScroll: true }); });
window.addEventListener("zll:session", () => { live.reset(); showSession(); live.start(); });
translatePage();
showSession();
live.start().catch(() => {});
route();
