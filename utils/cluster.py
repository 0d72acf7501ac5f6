"""Wait for the peers TF_CONFIG names before a multi-worker run starts TensorFlow's cluster.

TensorFlow's MultiWorkerMirroredStrategy waits for a missing worker without a
word and without end, and its cluster runtime catches SIGTERM while it does. So
each worker first checks, with plain TCP connections, that every other worker
of the cluster answers on the host:port TF_CONFIG gives it, says which it is
waiting for, gives up after a timeout, and stops on SIGTERM. Meanwhile it
listens on its own port, so that the others, waiting the same way, see it.
"""
import contextlib
import signal
import socket
import struct
import sys
import threading
import time

JOBS = ('chief', 'worker')  # the tasks of a MultiWorkerMirroredStrategy cluster (an evaluator is not one)


class PeerError(RuntimeError):
    """A peer that did not answer in time, or a TF_CONFIG that names no place for this worker."""


def _host_port(address):
    host, _, port = address.rpartition(':')
    if not host or not port.isdigit():
        raise PeerError(f'TF_CONFIG: {address!r} is not host:port')
    return host.strip('[]'), int(port)


def tasks(tf_config):
    """(this task's (job, index, address) or None, [the other tasks of the cluster]) of a parsed TF_CONFIG."""
    task = tf_config.get('task') if isinstance(tf_config.get('task'), dict) else {}
    index = task.get('index', 0)
    me = (task.get('type'), int(index) if str(index).isdigit() else index)
    cluster = tf_config.get('cluster') or {}
    everyone = []
    for job in JOBS:
        addresses = cluster.get(job) or []
        if isinstance(addresses, dict):  # TensorFlow's sparse form: {"1": "host:port"}
            everyone += [(job, int(i), address) for i, address in sorted(addresses.items(), key=lambda a: int(a[0]))]
        else:
            everyone += [(job, i, address) for i, address in enumerate(addresses)]
    mine = next((t for t in everyone if t[:2] == me), None)
    return mine, [t for t in everyone if t[:2] != me]


def answers(address, timeout=1.0):
    """True when something accepts a TCP connection at host:port."""
    try:
        with socket.create_connection(_host_port(address), timeout=timeout) as connection:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        return True  # closed with a reset: no TIME_WAIT left on either side
    except OSError:
        return False


@contextlib.contextmanager
def _listening(address):
    """Accept (and drop) connections on the port of address until the block ends; the port is free again after."""
    if address is None:
        yield
        return
    port = _host_port(address)[1]
    server = socket.socket(socket.AF_INET6 if socket.has_dualstack_ipv6() else socket.AF_INET)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if server.family == socket.AF_INET6:
        server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    try:
        server.bind(('', port))
    except OSError as e:
        server.close()
        raise PeerError(f'TF_CONFIG gives this worker {address}, but port {port} cannot be used here '
                        f'({e.strerror or e})') from None
    server.listen(64)
    server.settimeout(0.2)
    done = threading.Event()

    def accept():
        while not done.is_set():
            with contextlib.suppress(OSError):
                connection, _ = server.accept()
                connection.close()

    thread = threading.Thread(target=accept, daemon=True, name='peer-wait')
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        server.close()


def _name(task):
    job, index, address = task
    return f'{job} {index} ({address})'


def wait_for_peers(tf_config, timeout, poll=0.5, say=print):
    """Return once every other task of tf_config's cluster answers on its port.

    Says at once which tasks it waits for, and again whenever that changes;
    PeerError once `timeout` seconds pass with one still silent. SIGTERM meanwhile
    ends the process (exit status 143) with one line on stderr.
    """
    mine, peers = tasks(tf_config)
    task = tf_config.get('task')
    if task and mine is None:
        raise PeerError(f"TF_CONFIG: its task {task.get('type')} {task.get('index', 0)} is not in its cluster ("
                        + ', '.join(f'{len([t for t in peers if t[0] == job])} {job}' for job in JOBS
                                    if any(t[0] == job for t in peers)) + ')')
    missing = peers

    def stop(signum, frame):
        print(f"error: stopped by SIGTERM while waiting for {', '.join(_name(t) for t in missing)} named in TF_CONFIG",
              file=sys.stderr, flush=True)
        sys.exit(128 + signal.SIGTERM)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main_thread else None
    try:
        with _listening(mine[2] if mine else None):
            deadline, said = time.monotonic() + timeout, None
            while True:
                missing = [t for t in peers if not answers(t[2])]
                if not missing:
                    if said:
                        say('every worker of TF_CONFIG answers', flush=True)
                    # still listening for two more polls: a peer that has not yet seen this one sees it
                    # before it stops listening (TensorFlow takes the port over only after)
                    time.sleep(2 * poll + 0.5)
                    return
                if time.monotonic() >= deadline:
                    raise PeerError(f"{', '.join(_name(t) for t in missing)} named in TF_CONFIG did not answer within "
                                    f'{timeout:g} s (--peer-timeout); start {"it" if len(missing) == 1 else "them"} '
                                    f'with the same TF_CONFIG, or correct TF_CONFIG')
                if missing != said:
                    say(f"waiting for {', '.join(_name(t) for t in missing)} named in TF_CONFIG "
                        f'(giving up {max(0, deadline - time.monotonic()):.0f} s from now; --peer-timeout)', flush=True)
                    said = missing
                time.sleep(poll)
    except KeyboardInterrupt:
        print(f"error: stopped by Ctrl-C while waiting for {', '.join(_name(t) for t in missing)} named in TF_CONFIG",
              file=sys.stderr, flush=True)
        sys.exit(128 + signal.SIGINT)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
