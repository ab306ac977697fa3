"""Messages of the support bundle, the About window and the one-counter-per-database rule."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "support.exists": ("文件 {path} 已经存在，请换个文件夹再试。", "{path} already exists: choose another folder."),
    "support.cannot_write": ("支持包写不进 {path}（{detail}）。请插好U盘或换个文件夹再试。",
                             "Cannot write the support bundle to {path} ({detail}). Check the USB stick or "
                             "choose another folder."),
    "instance.running": ("村站通已经打开了，已把它的窗口调到最前面。同一份数据只能开一个窗口。",
                         "StationDesk is already open; its window has been brought to the front. One data "
                         "folder can be open in one window only."),
    "instance.not_answering": ("村站通好像已经打开了，但它的窗口没有回应。请在任务栏找到它；如果确实没有打开，"
                               "请等半分钟再启动。",
                               "StationDesk seems to be open already but its window did not answer. Look for it "
                               "on the taskbar; if it is really closed, wait half a minute and start it again."),
}
