"""moto_server, except that KMS keys can be given the IDs the caller wants.

`npm run simulate` replays a recorded event, which names a key by its ID; moto makes up random key IDs.
The IDs listed in SANDBOX_KMS_KEY_IDS (comma-separated) are used, in order, for the next keys created;
after that moto's own IDs apply. Everything else is moto as it is.
"""

import os
import sys

from moto.kms import models

_wanted = [key_id for key_id in os.environ.get("SANDBOX_KMS_KEY_IDS", "").split(",") if key_id]
_generate = models.generate_key_id


def _generate_key_id(multi_region: bool = False) -> str:
    return _wanted.pop(0) if _wanted else _generate(multi_region)


models.generate_key_id = _generate_key_id

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
