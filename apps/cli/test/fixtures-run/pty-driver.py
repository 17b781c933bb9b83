#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal, the way an operator's terminal would.

Usage: pty-driver.py <cols> <rows> <command> [args...]

- What the test writes to our stdin is typed into the terminal (Ctrl-C as \\x03 becomes a SIGINT through the
  line discipline, exactly as at a keyboard).
- Everything the terminal shows is copied, byte for byte, to our stdout.
- SIGUSR1 to the driver closes the terminal as a closed window or a dropped ssh connection does: the master
  side is closed, so the kernel hangs the terminal up (SIGHUP to the command, its writes fail with EIO).
  Nothing is copied after that.
- When the command has exited and its output is drained, one last line goes to stderr:
  `PTY-RESULT {"exit": <code>, "icanon": bool, "echo": bool, "isig": bool}` — the exit code (128 + n when a
  signal killed it) and the terminal modes it left behind (null after a hang-up: they cannot be read). The
  driver keeps its own handle on the terminal so those modes can still be read after the command has gone.
We exit with the command's exit code.
"""

import fcntl
import json
import os
import select
import signal
import struct
import sys
import termios
import time


def main() -> int:
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    argv = sys.argv[3:]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)

    stdin_open = True
    status = None
    out = sys.stdout.buffer
    hang_up_asked = False
    hung_up = False

    def on_usr1(_signum, _frame) -> None:
        nonlocal hang_up_asked
        hang_up_asked = True

    signal.signal(signal.SIGUSR1, on_usr1)

    def pump(timeout: float) -> bool:
        """Copies what is ready within `timeout`; returns whether the terminal said anything."""
        nonlocal stdin_open, hung_up
        if hang_up_asked and not hung_up:
            os.close(master)
            hung_up = True
        if hung_up:
            time.sleep(timeout)
            return False
        fds = [master] + ([0] if stdin_open else [])
        try:
            ready, _, _ = select.select(fds, [], [], timeout)
        except InterruptedError:
            return True
        said = False
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if data:
                out.write(data)
                out.flush()
                said = True
        if 0 in ready:
            data = os.read(0, 4096)
            if data:
                os.write(master, data)
            else:
                stdin_open = False
        return said

    while status is None:
        pump(0.02)
        done, code = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            status = code
    # Drain: output written just before the exit may still sit in the terminal's buffer.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and pump(0.1):
        pass

    try:
        lflag = termios.tcgetattr(slave)[3]
    except termios.error:
        lflag = None  # hung up: the terminal answers nothing any more
    code = os.waitstatus_to_exitcode(status)
    exit_code = code if code >= 0 else 128 - code
    result = {
        "exit": exit_code,
        "icanon": None if lflag is None else bool(lflag & termios.ICANON),
        "echo": None if lflag is None else bool(lflag & termios.ECHO),
        "isig": None if lflag is None else bool(lflag & termios.ISIG),
    }
    sys.stderr.write("PTY-RESULT " + json.dumps(result) + "\n")
    sys.stderr.flush()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
