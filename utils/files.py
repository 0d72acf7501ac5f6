"""Atomic file writes: outputs appear whole or not at all."""
import contextlib
import fcntl
import os
import shutil
import socket
import tempfile
import threading


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _temp_prefix(path):
    return '.' + os.path.basename(path) + '.tmp'


def _host():
    return ''.join(ch for ch in socket.gethostname() if ch.isalnum() or ch == '-') or 'host'


def _writer_tag():
    """pid@host: a temp file of another machine (a shared folder) is never judged by our pids."""
    return f'{os.getpid()}@{_host()}'


def remove_stale_temps(path):
    """Remove temporary files (or folders: exports) that interrupted writes of `path` left behind.

    Their names carry the writer's pid and host (.NAME.tmpPID@HOST.XXXX); one whose writer is
    no longer alive can never be finished.
    """
    directory, prefix = os.path.dirname(os.path.abspath(path)), _temp_prefix(path)
    for name in os.listdir(directory):
        if name.startswith(prefix):
            if writer_alive(name, path) is False:
                stale = os.path.join(directory, name)
                if os.path.isdir(stale):
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(stale)


def writer_alive(temp, path):
    """Whether the process that made this temporary of path (.NAME.tmpPID@HOST.XXXX) still runs: True,
    False, or None for one of another machine or not named so (it cannot be judged from here)."""
    name, prefix = os.path.basename(temp.rstrip('/')), _temp_prefix(path)
    if not name.startswith(prefix):
        return None
    pid, _, host = name[len(prefix):].split('.', 1)[0].partition('@')
    if not pid.isdigit() or host != _host():
        return None
    return _alive(int(pid))


def _temp_beside(path):
    """(folder of path, the prefix of a temporary name for it), after removing dead writers' temporaries."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    remove_stale_temps(path)
    return directory, f'{_temp_prefix(path)}{_writer_tag()}.'


def _new_temp(path):
    directory, prefix = _temp_beside(path)
    suffix = os.path.splitext(path)[1]  # keep the extension: savefig and h5py look at it
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    os.close(fd)
    usual_permissions(tmp)
    return tmp


def new_temp_folder(path):
    """An empty temporary folder beside path, to be renamed to it; one that a killed writer left is
    removed by the next writer of path."""
    directory, prefix = _temp_beside(path)
    return tempfile.mkdtemp(prefix=prefix, dir=directory)


def usual_permissions(path, mode=0o666):
    """Give a file (mode 0o666) or folder (0o777) made by mkstemp/mkdtemp, which make them 0600/0700,
    the permissions the umask gives a new one."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, mode & ~umask)


@contextlib.contextmanager
def atomic_paths(paths):
    """Yield temporary paths beside `paths`; rename them all onto `paths` once the block succeeds.

    For a set of files that belong together (train/val/test/all.txt): a failure
    anywhere in the block leaves every old file as it was. On an exception the
    temporary files are removed.
    """
    temps = []
    try:
        for path in paths:
            temps.append(_new_temp(path))
        yield list(temps)
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.remove(tmp)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; rename it onto `path` on success.

    For writers that want a file name (h5py, matplotlib, pandas). On an
    exception the temporary file is removed and `path` is left untouched.
    """
    with atomic_paths([path]) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_open(path, mode='w', encoding='utf-8', newline='\n'):
    """Open a temporary file for writing; rename it onto `path` when closed without error."""
    with atomic_path(path) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as f:
            yield f


def same_file(a, b):
    """True when paths a and b name one file: the same path, a symlink to it, or a hard link."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would resolve
        return os.path.realpath(a) == os.path.realpath(b)


class OverwriteError(ValueError):
    """An output path that names an input file."""


def check_not_an_input(outputs, inputs):
    """Raise OverwriteError when any output path names one of the input files.

    Called before any work, so a labelled file is never replaced by what was
    computed from it. '-' (stdin/stdout) and None are skipped.
    """
    for output in outputs:
        for source in inputs:
            if output in (None, '-') or source in (None, '-'):
                continue
            if same_file(output, source):
                raise OverwriteError(f'{output} is the input file {source}; '
                                     f'write the output somewhere else (inputs are never overwritten)')


def check_distinct(outputs):
    """Raise OverwriteError when two output paths name one file (one would replace the other).
    '-' (stdout) and None are skipped."""
    named = [output for output in outputs if output not in (None, '-')]
    for i, a in enumerate(named):
        for b in named[i + 1:]:
            if same_file(a, b):
                raise OverwriteError(f'{a} and {b} are the same file; give each output its own path')


class LockedError(RuntimeError):
    """Another live process holds the lock, or took it after ours was deleted."""


def lock_path(weights_path):
    """The run lock of a weights path: its stem + '.lock' (model.h5 and model.hdf5 share
    model.config.json, .vocab.txt and .resume/, so they share the lock too)."""
    return os.path.splitext(weights_path)[0] + '.lock'


def _same_inode(fd, name):
    try:
        on_disk, ours = os.stat(name), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (on_disk.st_dev, on_disk.st_ino) == (ours.st_dev, ours.st_ino)


