"""Messages of the roster import (花名册导入): files that cannot be read, rows and fields that do not fit."""

from __future__ import annotations

# A resident's fields as the too-long and bad-character messages name them (spelled from the ``field`` param).
_FIELDS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "name"),
    "phone": ("联系电话", "phone number"),
    "village": ("所属村", "village"),
    "group": ("组", "group"),
    "address": ("住址", "address"),
    "relation": ("与户主关系", "relation to the head of household"),
    "tags": ("标签", "tags"),
    "ethnicity": ("民族", "ethnicity"),
    "household_no": ("户号", "household number"),
    "head_name": ("户主姓名", "name of the head of household"),
}

# What a file named .xlsx or .csv turned out to be (the ``kind`` of import.not_a_roster).
_KINDS: dict[str, tuple[str, str]] = {
    "png": ("一张 PNG 图片", "a PNG image"),
    "jpeg": ("一张 JPEG 图片（照片）", "a JPEG image (a photo)"),
    "gif": ("一张 GIF 图片", "a GIF image"),
    "pdf": ("一个 PDF 文件", "a PDF file"),
    "word": ("一个 Word 文档", "a Word document"),
    "ods": ("一个 .ods 表格（WPS 或 LibreOffice 的格式）", "an .ods spreadsheet (WPS or LibreOffice)"),
    "xlsb": ("一个 .xlsb 二进制工作簿", "an .xlsb binary workbook"),
    "rar": ("一个 RAR 压缩包", "a RAR archive"),
    "7z": ("一个 7z 压缩包", "a 7z archive"),
    "gzip": ("一个 gz 压缩文件", "a gzip file"),
    "binary": ("一个认不出来的文件（不是表格，也不是文字）", "a file that is neither a spreadsheet nor text"),
}

_STOPPED = ("导入停在这一行：前面没有问题的各行已经导入。",
            "The import stopped at this row: the good rows before it are imported.")
_AGAIN = ("改好后再导入一次即可，已导入的人不会重复。", "Then import it again: no one is duplicated.")

