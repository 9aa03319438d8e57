"""Suite-wide settings.

Property tests explore new random examples on every local run; under CI (``CI`` set) they use
a fixed derandomised sequence, so a submission's result does not depend on luck. Failures found
locally become plain regression tests.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
