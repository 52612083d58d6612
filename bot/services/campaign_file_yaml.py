"""Reading a campaign YAML file into raw nodes that remember their line numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import yaml
from yaml.constructor import SafeConstructor

from bot.i18n import N_
from bot.services.campaign_file_model import FileProblem, Node, Scalar, Where

FLOAT_TAG = "tag:yaml.org,2002:float"


def read_yaml(text: str) -> tuple[Node | None, list[FileProblem]]:
    """The document as nodes, or None with the syntax error and its line."""
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Where(line=mark.line + 1 if mark else None)
        return None, [
            FileProblem.at(where, N_("the file is not valid YAML: {error}"), error=str(error.problem))
        ]
    if document is None:
        return Node(None, Where(line=1)), []
    problems: list[FileProblem] = []
    return _node(document, SafeConstructor(), problems), problems


def _where(node: yaml.Node) -> Where:
    return Where(line=node.start_mark.line + 1)


def _node(node: yaml.Node, constructor: SafeConstructor, problems: list[FileProblem]) -> Node:
    """A node with its line; mapping keys are text and each key may appear once."""
    if isinstance(node, yaml.SequenceNode):
        return Node(tuple(_node(item, constructor, problems) for item in node.value), _where(node))
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in entries:
                problems.append(FileProblem.at(_where(key_node), N_("{key!r} appears twice"), key=key))
                continue
            value = _node(value_node, constructor, problems)
            entries[key] = Node(value.value, value.where, key_where=_where(key_node))
        return Node(entries, _where(node))
    return Node(_scalar(node, constructor), _where(node))


def _scalar(node: yaml.Node, constructor: SafeConstructor) -> Scalar:
    """The scalar's value; decimals stay exact and an impossible date stays text, for the validator."""
    if node.tag == FLOAT_TAG:
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return str(node.value)
    try:
        value = constructor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        return str(node.value)
    return value if isinstance(value, Scalar) else str(node.value)
