"""`make docs`: the region's AsyncAPI document rendered to one readable HTML page."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.info.title }} {{ doc.info.version }}</title>
<style>
 body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
 h2{border-bottom:1px solid #ccc;margin-top:2.5rem} code,pre{background:#f4f4f4;border-radius:4px}
 pre{padding:.75rem;overflow:auto;font-size:13px} .op{font-weight:600;text-transform:uppercase}
 table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}
</style></head><body>
<h1>{{ doc.info.title }} <small>{{ doc.info.version }}</small></h1>
<p>{{ doc.info.description }}</p>
<nav><ul>{% for cid, ch in doc.channels.items() %}
<li><a href="#{{ cid }}"><code>{{ ch.address }}</code></a></li>{% endfor %}</ul></nav>
{% for cid, ch in doc.channels.items() %}
<h2 id="{{ cid }}"><code>{{ ch.address }}</code></h2>
<p>{{ ch.description }} Partitions: {{ ch.bindings.kafka.partitions }}.</p>
{% for op in operations_of(cid) %}
<p><span class="op">{{ op.action }}</span> — {{ op.summary }}</p>{% endfor %}
{% for name, ref in ch.messages.items() %}{% set m = doc.components.messages[name] %}
<h3><code>{{ name }}</code></h3>
<p>{{ m.summary or m.title or "" }}</p>
<details><summary>payload schema</summary><pre>{{ schema_of(m) }}</pre></details>
{% endfor %}{% endfor %}
</body></html>
"""


def render(document: dict[str, Any]) -> str:
    env = Environment(autoescape=select_autoescape(default=True))

    def operations_of(channel_id: str) -> list[dict[str, Any]]:
        ref = f"#/channels/{channel_id}"
        return [op for op in document["operations"].values() if op["channel"]["$ref"] == ref]

    def schema_of(message: dict[str, Any]) -> str:
        payload = message.get("payload", {})
        name = payload.get("$ref", "").rsplit("/", 1)[-1]
        resolved = document["components"]["schemas"].get(name, payload)
        return json.dumps(resolved, indent=2, ensure_ascii=False)

    return env.from_string(_TEMPLATE).render(
        doc=document, operations_of=operations_of, schema_of=schema_of
    )


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else Path("contracts/asyncapi.json")
    target = Path(argv[1]) if len(argv) > 1 else Path("docs/asyncapi.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(json.loads(source.read_text())))
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
