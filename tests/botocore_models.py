"""Every botocore service model, loaded fast for tests that walk all of them."""

from __future__ import annotations

import gzip
import json
import os
from typing import Any

import botocore.loaders


class PlainJSONFileLoader(botocore.loaders.JSONFileLoader):  # type: ignore[misc]
    """botocore decodes models with ``object_pairs_hook=OrderedDict``, which makes loading all 445 models
    take ~5 s instead of ~2 s; key order does not matter to these tests."""

    def load_file(self, file_path: str) -> Any:
        for extension, opener in ((".json", open), (".json.gz", gzip.open)):
            if os.path.isfile(file_path + extension):
                with opener(file_path + extension, "rb") as handle:
                    return json.loads(handle.read())
        return None


def fast_loader() -> botocore.loaders.Loader:
    return botocore.loaders.Loader(file_loader=PlainJSONFileLoader())
