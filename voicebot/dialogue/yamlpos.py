"""Read YAML into plain Python values while remembering the line of every key path.

PyYAML's composer keeps a start mark on every node; walking the node tree ourselves (instead of
``safe_load``) lets validation errors point at the exact line, and lets duplicate keys be errors
instead of silently keeping the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from voicebot.errors import DialogueError

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """``("flows", "main", 2, "ask")`` -> ``flows.main[2].ask``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(slots=True)
class LocatedDocument:
    """A parsed YAML document and the 1-based line of each key path in it."""

    value: Any
    file: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        # Fall back to the nearest ancestor that has a line (a missing key reports its mapping).
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def error(self, path: KeyPath, message: str) -> DialogueError:
        return DialogueError(
            message, file=self.file, line=self.line_of(path), key_path=format_key_path(path) or None
        )


def parse_located(text: str, file: str) -> LocatedDocument:
    """Parse one YAML document. Raises DialogueError on syntax errors and duplicate keys."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise DialogueError(
            f"YAML syntax error: {problem}; check indentation and quoting", file=file, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise DialogueError(f"YAML syntax error: {exc}", file=file) from None
    doc = LocatedDocument(value=None, file=file)
    if node is None:
        return doc
    constructor = yaml.SafeLoader("")
    doc.value = _convert(node, (), doc, constructor)
    return doc


def _convert(node: yaml.Node, path: KeyPath, doc: LocatedDocument, constructor: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DialogueError(
                    "YAML merge keys (<<) are not supported; write the keys out",
                    file=doc.file,
                    line=key_node.start_mark.line + 1,
                    key_path=format_key_path(path) or None,
                )
            key = _construct(key_node, path, doc, constructor)
            if not isinstance(key, (str, int, bool, float)) or key is None:
                raise DialogueError(
                    "mapping keys must be plain words",
                    file=doc.file,
                    line=key_node.start_mark.line + 1,
                    key_path=format_key_path(path) or None,
                )
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                raise DialogueError(
                    f"duplicate key {key!r}; each key may appear once",
                    file=doc.file,
                    line=key_node.start_mark.line + 1,
                    key_path=format_key_path(child),
                )
            doc.lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, child, doc, constructor)
            doc.lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, constructor) for i, item in enumerate(node.value)]
    return _construct(node, path, doc, constructor)


def _construct(node: yaml.Node, path: KeyPath, doc: LocatedDocument, constructor: yaml.SafeLoader) -> Any:
    # Building a scalar fails on tags the safe loader does not know ("!1", "!!python/object").
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "invalid value"
        raise DialogueError(
            f"YAML value error: {problem}; remove the '!' tag or quote the value",
            file=doc.file,
            line=node.start_mark.line + 1,
            key_path=format_key_path(path) or None,
        ) from None
