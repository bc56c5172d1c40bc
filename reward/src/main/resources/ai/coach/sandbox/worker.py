"""Coach's sandbox worker: runs critic-written Python snippets for one session.

Started by ai.coach.sandbox.SandboxWorker inside bubblewrap, as root of a fresh
mount/pid/net namespace. It imports the heavy modules while still trusted, then
caps its resources, drops to an unprivileged uid of its own and only then reads
snippets. Requests and replies are length-prefixed JSON on file descriptors
that the snippets cannot mistake for stdout (fds 1 and 2 point at /dev/null).

argv: UID MEMORY_BYTES CPU_SECONDS FILE_BYTES MAX_PROCESSES
"""
import collections
import io
import json
import os
import resource
import struct
import sys

# Imported before any user code so that a session's first snippet is warm.
import numpy  # noqa: F401
import sympy  # noqa: F401

uid, memory, cpu, fsize, nproc = (int(a) for a in sys.argv[1:6])

request_in = os.fdopen(os.dup(0), "rb", buffering=0)
reply_out = os.fdopen(os.dup(1), "wb", buffering=0)
null = os.open("/dev/null", os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.close(null)

os.chown("/scratch", uid, uid)
os.chmod("/scratch", 0o700)
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
os.setgroups([])
os.setresgid(uid, uid, uid)
os.setresuid(uid, uid, uid)
if os.getuid() != uid or os.geteuid() != uid:
    raise SystemExit("could not drop privileges")


class BoundedCapture(io.TextIOBase):
    """Keeps the head and the tail of what a snippet prints, never more than
    2 * limit characters, so a huge print cannot exhaust the memory cap."""

    def __init__(self, limit):
        self.limit = limit
        self.head = []
        self.head_len = 0
        self.tail = collections.deque()
        self.tail_len = 0
        self.total = 0

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        written = len(s)
        self.total += written
        room = self.limit - self.head_len
        if room > 0:
            self.head.append(s[:room])
            self.head_len += min(room, len(s))
            s = s[room:]
        if s:
            self.tail.append(s[-self.limit:])
            self.tail_len += min(len(s), self.limit)
            while self.tail_len - len(self.tail[0]) >= self.limit:
                self.tail_len -= len(self.tail.popleft())
        return written

    def parts(self):
        return "".join(self.head), "".join(self.tail)[-self.limit:], self.total


def read_exact(n):
    chunks = []
    while n:
        chunk = request_in.read(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def send(obj):
    data = json.dumps(obj).encode("ascii")
    reply_out.write(struct.pack(">I", len(data)) + data)


worker_pid = os.getpid()
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
send({"ready": True})
while True:
    try:
        (length,) = struct.unpack(">I", read_exact(4))
        request = json.loads(read_exact(length).decode("utf-8"))
    except EOFError:
        break
    capture = BoundedCapture(request["limit"])
    sys.stdout = sys.stderr = capture
    error = None
    try:
        exec(compile(request["code"], "<snippet>", "exec"), namespace)
    except BaseException as e:  # SystemExit and KeyboardInterrupt are snippet errors too
        error = "Code execute Error: %s: %s" % (type(e).__name__, e)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    if os.getpid() != worker_pid:
        # A child the snippet forked has finished the snippet; only the worker answers.
        os._exit(0)
    head, tail, total = capture.parts()
    send({"head": head, "tail": tail, "total": total, "error": error})
