#!/usr/bin/env python3
"""The desktop metadata distributions check: the AppStream metainfo passes
appstreamcli validate, the desktop file desktop-file-validate, and both
name the icon after the application id, whose SVG is there to install.

usage: check_metadata.py DATA_SOURCE_DIR BUILT_DESKTOP_FILE   (TAP)"""

import os
import re
import subprocess
import sys

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

print(f"1..{len(results)}")
for i, (name, ok, why) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} {name}")
    if not ok and why:
        for line in why.strip().splitlines():
            print(f"# {line}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
