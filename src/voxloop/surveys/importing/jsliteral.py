"""A JavaScript object literal (unquoted keys, single quotes, trailing commas, comments), as
SurveyJS examples are often written, read as JSON. Only data: nothing is evaluated."""

from __future__ import annotations

import json
import re
from typing import Any

from voxloop.surveys.importing.common import BadFile

TOKEN = re.compile(
    r"""\s+|//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{}\[\]:,]"""
    r"""|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[A-Za-z_$][\w$]*""",
    re.S,
)


def parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig").strip().rstrip(";")
    except UnicodeDecodeError:
        raise BadFile("The file is not UTF-8 text.", "file") from None
    text = re.sub(r"^(?:var|let|const)\s+\w+\s*=\s*", "", text)
    out: list[str] = []
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise BadFile(
                f"The file is neither JSON nor a JavaScript object (at {position}).", "file"
            )
        token, position = match.group(0), match.end()
        if token[0].isspace() or token.startswith(("//", "/*")):
            continue
        if token[0] == "'":
            token = json.dumps(_unquote(token[1:-1]))
        elif token[0].isalpha() or token[0] in "_$":
            if token not in ("true", "false", "null"):
                token = json.dumps(token)
        elif token in ("}", "]") and out and out[-1] == ",":
            out.pop()
        out.append(token)
    try:
        return json.loads("".join(out))
    except ValueError as error:
        raise BadFile(
            f"The file is neither JSON nor a JavaScript object ({error}).", "file"
        ) from None


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
