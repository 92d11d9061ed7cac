"""Presses a button of a running application as a screen reader would:
through AT-SPI, by the button's accessible name, whatever window has the
keyboard. Run by Debian's /usr/bin/python3 (python3-gi, gir1.2-atspi-2.0).

    atspi_press.py PID NAME [SECONDS]

Looks for a showing, enabled push button named NAME in the application
whose process is PID, presses it ("click", its first action) and prints
"pressed: NAME"; exits 1 with a sentence if none shows up within SECONDS
(default 20)."""

import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

MAX_DEPTH = 40      # a dialog's buttons sit about 8 levels down


def application(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_process_id() == pid:
            return app
    return None


def usable(node):
    states = node.get_state_set()
    return states.contains(Atspi.StateType.SHOWING) and states.contains(Atspi.StateType.ENABLED)


def find_button(node, name, depth=0):
    if node is None or depth > MAX_DEPTH:
        return None
    if node.get_role() == Atspi.Role.PUSH_BUTTON and node.get_name() == name and usable(node):
        return node
    for i in range(node.get_child_count()):
        found = find_button(node.get_child_at_index(i), name, depth + 1)
        if found is not None:
            return found
    return None


def press(pid, name, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            button = find_button(application(pid), name)
            if button is not None and button.do_action(0):
                return True
        except gi.repository.GLib.Error:
            pass        # a window went away while we looked: look again
        time.sleep(0.2)
    return False


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    pid, name = int(sys.argv[1]), sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) == 4 else 20.0
    if press(pid, name, seconds):
        print(f"pressed: {name}", flush=True)
        return 0
    print(f"atspi_press: no button named {name!r} showed in process {pid} within {seconds:g} s",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
