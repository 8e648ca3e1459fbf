// German by default; English on request. Texts from the APIs follow Accept-Language.
const TEXTS = {
  de: {
    skip: "Zum Inhalt springen", brand: "Weiterbildung in der Region", language: "Sprache",
    "nav.search": "Kurse finden", "nav.learner": "Mein Lernen", "nav.counsellor": "Beratung", "nav.operator": "Betrieb",
    "live.title": "Benachrichtigungen", "live.on": "Live verbunden", "live.off": "Verbindung wird aufgebaut …",
    "live.none": "Noch keine Benachrichtigungen.",
    "search.title": "Kurse finden", "search.q": "Suchbegriff", "search.municipality": "Ort",
    "search.format": "Form", "search.eqf": "EQF-Niveau", "search.funding": "Förderung", "search.any": "alle",
    "search.submit": "Suchen", "search.more": "Weitere Kurse laden",
    "search.found.one": "{n} Kurs gefunden", "search.found.other": "{n} Kurse gefunden",
    "search.none": "Keine Kurse gefunden", "search.hint": "Versuchen Sie einen allgemeineren Suchbegriff oder weniger Filter.",
    "search.reset": "Alle Filter zurücksetzen", "search.loading": "Kurse werden geladen …", "search.filters": "Filter",
    "search.eqfvalue": "Niveau {level}", "loading": "Wird geladen …",
    "search.didyoumean": "Meinten Sie „{q}“?", "suggest.title": "Kurs", "suggest.skill": "Kompetenz", "suggest.place": "Ort",
    "format.onsite": "vor Ort", "format.online": "online", "format.blended": "gemischt",
    "course.provider": "Anbieter", "course.dates": "Zeitraum", "course.place": "Ort", "course.eqf": "EQF-Niveau",
    "course.price": "Preis", "course.seats": "Plätze", "course.modules": "Module", "course.skills": "Kompetenzen",
    "course.enrol": "Jetzt anmelden", "course.signin": "Zum Anmelden bitte als Lernende:r einloggen (Mein Lernen).",
    "course.back": "Zurück zur Suche", "course.taken": "{confirmed} von {capacity} belegt, {waitlisted} auf der Warteliste", "course.hours": "{n} Std.",
    "course.skill": "ESCO-Kompetenz {n}", "course.skillnote": "Die Bezeichnungen stehen im ESCO-Portal (Link öffnet die Kompetenz).",
    "status.confirmed": "Bestätigt", "status.waitlisted": "Warteliste, Platz {n}", "status.cancelled": "Storniert",
    "status.rejected": "Abgelehnt", "status.completed": "Abgeschlossen",
    "signin.title": "Anmelden (Demo)", "signin.sub": "Kennung", "signin.submit": "Anmelden", "signin.out": "Abmelden",
    "signin.note": "Nur im Entwicklungs-Stack: der Demo-Login stellt ein Token für jede Kennung aus.",
    "signin.as": "Angemeldet als {sub} ({role})",
    "role.learner": "Lernende:r", "role.counsellor": "Beratung", "role.operator": "Betrieb",
    "learner.enrolments": "Meine Anmeldungen", "learner.none": "Noch keine Anmeldungen.", "learner.cancel": "Stornieren",
    "learner.certificates": "Meine Zertifikate", "learner.nocerts": "Noch keine Zertifikate.",
    "learner.verify": "Prüfen", "learner.valid": "Gültig", "learner.invalid": "Ungültig",
    "learner.goal": "Mein Ziel", "learner.goaltext": "Was möchten Sie lernen?", "learner.recommend": "Empfehlungen zeigen",
    "learner.recommendations": "Empfehlungen", "learner.gap": "Was Ihnen für das Ziel noch fehlt",
    "learner.nocourses": "Derzeit kein passender Kurs – die Region erfährt von diesem Bedarf.",
    "counsellor.title": "Vergaberunde aus CSV", "counsellor.offers": "Angebote (CSV: angebot,plätze)",
    "counsellor.applications": "Bewerbungen (CSV: lernende,wunsch1,wunsch2,…)", "counsellor.run": "Runde berechnen",
    "counsellor.result": "Ergebnis", "counsellor.unplaced": "Ohne Platz: {n}", "counsellor.offer": "Angebot", "counsellor.none": "kein Platz",
    "operator.title": "Betriebsstatus", "operator.service": "Dienst", "operator.ready": "Bereit",
    "operator.lag": "Verzögerung", "operator.outbox": "Outbox", "operator.dead": "Dead Letters", "operator.errors": "5xx-Quote",
    "operator.up": "bereit", "operator.notready": "nicht bereit", "operator.down": "nicht erreichbar",
    "error": "Fehler",
  },
  en: {
    skip: "Skip to content", brand: "Learning in the region", language: "Language",
    "nav.search": "Find courses", "nav.learner": "My learning", "nav.counsellor": "Counselling", "nav.operator": "Operations",
    "live.title": "Notifications", "live.on": "Live", "live.off": "Connecting …", "live.none": "No notifications yet.",
    "search.title": "Find courses", "search.q": "Search term", "search.municipality": "Place",
    "search.format": "Format", "search.eqf": "EQF level", "search.funding": "Funding", "search.any": "any",
    "search.submit": "Search", "search.more": "Load more courses",
    "search.found.one": "{n} course found", "search.found.other": "{n} courses found",
    "search.none": "No courses found", "search.hint": "Try a more general search term or fewer filters.",
    "search.reset": "Clear all filters", "search.loading": "Loading courses …", "search.filters": "Filters",
    "search.eqfvalue": "Level {level}", "loading": "Loading …",
    "search.didyoumean": "Did you mean “{q}”?", "suggest.title": "Course", "suggest.skill": "Skill", "suggest.place": "Place",
    "format.onsite": "on site", "format.online": "online", "format.blended": "blended",
    "course.provider": "Provider", "course.dates": "Dates", "course.place": "Place", "course.eqf": "EQF level",
    "course.price": "Price", "course.seats": "Seats", "course.modules": "Modules", "course.skills": "Skills",
    "course.enrol": "Enrol now", "course.signin": "Sign in as a learner to enrol (My learning).",
    "course.back": "Back to the search", "course.taken": "{confirmed} of {capacity} taken, {waitlisted} waiting", "course.hours.one": "{n} hour", "course.hours.other": "{n} hours",
    "course.skill": "ESCO skill {n}", "course.skillnote": "The names are in the ESCO portal (the link opens the skill).",
    "status.confirmed": "Confirmed", "status.waitlisted": "Waiting list, place {n}", "status.cancelled": "Cancelled",
    "status.rejected": "Rejected", "status.completed": "Completed",
    "signin.title": "Sign in (demo)", "signin.sub": "Id", "signin.submit": "Sign in", "signin.out": "Sign out",
    "signin.note": "Dev stack only: the demo sign-in issues a token for any id.",
    "signin.as": "Signed in as {sub} ({role})",
    "role.learner": "learner", "role.counsellor": "counsellor", "role.operator": "operator",
    "learner.enrolments": "My enrolments", "learner.none": "No enrolments yet.", "learner.cancel": "Cancel",
    "learner.certificates": "My certificates", "learner.nocerts": "No certificates yet.",
    "learner.verify": "Verify", "learner.valid": "Valid", "learner.invalid": "Invalid",
    "learner.goal": "My goal", "learner.goaltext": "What would you like to learn?", "learner.recommend": "Show recommendations",
    "learner.recommendations": "Recommendations", "learner.gap": "What you still need for the goal",
    "learner.nocourses": "No fitting course right now – the region learns of this need.",
    "counsellor.title": "Allocation round from CSV", "counsellor.offers": "Offers (CSV: offer,seats)",
    "counsellor.applications": "Applications (CSV: learner,choice1,choice2,…)", "counsellor.run": "Run the round",
    "counsellor.result": "Result", "counsellor.unplaced": "Unplaced: {n}", "counsellor.offer": "Offer", "counsellor.none": "no place",
    "operator.title": "Operations status", "operator.service": "Service", "operator.ready": "Ready",
    "operator.lag": "Lag", "operator.outbox": "Outbox", "operator.dead": "Dead letters", "operator.errors": "5xx rate",
    "operator.up": "ready", "operator.notready": "not ready", "operator.down": "unreachable",
    "error": "Error",
  },
};

export function language() {
  return localStorage.getItem("zll.language") || "de";
}

export function setLanguage(value) {
  localStorage.setItem("zll.language", value);
}

const lookup = (key) => TEXTS[language()][key] ?? TEXTS.de[key];

/** A text with {placeholders}; a numeric {n} picks the plural form (key.one / key.other)
 * and is written in the page's number format ("1.234 Kurse"). */
export function t(key, values = {}) {
  let text = lookup(key);
  const n = values.n;
  if (typeof n === "number") {
    const form = new Intl.PluralRules(language()).select(n);
    text = lookup(`${key}.${form}`) ?? lookup(`${key}.other`) ?? text;
    values = { ...values, n: new Intl.NumberFormat(language() === "en" ? "en-GB" : "de-DE").format(n) };
  }
  text ??= key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Static texts in index.html carry data-i18n keys. */
export function translatePage() {
  document.documentElement.lang = language();
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
}
