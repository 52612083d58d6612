"""Telegram's HTML parse_mode: markup to plain text plus UTF-16 message entities, with tdlib's errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request

TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPECIAL = re.compile(r"[<&]")
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z]+));?")
_SPACES = " \t\r\n\v\f"
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class FormattedText:
    """Plain text with its message entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    def stripped(self) -> FormattedText:
        """Trim surrounding whitespace like Telegram does, shifting and clipping entities."""
        text = self.text.strip(_SPACES)
        if text == self.text:
            return self
        shift = utf16_len(self.text[: len(self.text) - len(self.text.lstrip(_SPACES))])
        limit = utf16_len(text)
        entities = []
        for entity in self.entities:
            start = max(entity["offset"] - shift, 0)
            end = min(entity["offset"] + entity["length"] - shift, limit)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return FormattedText(text, entities)


def decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at `pos` into (character, end position), or None if it is not valid."""
    match = _ENTITY.match(source, pos)
    if match is None:
        return None
    hex_digits, digits, name = match.groups()
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    code = int(hex_digits, 16) if hex_digits is not None else int(digits)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int


@dataclass
class _Entity:
    type: str
    offset: int
    length: int
    extra: dict[str, str] = field(default_factory=dict)
    language: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "offset": self.offset, "length": self.length, **self.extra}


class _HtmlParser:
    """Single-pass parser mirroring tdlib's parse_html."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[_Entity] = []

    def error(self, message: str) -> ApiError:
        return bad_request(f"can't parse entities: {message}")

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode())

    def char(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def skip_spaces(self, index: int) -> int:
        while self.char(index) and self.char(index) in _SPACES:
            index += 1
        return index

    def emit(self, chunk: str) -> None:
        if chunk:
            self.out.append(chunk)
            self.utf16 += utf16_len(chunk)

    def parse(self) -> FormattedText:
        while (match := _SPECIAL.search(self.src, self.pos)) is not None:
            self.emit(self.src[self.pos : match.start()])
            self.pos = match.start()
            if match.group() == "&":
                self.html_entity()
            elif self.char(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        self.emit(self.src[self.pos :])
        if self.open:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"')
        self.entities.sort(key=lambda entity: (entity.offset, -entity.length))
        return FormattedText("".join(self.out), [entity.to_json() for entity in self.entities])

    def html_entity(self) -> None:
        decoded = decode_entity(self.src, self.pos)
        if decoded is None:
            raise self.error(f'Unescaped "&" at byte offset {self.byte_offset(self.pos)}; use "&amp;"')
        char, self.pos = decoded
        self.emit(char)

    def start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self.char(i) and self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        if not self.char(i):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : i].lower()
        if name not in TAG_TYPES:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}')
        argument = ""
        while True:
            i = self.skip_spaces(i)
            if self.char(i) == ">":
                break
            attr_begin = i
            while self.char(i) and self.char(i) not in _SPACES and self.char(i) not in "=>":
                i += 1
            attribute = self.src[attr_begin:i]
            if not attribute:
                raise self.error(
                    f'Empty attribute name in the tag "{name}" at byte offset {self.byte_offset(begin)}'
                )
            i = self.skip_spaces(i)
            if self.char(i) != "=":
                if name != "blockquote" or attribute != "expandable":
                    raise self.error(
                        f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                        f"at byte offset {self.byte_offset(begin)}"
                    )
                argument = "1"
                continue
            value, i = self.attribute_value(self.skip_spaces(i + 1), begin)
            argument = _tag_argument(name, attribute, value, argument)
        if name == "span" and argument != "spoiler":
            offset = self.byte_offset(begin)
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        self.open.append(_OpenTag(name, argument, self.utf16))
        self.pos = i + 1

    def attribute_value(self, i: int, tag_begin: int) -> tuple[str, int]:
        quote = self.char(i)
        if not quote:
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(tag_begin)}")
        if quote not in "'\"":
            token = _NAME_TOKEN.match(self.src, i)
            assert token is not None
            end = token.end()
            if not self.char(end) or self.char(end) not in _SPACES + ">":
                raise self.error(f"Unexpected end of name token at byte offset {self.byte_offset(i)}")
            return token.group().lower(), end
        chars: list[str] = []
        i += 1
        while self.char(i) and self.char(i) != quote:
            decoded = decode_entity(self.src, i) if self.char(i) == "&" else None
            if decoded is None:
                chars.append(self.char(i))
                i += 1
            else:
                chars.append(decoded[0])
                i = decoded[1]
        if not self.char(i):
            raise self.error(f"Unclosed start tag at byte offset {self.byte_offset(tag_begin)}")
        return "".join(chars), i + 1

    def end_tag(self) -> None:
        begin = self.pos
        if not self.open:
            raise self.error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.char(i) and self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        end_name = self.src[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if self.char(i) != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.open.pop()
        if end_name and end_name != tag.name:
            raise self.error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.pos = i + 1
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity = _Entity(TAG_TYPES[tag.name], tag.offset, length)
        if tag.name == "a":
            if not tag.argument:
                return
            entity.extra["url"] = tag.argument
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise self.error("Invalid custom emoji identifier specified")
            entity.extra["custom_emoji_id"] = tag.argument
        elif tag.name == "blockquote" and tag.argument:
            entity.type = "expandable_blockquote"
        elif tag.name == "code":
            entity.language = tag.argument
        elif tag.name == "pre" and self.entities:
            last = self.entities[-1]
            if last.type == "code" and last.language and (last.offset, last.length) == (tag.offset, length):
                self.entities.pop()
                entity.extra["language"] = last.language
        self.entities.append(entity)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The tag argument an attribute sets (href, code language, span class, emoji id), else `current`."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def parse_html(source: str) -> FormattedText:
    """Parse Telegram-flavoured HTML; raises 400 "can't parse entities: ..." on malformed markup."""
    return _HtmlParser(source).parse()
