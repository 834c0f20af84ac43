"""Settings for `vigie demo` and `vigie serve` on one machine."""

from vigie.settings.base import *  # noqa: F403
