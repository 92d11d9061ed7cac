#!/usr/bin/python3
"""A stand-in for xdg-desktop-portal's RemoteDesktop and ScreenCast, for
the portal backend's end-to-end test: it owns org.freedesktop.portal.Desktop
on the (private) session bus the test made, answers each call through a
Request's Response as the real portal does, and on Start makes a real
PipeWire video source (pw-video-source: one colour, a size it can change)
per monitor chosen, whose nodes it hands over with a remote it opened on
PipeWire's socket. It prints each call it gets, one per line, for the test
to read ("node N" for each stream); input calls as "key KEYSYM STATE",
"motion X Y stream NODE", "button CODE STATE", "axis AXIS STEPS".

With --monitors 2 the desktop has two monitors side by side (640x480 and
800x600, the second one orange), and its dialog hands out both when asked
for several ("multiple"), else the first, as a person choosing would.

With --shortcut-trigger TEXT it also offers GlobalShortcuts (version 1,
as KDE's does): BindShortcuts prints "BindShortcuts ID preferred=TRIGGER"
and answers that TEXT is the key bound ("" binds none); its session's
Close prints "Close shortcuts".

Commands on stdin: "close" ends the session as the desktop's sharing
indicator would (Closed), "size W H" changes the first stream's size (a
new resolution of the monitor shared), "activate" sends Activated for
every shortcut bound (the novice pressed it), "quit" stops.

usage: fake_portal.py --source PW_VIDEO_SOURCE [--version N] [--cancel-start]
                      [--no-devices] [--monitors N] [--shortcut-trigger TEXT]
Run with Debian's /usr/bin/python3 (python3-dbus, python3-gi)."""

import argparse
import os
import socket
import subprocess
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
RD = "org.freedesktop.portal.RemoteDesktop"
SC = "org.freedesktop.portal.ScreenCast"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
GS = "org.freedesktop.portal.GlobalShortcuts"
NODE_NAME = "lifeline-fake-portal-screen"
MONITORS = ((640, 480, "3366cc"), (800, 600, "cc6633"))   # width, height, colour


def say(line):
    print(line, flush=True)


def sender_part(sender):
    return sender[1:].replace(".", "_")


class Request(dbus.service.Object):
    def __init__(self, bus, path):
        super().__init__(bus, path)

    @dbus.service.signal(REQUEST, signature="ua{sv}")
    def Response(self, response, results):
        pass

    @dbus.service.method(REQUEST, in_signature="", out_signature="")
    def Close(self):
        self.remove_from_connection()


class Session(dbus.service.Object):
    def __init__(self, bus, path, on_close):
        super().__init__(bus, path)
        self.path, self.on_close = path, on_close

    @dbus.service.signal(SESSION, signature="a{sv}")
    def Closed(self, details):
        pass

    @dbus.service.method(SESSION, in_signature="", out_signature="")
    def Close(self):
        self.on_close()
        self.remove_from_connection()


class Shortcuts(dbus.service.Object):
    """GlobalShortcuts, a class of its own: its CreateSession shares the
    name of RemoteDesktop's (dbus-python finds each through the MRO)."""

    def check_shortcuts(self):
        if self.args.shortcut_trigger is None:
            raise dbus.exceptions.DBusException(
                "no such interface", name="org.freedesktop.DBus.Error.UnknownMethod")

    @dbus.service.method(GS, in_signature="a{sv}", out_signature="o", sender_keyword="sender")
    def CreateSession(self, options, sender):
        self.check_shortcuts()
        say("CreateSession shortcuts")
        path = f"{PATH}/session/{sender_part(sender)}/{options['session_handle_token']}"
        self.shortcut_sessions[path] = []

        def closed():
            say("Close shortcuts")
            self.shortcut_sessions.pop(path, None)
            self.shortcut_objects.pop(path, None)
        self.shortcut_objects[path] = Session(self.bus, path, closed)
        return self.answer(sender, options, 0, {"session_handle": dbus.ObjectPath(path)})

    @dbus.service.method(GS, in_signature="oa(sa{sv})sa{sv}", out_signature="o",
                         sender_keyword="sender")
    def BindShortcuts(self, session, shortcuts, parent, options, sender):
        self.check_shortcuts()
        bound = []
        for shortcut_id, props in shortcuts:
            say(f"BindShortcuts {shortcut_id} preferred={props.get('preferred_trigger', '-')}")
            bound.append(dbus.Struct((shortcut_id, dbus.Dictionary(
                {"description": props.get("description", ""),
                 "trigger_description": dbus.String(self.args.shortcut_trigger)},
                signature="sv")), signature="sa{sv}"))
        self.shortcut_sessions[str(session)] = [str(i) for i, _ in shortcuts]
        return self.answer(sender, options, 0,
                           {"shortcuts": dbus.Array(bound, signature="(sa{sv})")})

    @dbus.service.signal(GS, signature="osta{sv}")
    def Activated(self, session, shortcut_id, timestamp, options):
        pass

    def activate(self):
        for session, ids in list(self.shortcut_sessions.items()):
            for shortcut_id in ids:
                say(f"Activated {shortcut_id}")
                self.Activated(dbus.ObjectPath(session), shortcut_id, dbus.UInt64(0),
                               dbus.Dictionary({}, signature="sv"))


