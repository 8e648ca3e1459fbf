// A tiny element builder: h("p", {class: "x"}, "text", child). Text is always text, never HTML.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Children for replaceChildren: nested lists flattened, and null/false left out (the DOM
 * itself would write them as the text "null"). */
export function nodes(...children) {
  return children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false);
}

let counter = 0;
/** A labelled input: every field gets a <label for> that names it (and only it). */
export function field(label, control) {
  control.id ||= `f${++counter}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

export function message(text, kind = "info") {
  return h("p", { class: kind === "error" ? "message error" : "message", role: kind === "error" ? "alert" : "status" }, text);
}

/** The page's locale for numbers and dates: de-DE unless the visitor chose English. */
export function locale() {
  return document.documentElement.lang === "en" ? "en-GB" : "de-DE";
}

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return date.toLocaleDateString(locale(), { day: "2-digit", month: "2-digit", year: "numeric" });
}

/** 1234.5 → "1.234,5" in German; null stays empty rather than printing "null". */
export function formatNumber(value, digits = {}) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  return new Intl.NumberFormat(locale(), digits).format(Number(value));
}

/** 96 → "96,00 €" in German, "€96.00" in English. */
export function formatPrice(euros) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency: "EUR" }).format(Number(euros));
}