def _take_lock(name, weights_path):
    """A descriptor of the file now at `name`, flock'ed by us; LockedError naming the holder when a live process has it."""
    while True:
        fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 100, 0).decode('utf-8', 'replace').strip() or 'another process'
            os.close(fd)
            error = LockedError(f'{weights_path} is in use by a training run ({owner}); '
                                f'wait for it to end or choose another --weights')
            error.owner = owner
            raise error from None
        if _same_inode(fd, name):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f'pid {os.getpid()}\n'.encode(), 0)
            return fd
        os.close(fd)  # deleted or replaced between our open and our flock: lock the file there now


class RunLock:
    """The lock run_lock holds; a watcher thread puts the lock file back when it is deleted or replaced."""

    def __init__(self, weights_path, every):
        self.weights_path, self.path = weights_path, lock_path(weights_path)
        self.fd, self.lost = _take_lock(self.path, weights_path), None
        self._guard, self._stop = threading.Lock(), threading.Event()
        self._watcher = threading.Thread(target=self._watch, args=(every,), daemon=True, name='run-lock')
        self._watcher.start()

    def _watch(self, every):
        while not self._stop.wait(every) and self.lost is None:
            self.renew()

    def renew(self):
        """Lock the file at our path again if it is no longer the one we hold (deleted or replaced):
        a second run must find it locked. When another run got there first, remember it: check() stops us."""
        with self._guard:
            if self.lost is not None or self.fd is None or _same_inode(self.fd, self.path):
                return
            try:
                fd = _take_lock(self.path, self.weights_path)
            except LockedError as e:
                self.lost = e.owner
                return
            except OSError:  # the folder is gone or unwritable: try again next time
                return
            os.close(self.fd)  # the deleted file's lock: nobody can open it any more
            self.fd = fd

    def check(self):
        """LockedError when another run has taken the weights since our lock file was deleted; call before
        saving, so that two runs never write the same files."""
        self.renew()
        if self.lost is not None:
            raise LockedError(f'{self.path} was deleted or replaced while this run held it, and another training run '
                              f'({self.lost}) has taken {self.weights_path} since; this run stops without saving again')

    def release(self):
        self._stop.set()
        self._watcher.join()
        with self._guard:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


_held = {}  # lock path -> RunLock of this process


@contextlib.contextmanager
def run_lock(weights_path, every=1.0):
    """Hold an exclusive OS lock on lock_path(weights_path) for a training run.

    A second run on the same weights stops at once with the first one's pid. The
    lock is flock(2)'s on an open descriptor, so it goes when its process dies,
    even by kill -9, and a lock file left behind never blocks a later run. A
    flock lives on the file, not on its name: were the file deleted, a second run
    would make a new one and lock it. So a thread checks every `every` seconds
    that the file at the name is still ours and locks a new one there if not, and
    check_run_lock(), called before each save, stops this run with LockedError if
    another run got there in between.
    """
    os.makedirs(os.path.dirname(os.path.abspath(lock_path(weights_path))), exist_ok=True)
    lock = RunLock(weights_path, every)
    key = os.path.abspath(lock.path)
    _held[key] = lock
    try:
        yield lock
    finally:
        _held.pop(key, None)
        lock.release()


def check_run_lock(weights_path):
    """RunLock.check() of the lock this process holds on weights_path; nothing when it holds none."""
    lock = _held.get(os.path.abspath(lock_path(weights_path)))
    if lock is not None:
        lock.check()


def check_not_a_lock(outputs, weights_path):
    """OverwriteError when an output names the run lock of weights_path: replacing it would let a second
    run start beside the one that holds it."""
    for output in outputs:
        if output in (None, '-'):
            continue
        if same_file(output, lock_path(weights_path)):
            raise OverwriteError(f'{output} is the run lock of {weights_path}; write the output somewhere else')
        folder = os.path.dirname(os.path.abspath(output))
        if folder.endswith('.resume'):  # any model's: continue_fit.py resumes from what is there
            raise OverwriteError(f'{output} is in {os.path.relpath(folder)}, the checkpoints of a training run; '
                                 'write the output somewhere else')


class UnwritableError(OSError):
    """An output folder that cannot be created or written."""


def check_writable(folders):
    """Make sure a file could be written in each folder (now, or once it is made); else UnwritableError.

    Scripts call it at start-up, so a bad --log-dir or --output stops them before
    the work, not after it. Nothing is created: the nearest existing ancestor
    must be a folder that takes a test file.
    """
    for folder in folders:
        existing = os.path.abspath(folder or '.')
        while not os.path.lexists(existing):
            existing = os.path.dirname(existing)
        try:
            if not os.path.isdir(existing):  # a file, or a symlink to nowhere
                raise NotADirectoryError(f'{existing} is not a folder')
            fd, probe = tempfile.mkstemp(prefix='.write-test.', dir=existing)
            os.close(fd)
            os.remove(probe)
        except OSError as e:
            raise UnwritableError(f'{folder}: cannot write there ({e.strerror or e})') from None


def check_output_files(paths):
    """UnwritableError for an output file path that is empty or an existing folder; then check_writable."""
    for path in paths:
        if not path or os.path.isdir(path):
            raise UnwritableError(f'{path!r}: is a folder, not a file name' if path else "'': an empty output file name")
    check_writable([os.path.dirname(os.path.abspath(p)) for p in paths])
