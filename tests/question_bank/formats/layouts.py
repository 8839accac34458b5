"""Question files in the shapes organizers keep, written here (our own wording) with
independent tools: python-docx for Word, xlwt for Excel 97-2003, openpyxl for XLSX."""

from __future__ import annotations

import io
import zipfile

from tests.question_bank.formats.strategies import GIF, PNG

NUMBERED = """科学小竞赛（复赛题）

一、单选题
1. 下面哪种能源属于可再生能源？
A. 煤炭
B. 太阳能
C. 石油  D. 天然气
答案：B
解析：太阳能取之不尽。
难度：易
分类：能源与环境

2、人体最大的器官是：
A、心脏 B、皮肤 C、肝脏
【答案】Ｂ

二、多选题
（3）下列属于哺乳动物的有
A．鲸 B．鲨鱼 C．蝙蝠
正确答案：AC

三、判断题
4. 声音在真空中可以传播。
答案：错

5. 月亮本身会发光。
A. 正确
B. 错误
ANSWER：B

四、填空题
6. 植物进行光合作用放出的气体是____。
答案：氧气/O2
"""


def numbered_text(encoding: str = "utf-8") -> bytes:
    text = NUMBERED
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with a BOM
    return text.encode(encoding)


def numbered_docx(picture: bytes = PNG) -> bytes:
    """The numbered layout as Word paragraphs, with a picture in question 1 and one in
    option C of question 2."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_heading("科学小竞赛", level=1)
    lines = NUMBERED.strip().splitlines()[1:]
    for line in lines:
        paragraph = document.add_paragraph(line)
        if line.startswith("1. "):
            run = document.add_paragraph().add_run()
            run.add_picture(io.BytesIO(picture), width=Cm(1))
            run._r.xpath(".//wp:docPr")[0].set("descr", "太阳能电池板")
        if line.startswith("A、心脏"):
            paragraph.text = "A、心脏 B、皮肤"
            option = document.add_paragraph("C、肝脏")
            option.add_run().add_picture(io.BytesIO(GIF), width=Cm(1))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SHEET_HEADER = [
    "序号",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "正确答案",
    "解析",
    "难度",
    "知识点",
    "学科",
    "分值",
    "图片",
]
SHEETS = {
    "单选题": [
        [
            1,
            "选择题",
            "水在标准大气压下的沸点是多少摄氏度？",
            "90",
            "100",
            "110",
            "120",
            "B",
            "",
            "易",
            "物质",
            "物理",
            2,
            "",
        ],
        [
            2,
            "单选题",
            "下列哪个是恒星？",
            "月球",
            "太阳",
            "火星",
            "",
            "太阳",
            "",
            1,
            "",
            "天文",
            2,
            "sun.png",
        ],
    ],
    "多选题": [
        [
            1,
            "不定项",
            "下列哪些是金属？",
            "铁",
            "木头",
            "铜",
            "",
            "Ａ、Ｃ",
            "",
            "中",
            "物质",
            "化学",
            3,
            "",
        ],
        [
            2,
            "多选题",
            "下列哪些是昆虫？",
            "蜜蜂",
            "蜘蛛",
            "蝴蝶",
            "蚯蚓",
            "A C",
            "",
            "难",
            "",
            "生物",
            3,
            "",
        ],
    ],
    "判断题": [
        [1, "判断题", "鲸是鱼类。", "", "", "", "", "×", "鲸是哺乳动物。", "易", "", "生物", 1, ""],
        [2, "judge", "光速比声速快。", "正确", "错误", "", "", "A", "", "易", "", "物理", 1, ""],
    ],
    "填空题": [
        [
            1,
            "填空",
            "地球上最大的海洋是____。",
            "",
            "",
            "",
            "",
            "太平洋",
            "",
            "易",
            "",
            "地理",
            1,
            "",
        ],
    ],
    "说明": [["本工作簿按题型分表"]],
}


def sheets_xlsx(sheets: dict[str, list[list[object]]] = SHEETS) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        if rows and len(rows[0]) == len(SHEET_HEADER):  # a questions sheet
            sheet.append(SHEET_HEADER)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheets_xls(sheets: dict[str, list[list[object]]] = SHEETS) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        questions = rows and len(rows[0]) == len(SHEET_HEADER)
        all_rows = [SHEET_HEADER, *rows] if questions else rows
        for r, row in enumerate(all_rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_with_pictures(pictures: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("题库/题库.xlsx", sheets_xlsx())
        for name, data in (pictures if pictures is not None else {"sun.png": PNG}).items():
            archive.writestr(f"题库/图片/{name}", data)
    return out.getvalue()


def numbered_csv(first: int, texts: list[str]) -> bytes:
    """A sheet numbered 1..n in 序号 (as many organizers' exports are)."""
    rows = ["序号,题目,选项A,选项B,答案"]
    rows += [f"{n},{text},对的,错的,A" for n, text in enumerate(texts, start=first)]
    return ("\n".join(rows) + "\n").encode("utf-8")
