"""Adds the lock entries npm leaves out when the registry it uses lacks other platforms' builds.

The registry mirror of this workplace has no builds of some platform-specific optional packages for
other systems (@biomejs/cli-darwin-arm64, @unrs/resolver-binding-win32-x64-msvc, ...). `npm install`
then writes no lock entry for them and `npm ci` rejects the lock as out of sync. Each missing entry is
added with its os/cpu/libc, so npm skips it on any other platform and fetches it by version on its own.
Run after any `npm install` that rewrites package-lock.json: python3 .ci/complete-lockfile.py
"""

import json
import re
import sys

PLATFORM = re.compile(
    r"(android|darwin|freebsd|linux|openharmony|win32)-(arm64|x64|arm|ia32|loong64|ppc64|riscv64|s390x)"
    r"(?:-(gnueabihf|musleabihf|eabi|gnu|musl|msvc))?$"
)


def main(path: str) -> None:
    with open(path) as handle:
        lock = json.load(handle)
    packages = lock["packages"]
    added = []
    for meta in list(packages.values()):
        for name, version in (meta.get("optionalDependencies") or {}).items():
            key = f"node_modules/{name}"
            match = PLATFORM.search(name)
            if key in packages or not match:
                continue
            system, cpu, abi = match.groups()
            entry = {"version": version, "cpu": [cpu], "optional": True, "os": [system]}
            if meta.get("dev"):
                entry["dev"] = True
            if abi in ("musl", "musleabihf"):
                entry["libc"] = ["musl"]
            elif abi in ("gnu", "gnueabihf"):
                entry["libc"] = ["glibc"]
            packages[key] = entry
            added.append(name)
    lock["packages"] = dict(sorted(packages.items(), key=lambda item: (item[0] != "", item[0])))
    with open(path, "w") as handle:
        json.dump(lock, handle, indent=2)
        handle.write("\n")
    print(f"{len(added)} lock entries added")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package-lock.json")
