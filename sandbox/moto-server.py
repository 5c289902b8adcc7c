"""moto_server, with KMS keys of chosen IDs, moto's slowest paths made fast, and an optional profile.

- `npm run simulate` replays a recorded event, which names a key by its ID; moto makes up random key IDs.
  The IDs listed in SANDBOX_KMS_KEY_IDS (comma-separated) are used, in order, for the next keys created;
  after that moto's own IDs apply.
- moto_speedups.py replaces a few of moto's algorithms (not its answers) that grow faster than the fleet,
  so the bench can build and drive 10,000 resources in minutes; SANDBOX_MOTO_PLAIN=1 leaves moto as it is
  (the test comparing both answers runs one server of each).
- SANDBOX_MOTO_PROFILE=<file> profiles every request with cProfile and writes the summed statistics to
  <file> when the server is stopped (SIGTERM or SIGINT), to find where moto spends its time.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.kms import models  # noqa: E402

_wanted = [key_id for key_id in os.environ.get("SANDBOX_KMS_KEY_IDS", "").split(",") if key_id]
_generate = models.generate_key_id


def _generate_key_id(multi_region: bool = False) -> str:
    return _wanted.pop(0) if _wanted else _generate(multi_region)


models.generate_key_id = _generate_key_id

if os.environ.get("SANDBOX_MOTO_PLAIN") != "1":
    import moto_speedups  # noqa: E402

    moto_speedups.install()


def _profile_requests(path: str) -> None:
    """Wraps moto's WSGI application so that each request runs under cProfile, summed into one file."""
    import cProfile
    import pstats
    import threading

    import moto.server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lock = threading.Lock()
    summed: list = []
    call = DomainDispatcherApplication.__call__

    def profiled(self, environ, start_response):
        # Wall time, so a request's figure includes its waits for the GIL: thread_time, which would not,
        # costs a system call per profiled call and slowed moto five-fold.
        profile = cProfile.Profile()
        profile.enable()
        try:
            # The body is read here, inside the profile: moto answers lazily only for streaming responses.
            return list(call(self, environ, start_response))
        finally:
            profile.disable()
            with lock:
                if summed:
                    summed[0].add(profile)
                else:
                    summed.append(pstats.Stats(profile))

    DomainDispatcherApplication.__call__ = profiled

    def dump(signum, frame):
        with lock:
            if summed:
                summed[0].dump_stats(path)
        os._exit(0)

    # moto's main() installs its own handler for both signals: it is the one replaced.
    moto.server.signal_handler = dump


if __name__ == "__main__":
    if os.environ.get("SANDBOX_MOTO_PROFILE"):
        _profile_requests(os.environ["SANDBOX_MOTO_PROFILE"])
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
