"""Breaking-change detection between two versions of a payload's JSON Schema.

The contract changes only by adding. For a schema that means, from old to new:

* breaking: a property removed; a property's type changed (or it no longer accepts null);
  a property newly required; an enum value removed (or an enum imposed); a constraint
  tightened (`maxLength`/`maxItems`/`maximum` lowered, `minLength`/`minItems`/`minimum`
  raised, any of them newly set, `pattern` or `format` changed or newly set, items made
  unique, additional properties forbidden); an event type's schema removed;
* fine: an optional property added, an enum value added, a constraint loosened or dropped,
  titles, descriptions, defaults and examples changed.

These are the rules for what a *sender* may still send. For outbound events an added enum
value still needs readers upgraded first: they validate with the enum they were built with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["breaking_changes", "breaking_changes_in_set"]

Schema = Mapping[str, Any]
Branch = tuple[str, Schema]

_RAISED_IS_BREAKING = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")
_LOWERED_IS_BREAKING = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
_CHANGED_IS_BREAKING = ("pattern", "format", "multipleOf")
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Every way in which `new_schema` refuses a payload that `old_schema` accepted."""
    return _Comparison(old_schema, new_schema).run()


def breaking_changes_in_set(old: Mapping[str, Schema], new: Mapping[str, Schema]) -> list[str]:
    """Compare whole sets of schemas keyed by event type; a removed event type breaks."""
    problems: list[str] = []
    for name in sorted(old):
        if name not in new:
            problems.append(f"{name}: event type schema removed")
            continue
        problems += [f"{name}: {problem}" for problem in breaking_changes(old[name], new[name])]
    return problems


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.problems: list[str] = []
        # $ref targets already compared, per type: recursive models would otherwise loop.
        self.seen: set[tuple[str, str, str]] = set()

    def run(self) -> list[str]:
        self.compare(self.old_root, self.new_root, "")
        return self.problems

    def report(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '(root)'}: {problem}")

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        old_branches = self.branches(old, self.old_root)
        new_branches = self.branches(new, self.new_root)
        if "any" in new_branches:
            return
        old_types = set(old_branches) - {"null"}
        new_types = set(new_branches) - {"null"}
        if old_types != new_types:
            self.report(path, f"type changed from {_names(old_branches)} to {_names(new_branches)}")
            return
        if "null" in old_branches and "null" not in new_branches:
            self.report(path, "no longer accepts null")
        for json_type in sorted(old_types):
            (old_ref, old_branch), (new_ref, new_branch) = (
                old_branches[json_type],
                new_branches[json_type],
            )
            if old_ref and new_ref:
                if (old_ref, new_ref, json_type) in self.seen:
                    continue
                self.seen.add((old_ref, new_ref, json_type))
            self.compare_one(old_branch, new_branch, path)

    def branches(self, schema: Schema, root: Schema, via: str = "") -> dict[str, Branch]:
        """The alternatives a schema accepts, keyed by JSON type (`anyOf` flattened).

        Each comes with the `$ref` chain that led to it, to stop on recursive models.
        """
        refs, resolved = _resolve(schema, root)
        via = refs or via
        alternatives = resolved.get("anyOf") or resolved.get("oneOf")
        if not alternatives:
            return {json_type: (via, resolved) for json_type in _types_of(resolved)}
        found: dict[str, Branch] = {}
        for alternative in alternatives:
            for json_type, branch in self.branches(alternative, root, via).items():
                name = json_type
                while name in found:  # two object alternatives: keep both apart
                    name += "'"
                found[name] = branch
        return found

    def compare_one(self, old: Schema, new: Schema, path: str) -> None:
        self.compare_enum(old, new, path)
        for keyword in _RAISED_IS_BREAKING:
            self.compare_bound(old, new, path, keyword, tighter=lambda o, n: n > o)
        for keyword in _LOWERED_IS_BREAKING:
            self.compare_bound(old, new, path, keyword, tighter=lambda o, n: n < o)
        for keyword in _CHANGED_IS_BREAKING:
            if keyword in new and old.get(keyword) != new[keyword]:
                was = f"{old[keyword]!r}" if keyword in old else "none"
                self.report(path, f"{keyword} changed from {was} to {new[keyword]!r}")
        if new.get("uniqueItems") and not old.get("uniqueItems"):
            self.report(path, "items must now be unique")
        if "properties" in old or "properties" in new or _types_of(old) == ["object"]:
            self.compare_object(old, new, path)
        if isinstance(old.get("items"), Mapping) and isinstance(new.get("items"), Mapping):
            self.compare(old["items"], new["items"], f"{path}[]")

    def compare_enum(self, old: Schema, new: Schema, path: str) -> None:
        old_values, new_values = _enum_of(old), _enum_of(new)
        if new_values is None:
            return
        if old_values is None:
            self.report(path, f"now restricted to {_show(new_values)}")
            return
        removed = [value for value in old_values if value not in new_values]
        if removed:
            self.report(path, f"enum value(s) removed: {_show(removed)}")

    def compare_bound(
        self, old: Schema, new: Schema, path: str, keyword: str, tighter: Callable[[Any, Any], bool]
    ) -> None:
        if keyword not in new:
            return
        if keyword not in old:
            self.report(path, f"{keyword} {new[keyword]!r} newly set")
        elif tighter(old[keyword], new[keyword]):
            self.report(path, f"{keyword} tightened from {old[keyword]!r} to {new[keyword]!r}")

    def compare_object(self, old: Schema, new: Schema, path: str) -> None:
        old_properties = old.get("properties", {})
        new_properties = new.get("properties", {})
        prefix = f"{path}." if path else ""
        for name, old_property in old_properties.items():
            if name not in new_properties:
                self.report(prefix + name, "property removed")
            else:
                self.compare(old_property, new_properties[name], prefix + name)
        newly_required = set(new.get("required", ())) - set(old.get("required", ()))
        for name in sorted(newly_required):
            self.report(prefix + name, "property newly required")
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if new_extra is False and old_extra is not False:
            self.report(path, "additional properties are now forbidden")
        elif isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            self.compare(old_extra, new_extra, f"{prefix}*")


def _resolve(schema: Schema, root: Schema) -> tuple[str, Schema]:
    """Follow local `$ref`s (siblings override the target) and single-element `allOf`s."""
    refs: list[str] = []
    current = dict(schema)
    for _ in range(64):  # a chain of refs longer than this is a cycle
        if "$ref" in current:
            ref = current.pop("$ref")
            refs.append(ref)
            current = {**_pointer(root, ref), **current}
        elif isinstance(current.get("allOf"), list) and len(current["allOf"]) == 1:
            only = current.pop("allOf")[0]
            current = {**only, **current}
        else:
            break
    return "|".join(refs), current


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    target: Any = root
    for part in filter(None, ref[1:].split("/")):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(target, Mapping):
        raise ValueError(f"$ref {ref!r} does not point at a schema")
    return target


def _types_of(schema: Schema) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(t) for t in declared]
    values = _enum_of(schema)
    if values is not None:
        return sorted({_JSON_TYPES.get(type(value), "object") for value in values})
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return ["any"]


def _enum_of(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _names(branches: Mapping[str, Branch]) -> str:
    return "|".join(sorted(name.rstrip("'") for name in branches)) or "nothing"


def _show(values: list[Any]) -> str:
    return ", ".join(repr(value) for value in values)
