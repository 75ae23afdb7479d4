"""XLSX (openpyxl): a sheet of passages and a sheet of tags.

*Passages* has the CSV columns plus the 40 characters of context either
side; each tag cell is filled with a tint of the tag's colour. *Tags* lists
the exported tags with their parent tag (the codebook's tree), their colour
as the cell fill, key, description and how many of the exported passages
carry them.

Every text cell is stored as a string cell, so a value like ``=1+1`` is
text, never a formula (no apostrophe is needed, unlike CSV). Dates are
Excel dates (sortable, filterable): ``article_published`` a day,
``created_at`` a time in UTC (Excel has no time zones). XML-illegal
control characters are replaced by a space (offsets stay valid), and a
cell longer than Excel's limit of 32,767 characters is cut, with a warning.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from desktop.exporters.base import ExportJob, ExportResult, tint, xml_safe
from desktop.exporters.tabular import COLUMNS, rows
from storage import tags as tag_store
from storage.export_selection import selected_tags

EXCEL_CELL_LIMIT = 32767
PASSAGE_COLUMNS = COLUMNS + ("prefix", "suffix")
TAG_COLUMNS = ("tag", "parent", "color", "key", "description", "passages")
_WIDTHS = {"article_title": 40, "tag": 24, "text": 60, "note": 40, "prefix": 30,
           "suffix": 30, "created_at": 26, "description": 60, "color": 10,
           "speaker": 24, "article_source": 20, "article_author": 20, "article_url": 30}


def _fill(color: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=color[1:].upper(),
                       end_color=color[1:].upper())


#: columns written as Excel dates or times, with their number format
_DATES = {"article_published": "yyyy-mm-dd", "created_at": "yyyy-mm-dd hh:mm:ss"}


def _as_date(name: str, value: str):
    """``value`` of a date column as a date (a time in UTC, without its zone,
    for ``created_at``); None if it is not one (then it stays text)."""
    try:
        if name == "article_published":
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


class _Sheet:
    """Appends rows to a write-only worksheet (streamed to the file: a
    workbook of 200,000 passages held in memory took 2.1 GB and 2¼ minutes
    to save after its last row), keeping text cells text."""

    def __init__(self, sheet, columns, warnings: list[str]):
        self.sheet, self.columns, self.warnings = sheet, columns, warnings
        self.row = 1
        for col, name in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 12)
        self.sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: dict, fills: dict[str, PatternFill] | None = None) -> None:
        """One row of ``values`` by column name; ``fills``: cell fills by
        column name (a write-only row cannot be touched once appended)."""
        self.row += 1
        cells = []
        for name in self.columns:
            value = values.get(name)
            cell = WriteOnlyCell(self.sheet)
            when = _as_date(name, value) if name in _DATES and isinstance(value, str) else None
            if when is not None:
                cell.value = when
                cell.number_format = _DATES[name]
            elif isinstance(value, str):
                value = xml_safe(value)
                if len(value) > EXCEL_CELL_LIMIT:
                    self.warnings.append(
                        f"{self.sheet.title} row {self.row}, {name}: cut to "
                        f"{EXCEL_CELL_LIMIT} characters (Excel's limit)")
                    value = value[:EXCEL_CELL_LIMIT]
                cell.value = value
                cell.data_type = "s"  # never a formula
            else:
                cell.value = value
            if fills and name in fills:
                cell.fill = fills[name]
            cells.append(cell)
        self.sheet.append(cells)


def write_xlsx(path: Path, job: ExportJob) -> ExportResult:
    warnings: list[str] = []
    workbook = Workbook(write_only=True)
    try:
        return _write(workbook, path, job, warnings)
    except BaseException:
        # a cancel or an error: each sheet's stream is ended (and its
        # temporary file closed), not left to the garbage collector
        for sheet in workbook.worksheets:
            try:
                sheet.close()
            except Exception:       # already closed, or never written
                pass
        raise


def _write(workbook, path: Path, job: ExportJob, warnings: list[str]) -> ExportResult:
    passages = _Sheet(workbook.create_sheet("Passages"), PASSAGE_COLUMNS, warnings)
    tags = selected_tags(job.db, job.filter)
    fills = {t["name"]: _fill(tint(t["color"])) for t in tags}
    blank = _fill("#ffffff")
    count = 0
    for count, row in enumerate(rows(job), 1):
        passages.append(row, {"tag": fills.get(row["tag"], blank)})
    tag_sheet = _Sheet(workbook.create_sheet("Tags"), TAG_COLUMNS, warnings)
    names = {t["id"]: t["name"] for t in tag_store.list_tags(job.db)}
    for tag in tags:
        # the tree, as a parent's name (the codebook's own files keep it too)
        tag_sheet.append({"tag": tag["name"], "parent": names.get(tag["parent_id"]),
                          "color": tag["color"],
                          "key": tag["shortcut"], "description": tag["description"],
                          "passages": tag["passage_count"]},
                         {"color": _fill(tag["color"])})
    job.progress.check()
    workbook.save(path)
    return ExportResult(count, warnings)
