"""Messages the desktop client shows that do not come from a service error."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.internal_error": ("出了点问题，这一步没有完成，已记录下来。请再试一次；仍不行请联系镇技术人员。",
                          "Something went wrong and this step was not done; it has been logged. Try again."),
    "ui.login_empty": ("请输入账号和密码。", "Enter your user name and password."),
    "ui.preparing_demo": ("正在准备演示站点，第一次需要几秒钟……", "Preparing the demo station…"),
    "ui.backing_up": ("正在备份本站数据，请稍候，不要关电脑……", "Backing up the station's data: please wait, do not switch "
                      "the PC off…"),
}