MESSAGES: dict[str, tuple[str, str]] = {
    # fields of a record (the counter's register and edit use the same rule)
    "resident.too_long": ("{field}太长：有 {length} 个字，最多只能 {max} 个字。请改短后再试。",
                          "The {field} is too long: {length} characters, at most {max}. Shorten it and try again."),
    **{f"resident.too_long.field.{key}": words for key, words in _FIELDS.items()},
    "resident.tag_too_long": ("标签“{tag}”太长：有 {length} 个字，每个标签最多只能 {max} 个字。多个标签之间用顿号“、”隔开。",
                              "The tag “{tag}” is too long: {length} characters, at most {max} per tag. Separate "
                              "tags with “、” or commas."),
    "resident.control_char": ("{field}的第 {position} 个字是不能保存的控制字符（{char}，看不见），请删掉它后再试。",
                              "The {field} holds a control character ({char}, invisible) at position {position} that "
                              "cannot be stored: delete it and try again."),
    **{f"resident.control_char.field.{key}": words for key, words in _FIELDS.items()},
    "import.household_no_too_long": ("这一行没有户号，按“组/户主姓名”编出的户号有 {length} 个字，超过了 {max} 个字。"
                                     "请在花名册里加一列“户号”，填上这户的户号再导入。",
                                     "This row has no household number, and the one made from its group and head of "
                                     "household has {length} characters, more than {max}. Add a 户号 (household "
                                     "number) column to the roster and import it again."),
    # files that are not what their name says
    "import.cannot_read": ("{path} 读不出来（{detail}）。请看看文件是否还在、U盘是否插好，再试一次。",
                           "{path} cannot be read ({detail}). Check that the file is still there and the USB stick "
                           "is in, then try again."),
    "import.empty_file": ("{path} 是空文件（0 字节），里面没有花名册，多半是复制时没有复制完。请从原来的地方重新复制一份再导入。",
                          "{path} is empty (0 bytes): it holds no roster, probably because copying it did not finish. "
                          "Copy it again from where it came from and import that copy."),
    "import.xlsx_truncated": ("{path} 不是完整的 Excel 工作簿：文件只有 {size}，后面缺了一截或已损坏（多半是复制、下载没有完成，或U盘拔得"
                              "太早）。请从原来的地方重新复制一份完整的文件再导入。",
                              "{path} is not a whole Excel workbook: it is only {size} long, its end is missing or "
                              "damaged (copying or downloading probably did not finish, or the USB stick was pulled "
                              "out too early). Copy the whole file again from where it came from and import that."),
    "import.xlsx_broken_at_row": ("{path} 读到第 {row} 行时发现文件内容已损坏，读不下去了。" + _STOPPED[0]
                                  + "请从原来的地方重新复制一份；如果它在 Excel 或 WPS 里能正常打开，就在那里“另存为”一份新的"
                                  " .xlsx 文件。" + _AGAIN[0],
                                  "{path} is damaged at row {row} and cannot be read further. " + _STOPPED[1]
                                  + " Copy the file again from where it came from; if Excel or WPS opens it, save it "
                                  "there as a new .xlsx file (Save as). " + _AGAIN[1]),
    "import.no_sheet": ("{path} 里没有可以导入的工作表。请在 Excel 或 WPS 里把花名册放在第一个工作表，保存后再导入。",
                        "{path} has no worksheet to import. Put the roster on the first worksheet in Excel or WPS, "
                        "save and import again."),
    "import.content_is_csv": ("{path} 其实是文字（CSV）文件，只是扩展名写成了 {suffix}。请把文件名的扩展名改成 .csv 再导入。",
                              "{path} is really a text (CSV) file named {suffix}. Rename it to end in .csv and "
                              "import it again."),
    "import.content_is_xlsx": ("{path} 其实是 Excel 工作簿，只是扩展名写成了 {suffix}。请把文件名的扩展名改成 .xlsx 再导入。",
                               "{path} is really an Excel workbook named {suffix}. Rename it to end in .xlsx and "
                               "import it again."),
    "import.content_is_xls": ("{path} 其实是旧版 Excel 文件（.xls），只是扩展名写成了 {suffix}。请把扩展名改成 .xls，用 Excel 或"
                              " WPS 打开，再“另存为”Excel 工作簿（.xlsx）后导入。",
                              "{path} is really an old Excel file (.xls) named {suffix}. Rename it to end in .xls, "
                              "open it in Excel or WPS and save it as an Excel workbook (.xlsx), then import that."),
    "import.content_is_html": ("{path} 其实是网页（HTML）文件，不是 Excel 工作簿（有些系统导出的“Excel”就是网页）。请把扩展名改成"
                               " .xls，用 Excel 或 WPS 打开，再“另存为”Excel 工作簿（.xlsx）后导入。",
                               "{path} is really a web page (HTML), not an Excel workbook (some systems export "
                               "“Excel” files like this). Rename it to end in .xls, open it in Excel or WPS and save "
                               "it as an Excel workbook (.xlsx), then import that."),
    "import.encrypted": ("{path} 设了打开密码，不能直接导入。请在 Excel 或 WPS 里输入密码打开它，去掉打开密码（Excel：文件→信息→"
                         "保护工作簿→用密码进行加密，清空密码；WPS：文件→文档加密→密码加密，清空密码），保存后再导入。",
                         "{path} has a password to open it and cannot be imported as it is. Open it in Excel or WPS "
                         "with the password, remove the password (Excel: File, Info, Protect Workbook, Encrypt with "
                         "Password, clear it), save it and import it again."),
    "import.zip_not_roster": ("{path} 是一个 zip 压缩包（里面是：{files}），不是 Excel 工作簿。如果花名册在里面，请先解压，再导入"
                              "解压出来的 .xlsx 或 .csv 文件。",
                              "{path} is a zip archive (it holds: {files}), not an Excel workbook. If the roster is "
                              "inside, unzip it and import the .xlsx or .csv file that comes out."),
    "import.not_a_roster": ("{path} 不是花名册（Excel 工作簿或 CSV 文件），而是{kind}。请选择花名册的 .xlsx 或 .csv 文件再导入。",
                            "{path} is not a roster (an Excel workbook or a CSV file) but {kind}. Choose the "
                            "roster's .xlsx or .csv file and import that."),
    **{f"import.not_a_roster.kind.{key}": words for key, words in _KINDS.items()},
    # no header
    "import.no_header_sheet": ("{path} 的第一个工作表“{sheet}”前 10 行里找不到表头：至少要有“姓名”和“公民身份号码”（或“身份证号”）两列。"
                               "最像表头的是第 {row} 行：{columns}。只导入第一个工作表：花名册在别的工作表的话，请在 Excel 或 WPS 里把它"
                               "拖到最前面，保存后再导入。如果这两列用了别的名字，用 --map 说明哪一列是什么，例如 --map"
                               " \"证件号=id_number,名字=name\"；如果表头在第 10 行以下，请删掉它上面多余的行。",
                               "{path}: the first worksheet, “{sheet}”, has no header row in its first 10 rows with the "
                               "columns 姓名 (name) and 公民身份号码 or 身份证号 (ID number). The row most like a header "
                               "is row {row}: {columns}. Only the first worksheet is imported: if the roster is on "
                               "another one, drag it to the front in Excel or WPS and save. If the columns have other "
                               "names, say which is which with --map, e.g. --map \"证件号=id_number,名字=name\"; if the "
                               "header is below row 10, delete the rows above it."),
    "import.blank_start": ("{path} 的前 10 行都是空的，找不到表头。如果表头在更下面，请删掉它上面的空行；如果是 Excel 文件，只导入"
                           "第一个工作表，请把花名册所在的工作表拖到最前面，保存后再导入。",
                           "{path}: the first 10 rows are empty, so there is no header. If the header is further down, "
                           "delete the empty rows above it; in an Excel file only the first worksheet is imported, so "
                           "drag the roster's worksheet to the front and save, then import again."),
    "import.decode_failed.encoding.utf-8": ("UTF-8", "UTF-8"),
    "import.decode_failed.encoding.utf-8-sig": ("UTF-8", "UTF-8"),
    "import.decode_failed.encoding.gb18030": ("GBK（GB18030）", "GBK (GB18030)"),
    "import.decode_failed.encoding.utf-16": ("UTF-16", "UTF-16"),
    # CSV that breaks off
    "import.csv_cell_too_big": ("{path} 第 {row} 行有一格超过 {limit} 个字，读不下去了。" + _STOPPED[0]
                                + "这么长的一格多半是这一行少了一个配对的英文双引号（\"），后面的内容都被当成了这一格：请打开文件检查第"
                                " {row} 行的引号。" + _AGAIN[0],
                                "{path} row {row} has a cell of more than {limit} characters and cannot be read "
                                "further. " + _STOPPED[1] + " A cell this long usually means a double quote (\") in "
                                "this row has no partner, so everything after it was read as one cell: check the "
                                "quotes in row {row}. " + _AGAIN[1]),
    "import.decode_given": ("{path} 第 {line} 行按你给的 --encoding {encoding} 读不出来。请去掉 --encoding，让程序自己识别"
                            " UTF-8 或 GBK，再导入一次。",
                            "{path} line {line} cannot be read as the --encoding {encoding} you gave. Leave out "
                            "--encoding so that UTF-8 or GBK is detected, and import again."),
    "import.read_failed": ("{path} 读到第 {row} 行时读不下去了（{detail}）。" + _STOPPED[0]
                           + "请看看U盘是否插好、文件是否还在，再导入一次，已导入的人不会重复。",
                           "{path} could not be read past row {row} ({detail}). " + _STOPPED[1] + " Check that the "
                           "USB stick is in and the file is still there, then import again: no one is duplicated."),
}
