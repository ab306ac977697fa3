; 村站通 StationDesk — the Windows installer (NSIS 3: Unicode, LZMA, 64-bit).
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DBUNDLE_DIR=<bundle folder> -DOUT_FILE=<setup.exe> stationdesk.nsi
;
; or `python -m installers.build installer`, which passes all three (the version from app/__init__.py).
; BUNDLE_DIR is the PyInstaller folder (build/dist/StationDesk: StationDesk.exe and _internal\).
;
; Install for all users (per machine: Program Files, needs administrator rights) or just for me (per user:
; %LOCALAPPDATA%\Programs); a page asks when the user may choose. Technicians: /S silent, /ALLUSERS or
; /CURRENTUSER, /D=C:\folder (last, unquoted). The uninstaller keeps the station's data unless its page's box is
; ticked or /REMOVEDATA is given: uninstall.exe /S /REMOVEDATA.
;
; The data-folder contract with the program (app/paths.py): data never lives in the program folder.
;   per user     -> %LOCALAPPDATA%\StationDesk (the program's default; the installer writes nothing)
;   all users    -> the installer writes an empty all-users.txt beside StationDesk.exe, so the program keeps its
;                   data in %PROGRAMDATA%\StationDesk, which the installer creates and lets the local Users group
;                   modify (every clerk of a shared station PC writes the same database)
;   portable.txt -> beside the program: data in data\ beside it (a technician's USB copy; never written here)

Unicode true
Target amd64-unicode  ; the program is 64-bit only (Python 3.11 and Qt 6 on Windows 10 1809 or later)
SetCompressor /SOLID lzma
SetCompressorDictSize 32
ManifestDPIAware true

!ifndef VERSION
  !error "VERSION is not set: makensis -DVERSION=x.y.z (python -m installers.build installer sets it)"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\build\dist\StationDesk"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "..\build\installer\StationDesk-Setup-${VERSION}.exe"
!endif
!ifndef VI_VERSION
  !define VI_VERSION "${VERSION}.0"  ; Windows wants four numbers
!endif

!define APP "StationDesk"
!define APP_ZH "村站通"
!define PUBLISHER "StationDesk"
!define EXE "StationDesk.exe"
!define ADMIN_EXE "stationdesk-admin.exe"  ; the admin CLI, a console program beside the counter
!define APP_KEY "Software\StationDesk"  ; where the installer remembers its folder, mode and language
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\StationDesk"
!define ALL_USERS_MARKER "all-users.txt"
!define MIN_BUILD 17763  ; Windows 10 1809: the oldest Windows that Qt 6 supports
!define USERS_SID "*S-1-5-32-545"  ; the local Users group, by SID: its name is translated (Users, 用户)

; The payload: a Windows bundle has StationDesk.exe. On Linux (CI) the Linux bundle stands in to test the
; installer's own logic; its program is StationDesk (no .exe), so the shortcuts point to a file that is not
; there. installers/README.md says so.
!if /FileExists "${BUNDLE_DIR}\${EXE}"
!else if /FileExists "${BUNDLE_DIR}\StationDesk"
  !define LINUX_PAYLOAD
  !warning "${BUNDLE_DIR} holds the Linux bundle: this installer is for testing the installer only"
!else
  !error "No bundle in ${BUNDLE_DIR}: build it first (python -m installers.build bundle)"
!endif

Name "${APP_ZH} ${APP}"
Caption "${APP_ZH} ${APP} ${VERSION}"
OutFile "${OUT_FILE}"
BrandingText "${APP_ZH} ${APP} ${VERSION}"

VIProductVersion "${VI_VERSION}"
VIFileVersion "${VI_VERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${APP_ZH} ${APP}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP_ZH} ${APP} installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Apache-2.0"

; -- per machine or per user (MultiUser.nsh) ---------------------------------------------------------------
!define MULTIUSER_EXECUTIONLEVEL Highest  ; administrators may choose; other users install just for themselves
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE  ; /AllUsers and /CurrentUser (any case)
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${APP}"
; A version already installed: its folder and its mode are used again (HKLM first, then HKCU).
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODEPAGE_TEXT_TOP "$(ModeTop)"
!define MULTIUSER_INSTALLMODEPAGE_TEXT_ALLUSERS "$(ModeAllUsers)"
!define MULTIUSER_INSTALLMODEPAGE_TEXT_CURRENTUSER "$(ModeCurrentUser)"
!define MULTIUSER_INSTALLMODEPAGE_SHOWUSERNAME
!define MULTIUSER_PAGE_CUSTOMFUNCTION_PRE SkipWhenUpgrading
!define MULTIUSER_INIT_TEXT_ALLUSERSNOTPOSSIBLE "$(NeedAdmin)"
!define MULTIUSER_INSTALLMODE_FUNCTION OnModeChosen  ; below: notes an installed version of that mode

!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WinVer.nsh
!include nsDialogs.nsh

Var Upgrade        ; the folder of the version already installed, if any
Var DataDir        ; the station's data folder for this install mode
Var RemoveData     ; 1: the uninstaller deletes the data folder too
Var DataCheckbox

; -- pages ----------------------------------------------------------------------------------------------------
!define MUI_ABORTWARNING
!define MUI_UNABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_REGISTRY_ROOT SHCTX
!define MUI_LANGDLL_REGISTRY_KEY "${APP_KEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"

!define MUI_WELCOMEPAGE_TEXT "$(WelcomeText)"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipWhenUpgrading
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "$(RunNow)"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPageShow un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default when Windows' own is neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString WelcomeText ${LANG_SIMPCHINESE} "将在本机安装 ${APP_ZH}（${APP}）${VERSION}：村级便民服务站一窗式综合服务软件。$\r$\n$\r$\n本站的数据（数据库、扫描件、日志、备份）不放在程序文件夹里，升级或重装都会保留。$\r$\n$\r$\n$_CLICK"
LangString WelcomeText ${LANG_ENGLISH} "This installs ${APP_ZH} (${APP}) ${VERSION}, the one-window counter software of village service stations.$\r$\n$\r$\nThe station's data (database, scans, logs, backups) is kept outside the program folder: upgrading or installing again keeps it.$\r$\n$\r$\n$_CLICK"
LangString ModeTop ${LANG_SIMPCHINESE} "为本机所有用户安装（需要管理员权限）：各个 Windows 账号共用同一份本站数据，$\r$\n数据在 C:\ProgramData\StationDesk。$\r$\n只为我安装：数据在本人的 AppData\Local\StationDesk。"
LangString ModeTop ${LANG_ENGLISH} "For all users (needs administrator rights): every Windows account on this PC shares one copy of the station's data, in C:\ProgramData\StationDesk.$\r$\nJust for me: the data is kept in your own AppData\Local\StationDesk."
LangString ModeAllUsers ${LANG_SIMPCHINESE} "为本机所有用户安装（推荐服务站公用电脑）"
LangString ModeAllUsers ${LANG_ENGLISH} "For all users of this PC (recommended for a shared station PC)"
LangString ModeCurrentUser ${LANG_SIMPCHINESE} "只为我安装"
LangString ModeCurrentUser ${LANG_ENGLISH} "Just for me"
LangString NeedAdmin ${LANG_SIMPCHINESE} "为所有用户安装或卸载需要管理员权限。请用管理员账号运行，或只为自己安装。"
LangString NeedAdmin ${LANG_ENGLISH} "Installing or removing for all users needs administrator rights. Run it as an administrator, or install just for yourself."
LangString OldWindows ${LANG_SIMPCHINESE} "${APP_ZH} 需要 64 位 Windows 10（1809 版或更新）或 Windows 11。这台电脑的 Windows 太旧，无法安装。"
LangString OldWindows ${LANG_ENGLISH} "${APP_ZH} needs 64-bit Windows 10 (version 1809 or later) or Windows 11. This PC's Windows is too old for it."
LangString RunNow ${LANG_SIMPCHINESE} "现在打开 ${APP_ZH}"
LangString RunNow ${LANG_ENGLISH} "Open ${APP_ZH} now"
LangString DataTitle ${LANG_SIMPCHINESE} "本站的数据"
LangString DataTitle ${LANG_ENGLISH} "The station's data"
LangString DataSubtitle ${LANG_SIMPCHINESE} "卸载程序，数据默认保留。"
LangString DataSubtitle ${LANG_ENGLISH} "The program goes; the data stays unless you say so."
LangString DataText ${LANG_SIMPCHINESE} "本站的数据库、扫描件、日志和备份在：$\r$\n$DataDir$\r$\n$\r$\n默认保留，以后重新安装即可继续使用。只有确定不再需要（已备份或已同步到镇里）时才勾选删除。"
LangString DataText ${LANG_ENGLISH} "The station's database, scans, logs and backups are in:$\r$\n$DataDir$\r$\n$\r$\nThey are kept, so installing again carries on where you left off. Tick the box only when they are no longer needed (backed up, or synced to the town)."
LangString DataCheck ${LANG_SIMPCHINESE} "同时删除本站的全部数据（无法恢复）"
LangString DataCheck ${LANG_ENGLISH} "Also delete all of the station's data (it cannot be undone)"
LangString DataConfirm ${LANG_SIMPCHINESE} "确定删除 $DataDir 里的全部数据吗？删除后无法恢复。"
LangString DataConfirm ${LANG_ENGLISH} "Delete all the data in $DataDir? It cannot be brought back."
LangString ShortcutComment ${LANG_SIMPCHINESE} "村级便民服务站一窗式综合服务"
LangString ShortcutComment ${LANG_ENGLISH} "Village service station counter"

; -- the installer ---------------------------------------------------------------------------------------------
Function .onInit
  ${IfNot} ${AtLeastWin10}  ; (a 32-bit Windows does not start a 64-bit installer at all)
  ${OrIfNot} ${AtLeastBuild} ${MIN_BUILD}
    MessageBox MB_OK|MB_ICONSTOP "$(OldWindows)" /SD IDOK
    SetErrorLevel 3
    Quit
  ${EndIf}
  StrCpy $0 $INSTDIR  ; /D=..., which choosing the install mode would overwrite
  !insertmacro MULTIUSER_INIT
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

; Called by MultiUser.nsh each time the mode is chosen (command line, page, registry).
Function OnModeChosen
  ReadRegStr $Upgrade SHCTX "${APP_KEY}" "InstallDir"
  ${If} $Upgrade != ""
    StrCpy $INSTDIR $Upgrade
  ${EndIf}
FunctionEnd

Function SkipWhenUpgrading
  ${If} $Upgrade != ""
    Abort  ; an installed version: the same mode and folder again, only the program files are replaced
  ${EndIf}
FunctionEnd

Function SetDataDir
  ${If} $MultiUser.InstallMode == "AllUsers"
    SetShellVarContext all
    StrCpy $DataDir "$APPDATA\${APP}"  ; all users' application data: %PROGRAMDATA%
  ${Else}
    SetShellVarContext current
    StrCpy $DataDir "$LOCALAPPDATA\${APP}"
  ${EndIf}
FunctionEnd

Section "-${APP}" SecProgram
  SetOutPath "$INSTDIR"
  ; An older version's program files go first, so nothing of it lingers among the new ones. Only the program's
  ; own files: never the folder itself, which may hold other things.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\${ADMIN_EXE}"
  File /r "${BUNDLE_DIR}\*.*"

  Call SetDataDir
  ${If} $MultiUser.InstallMode == "AllUsers"
    FileOpen $0 "$INSTDIR\${ALL_USERS_MARKER}" w
    FileClose $0
    CreateDirectory "$DataDir"
    ; Every clerk of a shared PC writes the station's database: the local Users group may modify the folder.
    ; Tolerated when it fails (wine has no icacls): an administrator can still use the program.
    nsExec::ExecToLog 'icacls "$DataDir" /grant ${USERS_SID}:(OI)(CI)M'
    Pop $0
    DetailPrint "icacls: $0"
  ${Else}
    Delete "$INSTDIR\${ALL_USERS_MARKER}"  ; the folder was a per-machine install before
  ${EndIf}

  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP_ZH}"
  CreateShortcut "$SMPROGRAMS\${APP_ZH}\${APP_ZH}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "$(ShortcutComment)"
  CreateShortcut "$DESKTOP\${APP_ZH}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "$(ShortcutComment)"

  WriteRegStr SHCTX "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${APP_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr SHCTX "${APP_KEY}" "DataDir" "$DataDir"
  WriteRegStr SHCTX "${APP_KEY}" "InstallerLanguage" "$LANGUAGE"  ; the uninstaller speaks it too (also after /S)

  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${APP_ZH} ${APP}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; -- the uninstaller -------------------------------------------------------------------------------------------
Function un.onInit
  StrCpy $R9 $INSTDIR  ; the folder this uninstaller belongs to (choosing a mode reads the registry's)
  !insertmacro MULTIUSER_UNINIT
  ; The install's mode is told by its folder: the per-machine installer wrote all-users.txt there.
  ${If} ${FileExists} "$R9\${ALL_USERS_MARKER}"
    ${If} $MultiUser.Privileges != "Admin"
    ${AndIf} $MultiUser.Privileges != "Power"
      MessageBox MB_OK|MB_ICONSTOP "$(NeedAdmin)" /SD IDOK
      SetErrorLevel 4
      Quit
    ${EndIf}
    Call un.MultiUser.InstallMode.AllUsers
  ${Else}
    Call un.MultiUser.InstallMode.CurrentUser
  ${EndIf}
  StrCpy $INSTDIR $R9
  Call un.SetDataDir
  StrCpy $RemoveData 0
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/REMOVEDATA" $1
  ${IfNot} ${Errors}
    StrCpy $RemoveData 1
  ${EndIf}
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

Function un.SetDataDir
  ${If} $MultiUser.InstallMode == "AllUsers"
    SetShellVarContext all
    StrCpy $DataDir "$APPDATA\${APP}"
  ${Else}
    SetShellVarContext current
    StrCpy $DataDir "$LOCALAPPDATA\${APP}"
  ${EndIf}
FunctionEnd

Function un.DataPageShow
  !insertmacro MUI_HEADER_TEXT "$(DataTitle)" "$(DataSubtitle)"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 72u "$(DataText)"
  Pop $0
  ${NSD_CreateCheckbox} 0 80u 100% 12u "$(DataCheck)"
  Pop $DataCheckbox
  ${If} $RemoveData == 1
    ${NSD_Check} $DataCheckbox
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $DataCheckbox $0
  StrCpy $RemoveData 0
  ${If} $0 == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(DataConfirm)" IDYES +2
    Abort  ; back to the page: nothing is deleted
    StrCpy $RemoveData 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Delete "$DESKTOP\${APP_ZH}.lnk"
  Delete "$SMPROGRAMS\${APP_ZH}\${APP_ZH}.lnk"
  RMDir "$SMPROGRAMS\${APP_ZH}"

  ; The program's own files only; the folder goes when nothing else is left in it (a technician's portable
  ; data\ folder, say, stays).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\${ADMIN_EXE}"
!ifdef LINUX_PAYLOAD
  Delete "$INSTDIR\StationDesk"
  Delete "$INSTDIR\stationdesk-admin"
!endif
  Delete "$INSTDIR\${ALL_USERS_MARKER}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  DeleteRegKey SHCTX "${UNINST_KEY}"
  DeleteRegKey SHCTX "${APP_KEY}"

  ${If} $RemoveData == 1
    DetailPrint "$DataDir"
    RMDir /r "$DataDir"
  ${EndIf}
SectionEnd
