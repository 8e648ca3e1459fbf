// A tiny element builder: h("p", {class: "x"}, "text", child). Text is always text, never HTML.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
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

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return date.toLocaleDateString(document.documentElement.lang === "en" ? "en-GB" : "de-DE",
    { day: "2-digit", month: "2-digit", year: "numeric" });
}

export function skillName(uri) {
  return uri.split("/").pop();
}
