"""The shared table reader (cxops.tickets.tables): encodings, delimiters, blank rows, whole-file problems."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from cxops.tickets.tables import EmptyFile, FileProblem, read_table_data


def test_delimiter_is_found_below_a_title_line_and_blank_rows_keep_their_numbers() -> None:
    table = read_table_data("인계서 진행상황\n\n번호\t코드\n1\t51-03-01\n \t \n2\t51-16-01\n".encode("utf-8-sig"))
    assert (table.header_row, table.headers) == (1, ["인계서 진행상황"])
    assert table.rows == [(3, ["번호", "코드"]), (4, ["1", "51-03-01"]), (6, ["2", "51-16-01"])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "utf-16"])
def test_encodings(encoding: str) -> None:
    delimiter = "\t" if encoding == "utf-16" else ","  # Excel's "유니코드 텍스트" is UTF-16, tab-separated
    table = read_table_data(f"제목{delimiter}내용\n배송{delimiter}언제 와요\n".encode(encoding))
    assert (table.headers, table.rows) == (["제목", "내용"], [(2, ["배송", "언제 와요"])])


def test_xlsx_sheet_choice_and_whole_file_problems() -> None:
    workbook = Workbook()
    workbook.active.append(["첫 시트"])
    workbook.create_sheet("자료").append(["제목", "내용"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table_data(buffer.getvalue()).headers == ["첫 시트"]
    chosen = read_table_data(buffer.getvalue(), choose_sheet=lambda sheets: sheets[1])
    assert chosen.headers == ["제목", "내용"]
    with pytest.raises(EmptyFile):
        read_table_data(b" , \r\n\r\n")
    with pytest.raises(FileProblem, match="xls"):
        read_table_data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(FileProblem, match="인코딩"):
        read_table_data(b"\xff\xfe\xff\xfe\x81")
