"""Checks of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
before Strawberry reads it: every malformed request is refused with a true message, never a 500.

Strawberry replaces each path of `map` by the file part it names and trusts both: a path through a
value that is not an object or list (`variables.audio.5` when `audio` is null) raised a TypeError
(HTTP 500), and a part missing from the body answered a plain-text 400. Django's multipart parser
reads a body only as long as its Content-Length, so a chunked upload (no length) looked empty.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int = 400


SPEC = "per the GraphQL multipart request spec"


def _json_object(raw: bytes | str) -> dict | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _path_problem(operations: dict, path: Any) -> str | None:
    """Why the dotted `path` does not name a placeholder in `operations`, or None when it does."""
    if not isinstance(path, str) or not path:
        return f"the path {json.dumps(path)} is not a dotted path such as \"variables.audio\""
    if not path.startswith("variables.") or path == "variables.":
        return f"the path \"{path[:60]}\" does not start with \"variables.\" (files replace variables)"
    *parents, last = path.split(".")
    target: Any = operations
    for depth, key in enumerate([*parents, last]):
        where = ".".join([*parents, last][: depth + 1])
        if isinstance(target, dict):
            if key not in target:
                return f"'{where}' is not in operations (send it as null)"
        elif isinstance(target, list):
            if not (key.isdigit() and int(key) < len(target)):
                return f"'{where}' is not an index of the list at that point"
            key = int(key)
        else:
            return f"'{where}' goes through a value that is neither an object nor a list"
        if depth < len(parents):
            target = target[key]
    return None


def multipart_refusal(request: HttpRequest) -> Refusal | None:
    """The reason to refuse a multipart request, or None when Strawberry may read it."""
    if not request.META.get("CONTENT_LENGTH"):
        return Refusal(
            "A multipart upload needs a Content-Length header: chunked transfer encoding is not "
            "supported for uploads. Send the body with its length.", status=411,
        )
    operations = _json_object(request.POST.get("operations", ""))
    files_map = _json_object(request.POST.get("map", ""))
    if operations is None or files_map is None:
        missing = [name for name, value in (("operations", operations), ("map", files_map)) if value is None]
        present = [name for name in missing if name in request.POST]
        if present:
            return Refusal(f"The part(s) {', '.join(present)} must be a JSON object, {SPEC}.")
        return Refusal(f"A multipart request needs the parts 'operations' (a JSON object) and 'map' "
                       f"(a JSON object of lists); missing: {', '.join(missing)}, {SPEC}.")
    for name, paths in files_map.items():
        if not isinstance(paths, list) or not paths:
            return Refusal(f"map['{name}'] must be a non-empty list of paths such as [\"variables.audio\"], {SPEC}.")
        if name not in request.FILES:
            return Refusal(f"map names the file part '{name}', which the request does not contain.")
        for path in paths:
            if problem := _path_problem(operations, path):
                return Refusal(f"map['{name}']: {problem}.")
    return None
