/**
 * The spawn helper's program for Python (3.9 or later, on Linux), run as `python3 -I -S -c` (see spawn-helper.ts):
 * the same work as {@link spawnHelperMain} — each command as `/bin/sh -c` in a new session and process group,
 * stdin from /dev/null, in its folder with exactly its environment — over the helper's stdin and stdout instead
 * of Node's IPC channel. Python's subprocess starts a command with vfork(2), which costs a fraction of a Node
 * process's fork(2): this helper is preferred where Python is found, the Node one used otherwise.
 *
 * Requests come as JSON lines (a `null` value in `env.changed` removes the variable); each message goes back as a
 * frame: the lengths of its JSON head and of its data (4 bytes each, big-endian), the head, then the data (an
 * `out` message's bytes). The helper exits 3 before it says `ready` when it lacks pidfd_open(2), which tells it a
 * command's exit like any other readable file. When its stdin ends (the runner exited or was killed), it stops
 * every command group it started that may still run — SIGTERM, SIGKILL after the grace period — and exits.
 *
 * Shipped as this text: nothing to install, no file to find at run time.
 */
export const PYTHON_SPAWN_HELPER = String.raw`import _socket, errno, json, os, re, selectors, signal, struct, subprocess, sys, time

# A JavaScript string may hold a lone surrogate, which Node's spawn passes as U+FFFD. Python's encoder would refuse
# it (or pass one of U+DC80-U+DCFF as a raw byte): the command gets here what it gets from Node.
LONE_SURROGATE = re.compile('[\ud800-\udfff]')


def well_formed(text):
    return text if text.isascii() else LONE_SURROGATE.sub('\ufffd', text)


# The errors Node's spawn reports with the shell's path in the message ("spawn /bin/sh ENOENT"); others are
# "spawn E2BIG". The runner shows the message when the folder is fine: the same words from either helper.
NAMED_BY_NODE = ('EACCES', 'EAGAIN', 'EMFILE', 'ENFILE', 'ENOENT')


def spawn_message(error):
    code = errno.errorcode.get(error.errno)
    if code is None:
        return error.strerror or str(error), ''
    return ('spawn /bin/sh ' if code in NAMED_BY_NODE else 'spawn ') + code, code


def socket_pair(ends):
    # What Node (libuv) gives a command as its stdout and stderr: a socket, not a pipe, which shows (opening
    # /dev/stdout fails with ENXIO on a socket, test -p differs). Both ends close on exec; added to ends.
    first, second = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)
    ends += (first.detach(), second.detach())
    return ends[-2], ends[-1]


def close_all(fds):
    for fd in fds:
        os.close(fd)


def main():
    # pidfd_open (Linux 5.3, Python 3.9) tells a command's exit like any other file: without it, no helper.
    if not hasattr(os, 'pidfd_open'):
        sys.exit(3)
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        sys.exit(3)
    sel = selectors.DefaultSelector()
    stdin_fd = sys.stdin.buffer.fileno()
    stdout_fd = sys.stdout.buffer.fileno()
    env = {}
    devnull = os.open('/dev/null', os.O_RDONLY)
    children = {}
    groups = {}
    late_exits = []

    def write_all(data):
        view = memoryview(data)
        while view:
            view = view[os.write(stdout_fd, view):]

    def send(head, data=b''):
        text = json.dumps(head, separators=(',', ':')).encode()
        write_all(struct.pack('>II', len(text), len(data)) + text + data)

    def alive(group):
        try:
            os.killpg(group, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def forget_gone():
        running = set(c['pid'] for c in children.values())
        for group in list(groups):
            if group not in running and not alive(group):
                del groups[group]

    def exit_fields(code):
        if code < 0:
            # A real-time signal has no name in Node: its number, which the runner reads (128 + n, as a shell says).
            if -code >= signal.SIGRTMIN:
                return None, 'SIG' + str(-code)
            try:
                return None, signal.Signals(-code).name
            except ValueError:
                return None, 'SIG' + str(-code)
        return code, None

    def finish(child):
        if child['open'] > 0 or child['code'] is None:
            return
        gone = not alive(child['pid'])
        if gone:
            groups.pop(child['pid'], None)
        del children[child['id']]
        if child['exit_sent']:
            send({'t': 'close', 'id': child['id'], 'g': gone})
        else:
            code, name = exit_fields(child['code'])
            send({'t': 'end', 'id': child['id'], 'code': code, 'signal': name, 'g': gone})

    def close_pipe(child, fd):
        sel.unregister(fd)
        os.close(fd)
        child['fds'].remove(fd)
        child['open'] -= 1

    def spawn(request):
        nonlocal env
        request_env = request['env']
        if 'all' in request_env:
            env = {}
            changes = request_env['all']
        else:
            changes = request_env['changed']
        for name, value in changes.items():
            name = well_formed(name)
            if value is None:
                env.pop(name, None)
            else:
                env[name] = well_formed(value)
        cid = request['id']
        ends = []
        try:
            out_fd, out_end = socket_pair(ends)
            err_fd, err_end = socket_pair(ends)
            # As Node's spawn: stdin /dev/null read-only; the descriptors this helper was given that do not close
            # on exec passed on (close_fds=False: Node closes none, a make jobserver's reach the command), its
            # own all close on exec (Python opens them so).
            process = subprocess.Popen(
                ['/bin/sh', '-c', well_formed(request['command'])],
                cwd=well_formed(request['cwd']), env=env, stdin=devnull, stdout=out_end, stderr=err_end,
                start_new_session=True, close_fds=False)
        except OSError as error:
            close_all(ends)
            message, code = spawn_message(error)
            send({'t': 'error', 'id': cid, 'message': message, 'code': code})
            return
        except Exception as error:
            close_all(ends)
            send({'t': 'error', 'id': cid, 'message': str(error)})
            return
        close_all((out_end, err_end))
        forget_gone()
        groups[process.pid] = request['grace']
        pidfd = os.pidfd_open(process.pid)
        child = {'id': cid, 'pid': process.pid, 'process': process, 'open': 2, 'code': None,
                 'exit_sent': False, 'fds': [out_fd, err_fd]}
        children[cid] = child
        send({'t': 'spawned', 'id': cid, 'pid': process.pid})
        for stream, fd in ((0, out_fd), (1, err_fd)):
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ, ('out', child, stream))
        sel.register(pidfd, selectors.EVENT_READ, ('exit', child, None))

    def handle(line):
        request = json.loads(line)
        if request['t'] == 'destroy':
            child = children.get(request['id'])
            if child is not None:
                for fd in list(child['fds']):
                    close_pipe(child, fd)
                finish(child)
        else:
            spawn(request)

    def disconnected():
        for child in children.values():
            child['process'].poll()
        forget_gone()
        grace = max(groups.values(), default=0)
        for group in groups:
            try:
                os.killpg(group, signal.SIGTERM)
            except OSError:
                pass
        # The commands' output is still read (and dropped), as the Node helper does: one that prints as it stops
        # (a handler of SIGTERM) would otherwise block on a full socket until the SIGKILL.
        sel.unregister(stdin_fd)
        started = time.monotonic()
        while groups and (time.monotonic() - started) * 1000 < grace:
            for key, _ in sel.select(0.02):
                try:
                    if key.data[0] == 'out' and os.read(key.fd, 65536):
                        continue
                except BlockingIOError:
                    continue
                sel.unregister(key.fd)
                os.close(key.fd)
            for child in children.values():
                child['process'].poll()
            for group in list(groups):
                if not alive(group):
                    del groups[group]
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

    os.set_blocking(stdin_fd, False)
    sel.register(stdin_fd, selectors.EVENT_READ, ('in', None, None))
    pending = b''
    send({'t': 'ready'})
    try:
        while True:
            for key, _ in sel.select(0 if late_exits else None):
                kind, child, stream = key.data
                if kind == 'in':
                    data = os.read(stdin_fd, 65536)
                    if not data:
                        disconnected()
                    pending += data
                    while b'\n' in pending:
                        line, pending = pending.split(b'\n', 1)
                        handle(line)
                elif kind == 'out':
                    try:
                        data = os.read(key.fd, 65536)
                    except BlockingIOError:
                        continue
                    if data:
                        send({'t': 'out', 'id': child['id'], 's': stream}, data)
                    else:
                        close_pipe(child, key.fd)
                        finish(child)
                else:
                    sel.unregister(key.fd)
                    os.close(key.fd)
                    child['code'] = child['process'].wait()
                    if child['open'] == 0:
                        finish(child)
                    else:
                        late_exits.append(child)
            # The exit told alone only when the pipes stay open past this turn (a process left in the group, or
            # one that left it, holds them); usually both come together, in one message.
            if late_exits:
                waited, late_exits = late_exits, []
                for child in waited:
                    if child['id'] in children and child['open'] > 0:
                        if child.get('turned'):
                            code, name = exit_fields(child['code'])
                            child['exit_sent'] = True
                            send({'t': 'exit', 'id': child['id'], 'code': code, 'signal': name})
                        else:
                            child['turned'] = True
                            late_exits.append(child)
    except BrokenPipeError:
        disconnected()


main()
`;
