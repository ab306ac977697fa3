"""Messages about the working-day calendar's years: the header's notice and the counter's provisional date."""

from __future__ import annotations

_INSTALL_ZH = ("请向镇便民服务中心要新的工作日历文件（国务院办公厅公布放假安排后镇里发布），由站长安装："
               "python -m app.cli --user 站长账号 calendar install 文件（可用U盘带来），"
               "装好后新受理的办件按新日历计算期限。")
_INSTALL_EN = ("Ask the town service centre for the new calendar file (the town publishes it after the State "
               "Council's holiday notice) and have the station head install it: python -m app.cli --user HEAD "
               "calendar install FILE (from a USB stick); cases accepted afterwards are counted with it.")

MESSAGES: dict[str, tuple[str, str]] = {
    "calendar.missing_years": (
        "工作日历（版本 {version}）没有 {years} 年的节假日安排：这期间的承诺办结日期按法定节假日估算，回执上标“预计”。"
        + _INSTALL_ZH,
        "The working-day calendar ({version}) has no holiday arrangement for {years}: deadlines in it are estimated "
        "from the statutory holidays and marked provisional on the receipt. " + _INSTALL_EN,
    ),
    "calendar.missing_years_no_lunar": (
        "工作日历（版本 {version}）没有 {years} 年的节假日安排，程序也没有这几年的农历节日日期：这期间的承诺办结日期"
        "只按元旦、劳动节、国庆节和周末估算（春节、清明、端午、中秋未计），回执上标“预计”。" + _INSTALL_ZH,
        "The working-day calendar ({version}) has no holiday arrangement for {years}, and the program has no lunar "
        "dates for it: deadlines in it count only New Year, Labour Day, National Day and weekends (not the Spring "
        "Festival, Qingming, Dragon Boat or Mid-Autumn) and are marked provisional. " + _INSTALL_EN,
    ),
    "calendar.header": ("⚠ {years}年节假日安排未载入", "⚠ no {years} holiday data"),
    "calendar.due_provisional": (
        "承诺办结日期 {due} 是预计的：{years} 年的节假日安排还没有载入，回执上已注明“预计”。请告诉办事人，"
        "日期以镇里通知为准。",
        "The promised date {due} is provisional: the {years} holiday arrangement is not installed yet; the receipt "
        "says so. Tell the resident the town will confirm the date.",
    ),
}
