"""Campaign definitions from a YAML file or the Excel "thang điểm" form, through one validator.

Both readers build the same raw nodes (values with their YAML line or Excel cell); `validate` turns them
into immutable dataclasses or reports every problem with its place. The YAML keys are the dataclass field
names (see examples/campaigns/*.yaml); the Excel form is described in its "Hướng dẫn" sheet.
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.i18n import N_
from bot.services.campaign_file_excel import read_workbook, write_campaign_workbook
from bot.services.campaign_file_model import (
    Aggregation,
    BonusRule,
    CampaignDefinition,
    CampaignFileError,
    CriterionDef,
    DeadlineDef,
    DeadlineKind,
    DeductionRule,
    FileProblem,
    IndicatorDef,
    Node,
    Per,
    TitleDef,
)
from bot.services.campaign_file_validate import validate
from bot.services.campaign_file_yaml import read_yaml

__all__ = [
    "Aggregation",
    "BonusRule",
    "CampaignDefinition",
    "CampaignFileError",
    "CriterionDef",
    "DeadlineDef",
    "DeadlineKind",
    "DeductionRule",
    "FileProblem",
    "IndicatorDef",
    "Per",
    "TitleDef",
    "definition_from_dict",
    "definition_to_dict",
    "load_campaign_file",
    "parse_campaign_yaml",
    "write_campaign_workbook",
]

YAML_SUFFIXES = (".yaml", ".yml")


def load_campaign_file(path: Path) -> CampaignDefinition:
    """The campaign defined by a .yaml/.yml file or an .xlsx workbook (CampaignFileError: its problems)."""
    suffix = path.suffix.lower()
    if suffix not in (*YAML_SUFFIXES, ".xlsx"):
        raise _file_error(N_("only .yaml, .yml and .xlsx files can be loaded, not {suffix!r}"), suffix=suffix)
    try:
        source = (
            path.read_text(encoding="utf-8-sig")
            if suffix in YAML_SUFFIXES
            else load_workbook(path, data_only=True)
        )
    except (OSError, UnicodeError, KeyError, zipfile.BadZipFile, InvalidFileException):
        raise _file_error(
            N_("the file {name!r} cannot be read as {suffix}"), name=path.name, suffix=suffix
        ) from None
    return _definition(*(read_yaml(source) if isinstance(source, str) else read_workbook(source)))


def parse_campaign_yaml(text: str) -> CampaignDefinition:
    """The campaign defined by a YAML document; CampaignFileError lists every problem with its line."""
    return _definition(*read_yaml(text))


def definition_to_dict(definition: CampaignDefinition) -> dict[str, Any]:
    """A JSON-able dict of the definition (decimals as text, ISO dates), in the shape of the YAML file."""
    return _plain(asdict(definition))


def definition_from_dict(data: dict[str, Any]) -> CampaignDefinition:
    """The definition stored by `definition_to_dict`, checked again by the file validator."""
    return _definition(_node(data), [])


def _definition(root: Node | None, problems: list[FileProblem]) -> CampaignDefinition:
    """Validate the nodes a reader built (None: it could not); the reader's problems come first."""
    definition, more = validate(root) if root is not None else (None, [])
    if definition is None or problems:
        raise CampaignFileError([*problems, *more])
    return definition


def _file_error(message: str, **params: str) -> CampaignFileError:
    return CampaignFileError([FileProblem(message, params)])


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _node(value: Any) -> Node:
    """Plain data as nodes without a place in a file."""
    if isinstance(value, dict):
        return Node({str(key): _node(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return Node(tuple(map(_node, value)))
    return Node(value)
