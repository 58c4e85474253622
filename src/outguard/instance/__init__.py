"""The instance home folder: database, blobs, keys. `outguard init` creates one."""

from outguard.instance.home import (
    HomeExistsError,
    InstanceNotInitialisedError,
    InstancePaths,
    init_home,
    load_app_secret,
)

__all__ = [
    "HomeExistsError",
    "InstanceNotInitialisedError",
    "InstancePaths",
    "init_home",
    "load_app_secret",
]