class Portal(Shortcuts):
    def __init__(self, bus, args):
        super().__init__(bus, PATH)
        self.bus, self.args = bus, args
        self.session = None
        self.shortcut_sessions = {}   # path: the ids bound in it
        self.shortcut_objects = {}    # path: its Session
        self.sources = []           # (process, node, x, width, height) per monitor shared
        self.streams = 0
        self.multiple = False

    # ---- answering through Requests ----

    def answer(self, sender, options, response, results):
        path = f"{PATH}/request/{sender_part(sender)}/{options['handle_token']}"
        request = Request(self.bus, path)
        GLib.idle_add(lambda: (request.Response(dbus.UInt32(response),
                                                dbus.Dictionary(results, signature="sv")),
                               request.remove_from_connection(), False)[-1])
        return dbus.ObjectPath(path)

    # ---- properties ----

    def props(self, interface):
        if interface == RD:
            return {"AvailableDeviceTypes": dbus.UInt32(3),
                    "version": dbus.UInt32(self.args.version)}
        if interface == SC:
            return {"AvailableSourceTypes": dbus.UInt32(1),
                    "AvailableCursorModes": dbus.UInt32(3), "version": dbus.UInt32(4)}
        if interface == GS and self.args.shortcut_trigger is not None:
            return {"version": dbus.UInt32(1)}
        raise dbus.exceptions.DBusException("no such interface",
                                            name="org.freedesktop.DBus.Error.UnknownInterface")

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss",
                         out_signature="v")
    def Get(self, interface, name):
        return self.props(interface)[name]

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="s",
                         out_signature="a{sv}")
    def GetAll(self, interface):
        return self.props(interface)

    # ---- RemoteDesktop ----

    @dbus.service.method(RD, in_signature="a{sv}", out_signature="o", sender_keyword="sender")
    def CreateSession(self, options, sender):
        say("CreateSession")
        path = f"{PATH}/session/{sender_part(sender)}/{options['session_handle_token']}"
        self.session = Session(self.bus, path, self.session_closed)
        return self.answer(sender, options, 0, {"session_handle": dbus.String(path)})

    @dbus.service.method(RD, in_signature="oa{sv}", out_signature="o", sender_keyword="sender")
    def SelectDevices(self, session, options, sender):
        say(f"SelectDevices types={int(options.get('types', 0))} "
            f"persist={int(options.get('persist_mode', 0))} "
            f"restore={options.get('restore_token', '-')}")
        return self.answer(sender, options, 0, {})

    @dbus.service.method(RD, in_signature="osa{sv}", out_signature="o", sender_keyword="sender")
    def Start(self, session, parent, options, sender):
        say("Start")
        if self.args.cancel_start:
            return self.answer(sender, options, 1, {})
        self.start_streams(self.args.monitors if self.multiple else 1)
        streams = [dbus.Struct((dbus.UInt32(node), dbus.Dictionary(
            {"position": dbus.Struct((dbus.Int32(x), dbus.Int32(0))),
             "size": dbus.Struct((dbus.Int32(width), dbus.Int32(height))),
             "source_type": dbus.UInt32(1)}, signature="sv")), signature="ua{sv}")
            for _, node, x, width, height in self.sources]
        results = {"devices": dbus.UInt32(0 if self.args.no_devices else 3),
                   "streams": dbus.Array(streams, signature="(ua{sv})")}
        if self.args.version >= 2:
            results["restore_token"] = dbus.String("fake-restore-token-1")
        return self.answer(sender, options, 0, results)

    @dbus.service.method(RD, in_signature="oa{sv}iu")
    def NotifyKeyboardKeysym(self, session, options, keysym, state):
        say(f"key {keysym} {state}")

    @dbus.service.method(RD, in_signature="oa{sv}udd")
    def NotifyPointerMotionAbsolute(self, session, options, stream, x, y):
        say(f"motion {x:.0f} {y:.0f} stream {stream}")

    @dbus.service.method(RD, in_signature="oa{sv}iu")
    def NotifyPointerButton(self, session, options, button, state):
        say(f"button {button} {state}")

    @dbus.service.method(RD, in_signature="oa{sv}ui")
    def NotifyPointerAxisDiscrete(self, session, options, axis, steps):
        say(f"axis {axis} {steps}")

    def session_closed(self):
        say("Close")
        self.end_stream()

    # ---- ScreenCast ----

    @dbus.service.method(SC, in_signature="oa{sv}", out_signature="o", sender_keyword="sender")
    def SelectSources(self, session, options, sender):
        self.multiple = bool(options.get("multiple", False))
        say(f"SelectSources types={int(options.get('types', 0))} "
            f"cursor_mode={int(options.get('cursor_mode', 0))} multiple={int(self.multiple)}")
        return self.answer(sender, options, 0, {})

    @dbus.service.method(SC, in_signature="oa{sv}", out_signature="h")
    def OpenPipeWireRemote(self, session, options):
        say("OpenPipeWireRemote")
        remote = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        remote.connect(os.path.join(os.environ["XDG_RUNTIME_DIR"], "pipewire-0"))
        fd = dbus.types.UnixFd(remote)
        remote.close()
        return fd

    # ---- the screen ----

    def start_streams(self, count):
        self.end_stream()           # a session before this one's
        self.sources = []
        x = 0
        for width, height, colour in MONITORS[:count]:
            self.streams += 1       # a new node each time: the old may linger
            source = subprocess.Popen([self.args.source, f"{NODE_NAME}-{self.streams}",
                                       str(width), str(height)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = source.stdout.readline()
            assert line.startswith("node "), f"pw-video-source said {line!r}"
            node = int(line.split()[1])
            source.stdin.write(f"colour {colour}\n")
            source.stdin.flush()
            self.sources.append((source, node, x, width, height))
            say(f"node {node}")
            x += width

    def tell_source(self, line):
        source = self.sources[0][0] if self.sources else None
        if source is not None and source.poll() is None:
            source.stdin.write(line + "\n")
            source.stdin.flush()

    def end_stream(self):
        for source, *_ in self.sources:
            if source.poll() is None:
                source.stdin.close()
                try:
                    source.wait(5)
                except subprocess.TimeoutExpired:
                    source.kill()
                    source.wait(5)

    def close_session(self):
        if self.session is not None:
            say("Closed")
            self.session.Closed(dbus.Dictionary({}, signature="sv"))
        self.end_stream()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, help="the pw-video-source program")
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--cancel-start", action="store_true")
    parser.add_argument("--no-devices", action="store_true")
    parser.add_argument("--monitors", type=int, default=1, choices=(1, 2))
    parser.add_argument("--shortcut-trigger")
    args = parser.parse_args()
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    portal = Portal(bus, args)
    portal.bus_name = dbus.service.BusName(BUS_NAME, bus)   # owned while it runs
    loop = GLib.MainLoop()

    def on_stdin(channel, condition):
        line = sys.stdin.readline()
        if line.strip() == "close":
            portal.close_session()
        elif line.strip() == "activate":
            portal.activate()
        elif line.startswith("size "):
            portal.tell_source(line.strip())
        elif line == "" or line.strip() == "quit":
            portal.end_stream()
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    say("ready")
    loop.run()


if __name__ == "__main__":
    main()
