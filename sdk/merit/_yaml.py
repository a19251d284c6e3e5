"""YAML reading for campaign files: safe parsing, duplicate keys and line numbers of key paths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import yaml  # type: ignore[import-untyped, unused-ignore]

__all__ = ["YamlDocument", "YamlSyntaxError", "read_yaml"]


class YamlSyntaxError(ValueError):
    """Raised if text is not one well-formed YAML document; `line` is 1-based or None."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document together with its node tree, for locating keys.

    Attributes:
        data: The document as plain Python values (dicts, lists, scalars, dates).
        duplicate_keys: Key paths and lines of mapping keys that occur twice in one mapping;
            YAML loaders silently keep the last value, which hides typos.
    """

    data: object
    duplicate_keys: tuple[tuple[tuple[str | int, ...], int], ...]
    _root: object

    def line_of(self, key_path: Sequence[str | int]) -> int | None:
        """Return the 1-based line of the deepest node on `key_path` that exists.

        For a missing key this is the line of the mapping that should contain it.
        """
        node = self._root
        line: int | None = _line(node)
        for part in key_path:
            child = _child(node, part)
            if child is None:
                break
            node, line = child
        return line


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document with the safe loader and keep its node tree.

    Raises:
        YamlSyntaxError: if the text is empty or not a single well-formed YAML document.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise YamlSyntaxError("The file is empty. Write the campaign as a YAML mapping.", 1)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or "invalid YAML"
        context = f" {error.context}" if error.context else ""
        raise YamlSyntaxError(
            f"Invalid YAML: {problem}{context}. Fix the syntax at this line.", line
        ) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(f"Invalid YAML: {error}. Fix the syntax.", None) from error
    except ValueError as error:
        # PyYAML's constructors raise plain ValueError for a value that matches a date pattern
        # but is no calendar date, such as 2022-13-01; find the node to name its line.
        value, line = _failing_timestamp(loader, root)
        raise YamlSyntaxError(
            f"Invalid date or time {value!r}: {error}. Write a real calendar date such as 2022-06-21.",
            line,
        ) from error
    finally:
        loader.dispose()

    duplicates: list[tuple[tuple[str | int, ...], int]] = []
    _find_duplicate_keys(root, (), duplicates)
    return YamlDocument(data=data, duplicate_keys=tuple(duplicates), _root=root)


def _failing_timestamp(loader: yaml.SafeLoader, node: object) -> tuple[str | None, int | None]:
    """Return the value and line of the first timestamp scalar under `node` that fails to load."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except ValueError:
                return str(node.value), _line(node)
        return None, None
    children: list[object] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        value, line = _failing_timestamp(loader, child)
        if value is not None:
            return value, line
    return None, None


def _line(node: object) -> int | None:
    mark = getattr(node, "start_mark", None)
    return cast(int, mark.line) + 1 if mark is not None else None


def _child(node: object, part: str | int) -> tuple[object, int | None] | None:
    """Return the node under `part` and the line where it is named, or None if absent."""
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return value_node, _line(key_node)
        return None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        item = node.value[part]
        return item, _line(item)
    return None


def _find_duplicate_keys(
    node: object,
    path: tuple[str | int, ...],
    found: list[tuple[tuple[str | int, ...], int]],
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                found.append(((*path, key), _line(key_node) or 0))
            if key is not None:
                seen.add(key)
            _find_duplicate_keys(value_node, (*path, key if key is not None else "?"), found)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _find_duplicate_keys(item, (*path, position), found)
