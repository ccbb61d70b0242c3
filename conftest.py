"""The fixture plugins every test directory shares (``catalog/tests`` to ``tests/integration``).

Declared here, at the root, so a test run from any directory loads the same fixtures; what tests build
(parties, datasets, offerings, orders, contracts) lives in ``tests/builders.py``.
"""

pytest_plugins = ["tests.fixtures"]
