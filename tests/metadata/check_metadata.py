#!/usr/bin/env python3
"""The desktop metadata distributions check: the AppStream metainfo passes
appstreamcli validate, the desktop file desktop-file-validate, and both
name the icon after the application id, whose SVG is there to install.

usage: check_metadata.py DATA_SOURCE_DIR BUILT_DESKTOP_FILE   (TAP)"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report  # noqa: E402

DATA, DESKTOP = sys.argv[1], sys.argv[2]
APP_ID = "org.lifeline.Lifeline"
METAINFO = os.path.join(DATA, f"{APP_ID}.metainfo.xml")
results = []


def check(name, ok, why=""):
    results.append((name, ok, why))


r = subprocess.run(["appstreamcli", "validate", "--no-net", METAINFO], capture_output=True,
                   text=True, timeout=60)
check("metainfo_validates", r.returncode == 0, r.stdout + r.stderr)
r = subprocess.run(["desktop-file-validate", DESKTOP], capture_output=True, text=True, timeout=60)
check("desktop_file_validates", r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr)
with open(METAINFO) as f:
    meta = f.read()
with open(DESKTOP) as f:
    desktop = f.read()
check("metainfo_id", f"<id>{APP_ID}</id>" in meta)
check("launchable_is_the_desktop_file",
      f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in meta)
named = re.search(rf"^Icon={re.escape(APP_ID)}$", desktop, re.M) is not None
check("icons_named_after_the_id", named and f'<icon type="stock">{APP_ID}</icon>' in meta, desktop)
check("icon_file_present", os.path.exists(os.path.join(DATA, f"{APP_ID}.svg")))

sys.exit(report(results))
