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
    "search.near": "PLZ oder Ort (Umkreissuche)", "search.radius": "Umkreis", "search.km": "{km} km",
    "search.within": "im Umkreis von {km} km um {place}", "search.distance": "{km} km entfernt",
    "search.didyoumean": "Meinten Sie „{q}“?", "suggest.title": "Kurs", "suggest.skill": "Kompetenz", "suggest.place": "Ort",
    "format.onsite": "vor Ort", "format.online": "online", "format.blended": "gemischt",
    "course.provider": "Anbieter", "course.dates": "Zeitraum", "course.place": "Ort", "course.eqf": "EQF-Niveau",
    "course.price": "Preis", "course.seats": "Plätze", "course.modules": "Module", "course.skills": "Kompetenzen",
    "course.enrol": "Jetzt anmelden", "course.signin": "Zum Anmelden bitte als Lernende:r einloggen (Mein Lernen).",
    "course.back": "Zurück zur Suche", "course.taken": "{confirmed} von {capacity} belegt, {waitlisted} auf der Warteliste", "course.hours": "{n} Std.",
    "course.skill": "ESCO-Kompetenz {n}", "course.skillnote": "Bezeichnungen aus ESCO, der europäischen Klassifikation (auf Englisch); der Link öffnet die Kompetenz im ESCO-Portal.",
    "status.confirmed": "Bestätigt", "status.waitlisted": "Warteliste, Platz {n}", "status.cancelled": "Storniert",
    "status.rejected": "Abgelehnt", "status.completed": "Abgeschlossen",
    "status.offered": "Platz für Sie reserviert bis {deadline}", "status.declined": "Angebot abgelehnt", "status.expired": "Angebot verfallen",
    "learner.accept": "Platz annehmen", "learner.decline": "Ablehnen",
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
    "report.title": "Bildungsbericht der Region", "report.period": "Zeitraum (2026, 2026-Q1 oder 2026-03)", "report.show": "Anzeigen",
    "report.for": "Zeitraum {period}", "report.region": "Die Region auf einen Blick", "report.courses": "Kurse", "report.seats": "Plätze",
    "report.participants": "Teilnehmende", "report.completions": "Abschlüsse", "report.small": "unter 5", "report.withheld": "k. A.",
    "report.trend.rising": "steigend", "report.trend.falling": "fallend", "report.trend.steady": "gleichbleibend",
    "report.map": "Orte der Region", "report.tile": "{participants} Teilnehmende · {courses} Kurse · {seats} Plätze", "report.online": "Online",
    "report.phases": "Nach Lebensphase", "report.bar": "{participants} Teilnehmende, {seats} Plätze",
    "report.gaps": "Bedarfslücken im Zeitverlauf", "report.gapsummary": "{opened} Lücken erkannt, {closed} geschlossen, {open} noch offen.",
    "report.gapmonth": "{opened} erkannt, {closed} geschlossen", "report.projects": "Verbundprojekte",
    "report.noprojects": "Noch keine Verbundprojekte.", "report.outcome": "{participants} Teilnehmende, {certificates} Zertifikate in {courses} Kursen",
    "report.none": "Keine Angebote in diesem Zeitraum.", "report.csv": "Als CSV herunterladen (für das Statistikamt)",
    "report.suppressed": "Zahlen, die weniger als fünf Lernende beschreiben würden, werden nicht veröffentlicht („unter 5“); „k. A.“ steht für eine Zahl, die verborgen bleibt, damit sich keine kleine Zahl aus einer Summe errechnen lässt.",
    "nav.report": "Bildungsbericht",
    "phase.early-childhood": "Frühe Kindheit", "phase.school": "Schule", "phase.transition": "Übergang Schule–Beruf",
    "phase.working-age": "Erwerbsleben", "phase.senior": "Nach dem Erwerbsleben", "phase.unspecified": "ohne Angabe",
    "project.idea": "Idee", "project.consortium": "Konsortium", "project.submitted": "eingereicht", "project.granted": "bewilligt",
    "project.refused": "abgelehnt", "project.running": "läuft", "project.reported": "abgeschlossen",
    "error": "Fehler",
  },
  en: {
    "report.title": "The region's education report", "report.period": "Period (2026, 2026-Q1 or 2026-03)", "report.show": "Show",
    "report.for": "Period {period}", "report.region": "The region at a glance", "report.courses": "Courses", "report.seats": "Seats",
    "report.participants": "Participants", "report.completions": "Completions", "report.small": "under 5", "report.withheld": "withheld",
    "report.trend.rising": "rising", "report.trend.falling": "falling", "report.trend.steady": "steady",
    "report.map": "Places of the region", "report.tile": "{participants} participants · {courses} courses · {seats} seats", "report.online": "Online",
    "report.phases": "By life phase", "report.bar": "{participants} participants, {seats} seats",
    "report.gaps": "Demand gaps over time", "report.gapsummary": "{opened} gaps found, {closed} closed, {open} still open.",
    "report.gapmonth": "{opened} found, {closed} closed", "report.projects": "Joint projects",
    "report.noprojects": "No joint projects yet.", "report.outcome": "{participants} participants, {certificates} certificates in {courses} courses",
    "report.none": "No offers in this period.", "report.csv": "Download as CSV (for the statistics office)",
    "report.suppressed": "Figures that would describe fewer than five learners are not published (\"under 5\"); \"withheld\" marks a figure hidden so that no small figure can be worked out from a total.",
    "nav.report": "Education report",
    "phase.early-childhood": "Early childhood", "phase.school": "School", "phase.transition": "School to work",
    "phase.working-age": "Working life", "phase.senior": "After working life", "phase.unspecified": "not given",
    "project.idea": "idea", "project.consortium": "consortium", "project.submitted": "submitted", "project.granted": "granted",
    "project.refused": "refused", "project.running": "running", "project.reported": "reported",
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
    "search.near": "Postcode or town (radius search)", "search.radius": "Radius", "search.km": "{km} km",
    "search.within": "within {km} km of {place}", "search.distance": "{km} km away",
    "search.didyoumean": "Did you mean “{q}”?", "suggest.title": "Course", "suggest.skill": "Skill", "suggest.place": "Place",
    "format.onsite": "on site", "format.online": "online", "format.blended": "blended",
    "course.provider": "Provider", "course.dates": "Dates", "course.place": "Place", "course.eqf": "EQF level",
    "course.price": "Price", "course.seats": "Seats", "course.modules": "Modules", "course.skills": "Skills",
    "course.enrol": "Enrol now", "course.signin": "Sign in as a learner to enrol (My learning).",
    "course.back": "Back to the search", "course.taken": "{confirmed} of {capacity} taken, {waitlisted} waiting", "course.hours.one": "{n} hour", "course.hours.other": "{n} hours",
    "course.skill": "ESCO skill {n}", "course.skillnote": "Names from ESCO, the European classification; the link opens the skill in the ESCO portal.",
    "status.confirmed": "Confirmed", "status.waitlisted": "Waiting list, place {n}", "status.cancelled": "Cancelled",
    "status.rejected": "Rejected", "status.completed": "Completed",
    "status.offered": "Seat held for you until {deadline}", "status.declined": "Offer declined", "status.expired": "Offer expired",
    "learner.accept": "Accept the seat", "learner.decline": "Decline",
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
